"""The `nianbao` command line: import, parse, list, demo, the database option, and the real
installed console script."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.db.schema import connect
from nianbao.tui.cli import cli
from tests.helpers import SAMPLE_NAMES, expected, sample_path

KEYS = ("organ", "region", "year", "format", "published", "table2", "table3", "table4")

ORGANS = {
    "000": ("夏县人民政府办公室", 2024),
    "001": ("巨鹿县人民政府办公室", 2024),
    "002": ("温县人民政府办公室", 2024),
    "003": ("交口县人民政府办公室", 2024),
    "004": ("霍城县人民政府", 2023),
}
# What the checks find in each sample (the import line says 有待审核 and counts them).
FINDINGS = {"000": "错误 1 个", "002": "提示 1 个", "003": "错误 2 个", "004": "错误 1 个"}
CELLS_PER_REPORT = 10 + 25 * 7 + 15  # table 二, table 三 (25 rows × 7 columns), table 四


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run every test in its own folder with no NIANBAO_DB, so no stray ./nianbao.db is made."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_DB", raising=False)


def run(args: list[str], env: dict[str, str | None] | None = None):
    return CliRunner().invoke(
        cli, args, env={"NIANBAO_DB": None, **(env or {})}, catch_exceptions=False, prog_name="nianbao"
    )


def copy_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(sample_path(n), folder / sample_path(n).name)) for n in SAMPLE_NAMES]


def counts(db_file: Path) -> dict[str, int]:
    db = connect(db_file)
    try:
        return {
            table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("reports", "documents", "cells", "imports")
        }
    finally:
        db.close()


def organs(db_file: Path) -> set[tuple[str, int]]:
    db = connect(db_file)
    try:
        return {(r["organ"], r["year"]) for r in db.query("SELECT organ, year FROM reports")}
    finally:
        db.close()


def nianbao_script() -> Path:
    script = Path(sys.executable).parent / "nianbao"
    assert script.is_file(), f"console script not installed next to {sys.executable}"
    return script


# --- import and list -------------------------------------------------------------------------------


def test_import_samples_folder(tmp_path):
    files = copy_samples(tmp_path / "in")
    db_file = tmp_path / "t.db"

    result = run(["--db", str(db_file), "import", str(tmp_path / "in")])

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    for line, path, name in zip(lines, files, SAMPLE_NAMES):
        organ, year = ORGANS[name[:3]]
        label = "有待审核  " if name[:3] in FINDINGS else "已导入    "  # lined up: CJK is two columns wide
        assert line.startswith(f"{label}{path} → 报告 "), line
        assert f"：{organ} {year}" in line
        if name[:3] in FINDINGS:
            assert line.endswith(f"（{FINDINGS[name[:3]]}待审核）")
    assert lines[-1] == "5 个文件：已导入 5；4 个有待审核的问题"
    assert counts(db_file) == {"reports": 5, "documents": 5, "cells": 5 * CELLS_PER_REPORT, "imports": 5}
    assert organs(db_file) == set(ORGANS.values())


def test_list_after_import(tmp_path):
    copy_samples(tmp_path / "in")
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(tmp_path / "in")]).exit_code == 0

    result = run(["--db", str(db_file), "list"])

    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["编号", "机关", "地区", "地区代码", "年度", "状态", "错误", "提示", "文件"]
    assert lines[-1] == "共 5 份报告"
    assert {line.split()[5] for line in lines[1:-1]} == {"待审核", "待批准"}
    body = lines[1:-1]
    assert len(body) == 5
    for organ, year in ORGANS.values():
        (line,) = [line for line in body if line.split()[1] == organ]
        assert line.split()[4] == str(year)
    # the app's review queue order: most errors, then most warnings, then the newest year first
    assert [line.split()[1] for line in body] == [
        "交口县人民政府办公室",
        "夏县人民政府办公室",
        "霍城县人民政府",
        "温县人民政府办公室",
        "巨鹿县人民政府办公室",
    ]


def test_list_json_after_import(tmp_path):
    copy_samples(tmp_path / "in")
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(tmp_path / "in")]).exit_code == 0

    result = run(["--db", str(db_file), "list", "--json"])

    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 5
    assert {(r["organ"], r["year"]) for r in rows} == set(ORGANS.values())
    assert sorted(r["year"] for r in rows) == [2023, 2024, 2024, 2024, 2024]
    by_organ = {r["organ"]: r for r in rows}
    assert by_organ["温县人民政府办公室"]["region"] == "温县"
    assert by_organ["温县人民政府办公室"]["file"] == sample_path("002").name
    assert {r["format"] for r in rows} == {"2021"}
    errors = {ORGANS[n][0]: int(f.split()[1]) for n, f in FINDINGS.items() if f.startswith("错误")}
    assert {r["organ"]: r["errors"] for r in rows} == {organ: errors.get(organ, 0) for organ, _ in ORGANS.values()}
    assert by_organ["温县人民政府办公室"]["warnings"] == 1
    assert {r["region_code"] for r in rows} == {"140828", "130529", "410825", "141130", "654023"}


def test_a_db_that_does_not_exist_is_an_error_unless_the_command_creates_one(tmp_path):
    missing = str(tmp_path / "typo.db")
    for args in (["list"], ["check"], ["show", "1"], ["approve", "1"], ["publish", "--out", str(tmp_path / "o")]):
        result = run(["--db", missing, *args])
        assert result.exit_code == 1 and result.stderr.startswith(f"错误：{missing}: 没有这个数据库"), args
        assert not (tmp_path / "typo.db").exists()
    assert run(["--db", missing, "import", str(sample_path("001"))]).exit_code == 0  # import creates it


def test_show_names_a_missing_organ_in_chinese(db, db_path):
    run(["--db", str(db_path), "import", str(sample_path("001"))])
    db.execute("UPDATE reports SET organ = NULL")
    db.conn.commit()
    first = run(["--db", str(db_path), "show", "1"]).stdout.splitlines()[0]
    assert first == "报告 1：（机关未定） · 2024 · 待批准" and "None" not in first


def test_list_of_empty_database(tmp_path):
    connect(str(tmp_path / "t.db")).close()
    result = run(["--db", str(tmp_path / "t.db"), "list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "共 0 份报告"
    result = run(["--db", str(tmp_path / "t.db"), "list", "--json"])
    assert json.loads(result.stdout) == []


def test_reimport_is_unchanged(tmp_path):
    files = copy_samples(tmp_path / "in")
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(tmp_path / "in")]).exit_code == 0
    before = counts(db_file)

    result = run(["--db", str(db_file), "import", str(tmp_path / "in")])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    for line, path in zip(lines, files):
        assert line.startswith(f"未变      {path} → 报告 "), line
        assert "同一文件已导入过" in line
    assert lines[-1] == "5 个文件：未变 5"
    after = counts(db_file)
    assert after["reports"] == 5
    assert after["documents"] == 5
    assert after["cells"] == before["cells"] == 1000


# --- parse -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_NAMES, ids=[n[:3] for n in SAMPLE_NAMES])
def test_parse_json_matches_expected(tmp_path, name):
    result = run(["--db", str(tmp_path / "t.db"), "parse", str(sample_path(name)), "--json"])
    assert result.exit_code == 0
    assert result.stderr == ""
    got = json.loads(result.stdout)
    want = expected(name)
    for key in KEYS:
        assert got[key] == want[key], key
    assert len(got["table3"]["rows"]) == 25
    assert got["sources"]  # provenance is part of the JSON


@pytest.mark.parametrize("name", SAMPLE_NAMES, ids=[n[:3] for n in SAMPLE_NAMES])
def test_parse_text_summary(tmp_path, name):
    result = run(["parse", str(sample_path(name))])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    want = expected(name)
    assert lines[0] == f"{want['organ']} · {want['year']} · 格式 {want['format']} 年版 · 地区 {want['region']}"
    assert lines[1].startswith(f"发布日期 {want['published'] or '（未写明）'} · 统计期间 ")
    received = want["table3"]["rows"]["new_received"][-1]
    assert lines[2] == f"本年新收政府信息公开申请 {received} 件"
    findings = [line for line in lines if line.startswith(("错误 ", "提示 "))]
    assert len(findings) == int(FINDINGS.get(name[:3], "x 0").split()[1])
    assert all("table" not in line for line in findings)  # cells named as the form prints them


def test_parse_stores_nothing(tmp_path):
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "parse", str(sample_path("002"))]).exit_code == 0
    assert not db_file.exists() or counts(db_file)["reports"] == 0


# --- the database option ---------------------------------------------------------------------------


def test_nianbao_db_env_is_honoured(tmp_path):
    copy_samples(tmp_path / "in")
    env_db = tmp_path / "from_env.db"

    result = run(["import", str(tmp_path / "in")], env={"NIANBAO_DB": str(env_db)})

    assert result.exit_code == 0, result.output
    assert counts(env_db)["reports"] == 5
    assert not (tmp_path / "nianbao.db").exists()
    listed = run(["list", "--json"], env={"NIANBAO_DB": str(env_db)})
    assert len(json.loads(listed.stdout)) == 5


def test_db_option_wins_over_env(tmp_path):
    copy_samples(tmp_path / "in")
    env_db, opt_db = tmp_path / "from_env.db", tmp_path / "from_option.db"

    result = run(["--db", str(opt_db), "import", str(tmp_path / "in")], env={"NIANBAO_DB": str(env_db)})

    assert result.exit_code == 0, result.output
    assert counts(opt_db)["reports"] == 5
    assert not env_db.exists()
    assert not (tmp_path / "nianbao.db").exists()


def test_default_database_is_in_current_folder(tmp_path):
    copy_samples(tmp_path / "in")
    result = run(["import", str(tmp_path / "in" / sample_path("002").name)])
    assert result.exit_code == 0, result.output
    assert counts(tmp_path / "nianbao.db")["reports"] == 1
    assert organs(tmp_path / "nianbao.db") == {("温县人民政府办公室", 2024)}


@pytest.mark.parametrize("command", [["list"], ["import", str(sample_path("002"))]], ids=["list", "import"])
def test_db_option_pointing_to_a_non_database_is_one_error_line(tmp_path, command):
    not_db = tmp_path / "notes.db"
    not_db.write_text("not a database, just text\n" * 20, encoding="utf-8")
    result = run(["--db", str(not_db), *command])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"错误：{not_db}: 数据库已损坏或不是数据库（sqlite3：file is not a database）；请从备份恢复"
    ]
    assert not_db.read_text(encoding="utf-8").startswith("not a database")  # left alone


def test_db_option_pointing_to_a_folder_is_a_usage_error(tmp_path):
    (tmp_path / "adir").mkdir()
    result = run(["--db", str(tmp_path / "adir"), "list"])
    assert result.exit_code == 2  # click's usage error
    assert result.stdout == ""
    assert result.stderr.startswith("错误：'--db' 的值不对：") and result.stderr.rstrip().endswith(
        "是文件夹（用法见 nianbao --help）"
    )
    assert "Traceback" not in result.output


# --- demo ------------------------------------------------------------------------------------------


def test_demo_creates_fresh_database(tmp_path):
    out = tmp_path / "demo"
    for _ in range(2):  # fresh each time: the second run imports again, it does not say unchanged
        result = run(["demo", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert counts(out / "nianbao.db") == {
            "reports": 5,
            "documents": 5,
            "cells": 5 * CELLS_PER_REPORT,
            "imports": 5,
        }
        assert "未变" not in result.stdout
        for organ, year in ORGANS.values():
            assert f"{organ} {year}" in result.stdout
        assert "5 个文件：已导入 5；4 个有待审核的问题" in result.stdout
        assert f"数据库：{out / 'nianbao.db'}" in result.stdout
    assert "温县人民政府办公室 2024（河南省焦作市 410825）：本年新收申请 33 件" in result.stdout
    assert "检查：错误 4 个，提示 1 个；8 个空白单元格可由表内合计推出建议值" in result.stdout
    assert organs(out / "nianbao.db") == set(ORGANS.values())


def test_demo_replaces_an_existing_database(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    db = connect(out / "nianbao.db")
    db["junk"].insert({"x": 1})
    db.close()
    assert run(["demo", "--out", str(out)]).exit_code == 0
    db = connect(out / "nianbao.db")
    try:
        assert "junk" not in db.table_names()
        assert db.execute("SELECT count(*) FROM reports").fetchone()[0] == 5
    finally:
        db.close()


# --- help and the real console script --------------------------------------------------------------


def test_help_lists_commands():
    result = run(["--help"])
    assert result.exit_code == 0
    commands = result.stdout.split("命令：")[1].split()
    for command in ("import", "parse", "list", "demo"):
        assert command in commands
    assert "--db" in result.stdout
    assert "NIANBAO_DB" in result.stdout


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `nianbao` console script (not click's test runner)."""
    env = {k: v for k, v in os.environ.items() if k != "NIANBAO_DB"}
    return subprocess.run(
        [str(nianbao_script()), *args],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=600,  # a hang guard only, never a speed requirement
    )


def test_real_console_script(tmp_path):
    db_file = tmp_path / "t.db"

    proc = script("--db", str(db_file), "parse", str(sample_path("002")), "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    want = expected("002")
    for key in KEYS:
        assert got[key] == want[key], key

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    proc = script("--db", str(db_file), "parse", str(bad), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [f"错误：{bad}: 文件是空的：请从发布机关的网站重新下载"]

    proc = script("--db", str(db_file), "import", str(bad), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == [
        f"失败      {bad}: 文件是空的：请从发布机关的网站重新下载",
        "1 个文件：失败 1",
    ]
    assert counts(db_file)["reports"] == 0
    assert not (tmp_path / "nianbao.db").exists()


def test_real_console_script_help_and_version(tmp_path):
    proc = script("--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("用法：nianbao [选项] 命令 [参数]...")
    for command in ("import", "parse", "list", "demo"):
        assert command in proc.stdout.split("命令：")[1].split()
    assert "显示本帮助并退出" in proc.stdout and "Show this message" not in proc.stdout
    proc = script("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("nianbao 版本 ") and "0.1.0" in proc.stdout


# --- Chinese first ---------------------------------------------------------------------------------

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_help_reads_in_chinese(command):
    """click's headings, its --help option and the command's own texts: Chinese; names of commands,
    options and arguments stay as typed."""
    result = run([command, "--help"])
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith(f"用法：nianbao {command} [选项]")
    assert "选项：" in text and "显示本帮助并退出" in text
    for english in ("Usage:", "Options:", "Show this message", "[required]", "[default"):
        assert english not in text
    described = [line for line in text.splitlines()[1:] if line.strip() and not line.lstrip().startswith("-")]
    assert described and all(any("\u4e00" <= ch <= "\u9fff" for ch in line) for line in described), described


def test_the_command_list_gives_each_command_its_chinese_first_sentence():
    lines = run(["--help"]).stdout.split("命令：")[1].strip().splitlines()
    shown = dict(line.split(maxsplit=1) for line in lines)
    assert sorted(shown) == COMMANDS
    assert shown["approve"] == "批准报告以便发布" and shown["remove"] == "移除一份报告（如重复的副本）"


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["parse"], "错误：缺少参数 FILE（用法见 nianbao parse --help）"),
        (["lst"], "错误：没有这个命令：lst（用法见 nianbao --help）"),
        (["list", "--bogus"], "错误：没有这个选项：--bogus（用法见 nianbao list --help）"),
        (["correct", "1", "table3.total.natural", "3"], "错误：缺少选项 --reason（用法见 nianbao correct --help）"),
        (["blank", "1", "--reason", "x"], "错误：blank：请给出单元格，或用 --all 表示全部空白单元格"),
        (["show", "x"], "错误：'REPORT' 的值不对：'x' 不是整数（用法见 nianbao show --help）"),
        (
            ["import", "--workers", "0", "."],
            "错误：'--workers' 的值不对：0 不在范围 x>=1 内（用法见 nianbao import --help）",
        ),
    ],
    ids=["argument", "command", "option", "required-option", "own-usage", "not-a-number", "out-of-range"],
)
def test_a_usage_error_is_one_chinese_line(args, line):
    result = run(args)
    assert result.exit_code == 2
    assert result.stdout == "" and result.stderr.splitlines() == [line]


@pytest.fixture
def reviewed(tmp_path) -> Path:
    """The five samples imported into t.db."""
    copy_samples(tmp_path / "in")
    assert run(["--db", "t.db", "import", "in"]).exit_code == 0
    return tmp_path / "t.db"


def test_review_commands_speak_the_vocabulary(reviewed):
    refused = run(["--db", "t.db", "approve", "4"])
    assert refused.exit_code == 1 and refused.stderr.startswith("错误：报告 4 仍有 2 个错误")
    assert refused.stderr.rstrip().endswith("确认无误请加 --override 理由")
    approved = run(["--db", "t.db", "approve", "2", "4", "--override", "原文如此"])
    assert approved.stdout.splitlines() == [
        "报告 2：巨鹿县人民政府办公室 2024 已批准",
        "报告 4：交口县人民政府办公室 2024 已批准",
    ]
    removed = run(["--db", "t.db", "remove", "3", "--reason", "重复的副本"])
    assert removed.stdout == "报告 3：温县人民政府办公室 2024 已移除（文件和记录保留）\n"
    shown = run(["--db", "t.db", "show", "4"]).stdout.splitlines()
    assert shown[0] == "报告 4：交口县人民政府办公室 · 2024 · 已批准"
    assert any("状态 已批准 — " in line and "原文如此" in line for line in shown), shown
    assert any(line.endswith("nianbao：状态 待审核 — 检查后自动设定") for line in shown), shown  # not "checks"
    checked = run(["--db", "t.db", "check"])
    assert checked.exit_code == 1
    assert checked.stdout.splitlines()[0] == "报告 4：交口县人民政府办公室 2024（已批准）"
    assert checked.stdout.splitlines()[1].startswith("  错误 CELL-MISSING ")
    assert checked.stdout.splitlines()[-1] == "检查了 4 份报告：3 份有错误，共 4 个错误，0 个提示"
    listed = run(["--db", "t.db", "list"]).stdout.splitlines()
    assert {line.split()[5] for line in listed[1:-1]} == {"待审核", "已批准", "已移除"}
    assert listed[-2].split()[:2] == ["3", "温县人民政府办公室"] and listed[-2].split()[5] == "已移除"  # last


def test_publish_says_where_everything_went_in_chinese(reviewed):
    result = run(["--db", "t.db", "publish", "--out", "pub", "--include-unapproved"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-4].startswith("已发布 5 份报告（5 份未批准，已标注）")
    assert lines[-3:] == [
        "  网站：pub/site/index.html",
        "  Datasette：pub/datasette/nianbao.db 及 metadata.json",
        "  同时提供两者：nianbao serve pub   （或：python -m http.server -d pub/site）",
    ]


def test_serve_refuses_a_folder_with_nothing_published_in_one_line(tmp_path):
    (tmp_path / "empty").mkdir()
    for folder in ("empty", "no-such-folder"):
        result = run(["serve", folder])
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"错误：{folder}：这里没有发布的内容，先运行 nianbao publish --out {folder}"
        ]
        assert result.stdout == ""


def test_serve_says_in_one_line_when_the_port_is_taken(reviewed):
    import socket

    assert run(["--db", "t.db", "publish", "--out", "pub", "--include-unapproved"]).exit_code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", "pub", "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"错误：端口 {port} 已被占用，请换一个：nianbao serve pub --port {port + 1}"]
    assert result.stdout == ""


def test_the_app_asks_before_making_a_new_database(tmp_path, monkeypatch):
    """`nianbao` at a terminal with no database: asked, the name shown; yes makes it and opens the
    app, no (or no terminal) is the one-line error of the other commands."""
    from nianbao.tui import app
    from nianbao.tui import cli as cli_module

    opened = []
    monkeypatch.setattr(app.NianbaoApp, "run", lambda self: opened.append(self.db_path))
    monkeypatch.setattr(app.NianbaoApp, "return_code", 0)
    refused = run(["--db", "new.db"])
    assert refused.exit_code == 1 and refused.stderr.startswith("错误：new.db: 没有这个数据库")
    monkeypatch.setattr(cli_module, "_interactive", lambda: True)
    declined = CliRunner().invoke(cli, ["--db", "new.db"], input="n\n", prog_name="nianbao")
    assert declined.exit_code == 1 and not (tmp_path / "new.db").exists()
    assert declined.stdout.startswith("没有数据库 new.db。新建它并打开应用吗？ [y/N]")
    accepted = CliRunner().invoke(cli, ["--db", "new.db"], input="y\n", prog_name="nianbao")
    assert accepted.exit_code == 0, accepted.output
    assert (tmp_path / "new.db").exists() and opened == ["new.db"]


# --- One error handler: a refusal or a fault of the machine is one line -----------------------------


def test_an_out_under_proc_is_one_line_from_the_real_script(tmp_path):
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(sample_path("001"))]).exit_code == 0
    proc = script("--db", str(db_file), "publish", "--out", "/proc/nope", "--include-unapproved", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == ["错误：/proc/nope: 不存在（系统：No such file or directory）"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["parse", "nope.pdf"], "错误：nope.pdf: 不存在（系统：No such file or directory）"),
        (["parse", "."], "错误：.: 是文件夹，不是文件（系统：Is a directory）"),
        (["correct", "99", "table3.total.natural", "3", "--reason", "x"], "错误：数据库中没有报告 99"),
        (["show", "99"], "错误：数据库中没有报告 99"),
        (["approve", "99"], "错误：数据库中没有报告 99"),
        (["accept", "99"], "错误：数据库中没有报告 99"),
    ],
    ids=["missing-file", "a-folder", "correct-no-report", "show-no-report", "approve-no-report", "accept-no-report"],
)
def test_a_refusal_or_a_missing_file_is_one_chinese_line(tmp_path, args, line):
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(sample_path("001"))]).exit_code == 0
    result = run(["--db", str(db_file), *args])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [line]
    assert "Traceback" not in result.output


def test_a_database_fault_in_any_command_is_one_line(tmp_path, monkeypatch):
    """An SQLite error met mid-command (here in list's query) is the handler's line, naming the database."""
    db_file = tmp_path / "t.db"
    assert run(["--db", str(db_file), "import", str(sample_path("001"))]).exit_code == 0

    def failing(db):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("nianbao.db.queries.listing", failing)
    result = run(["--db", str(db_file), "list"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"错误：{db_file}: 数据库错误（sqlite3：disk I/O error）"]
