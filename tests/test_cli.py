"""The `nianbao` command line: import, parse, list, demo, the database option, and the real
installed console script."""

from __future__ import annotations

import json
import os
import shutil
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
# What the checks find in each sample (the import line says "warnings" and counts them).
FINDINGS = {"000": "1 error", "002": "1 warning", "003": "2 errors", "004": "1 error"}
CELLS_PER_REPORT = 10 + 25 * 7 + 15  # table 二, table 三 (25 rows × 7 columns), table 四


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run every test in its own folder with no NIANBAO_DB, so no stray ./nianbao.db is made."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NIANBAO_DB", raising=False)


def run(args: list[str], env: dict[str, str | None] | None = None):
    return CliRunner().invoke(cli, args, env={"NIANBAO_DB": None, **(env or {})}, catch_exceptions=False)


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
        label = "warnings" if name[:3] in FINDINGS else "imported"
        assert line.startswith(f"{label:<9} {path} → report "), line
        assert f"{organ} {year}" in line
        if label == "warnings":
            assert line.endswith(f"({FINDINGS[name[:3]]} to review)")
    assert lines[-1] == "5 files: 5 imported; 4 with findings to review"
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
    assert body[-1].split()[1] == "霍城县人民政府"  # newest year first: the 2023 report comes last


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
    errors = {ORGANS[n][0]: int(f.split()[0]) for n, f in FINDINGS.items() if "error" in f}
    assert {r["organ"]: r["errors"] for r in rows} == {organ: errors.get(organ, 0) for organ, _ in ORGANS.values()}
    assert by_organ["温县人民政府办公室"]["warnings"] == 1
    assert {r["region_code"] for r in rows} == {"140828", "130529", "410825", "141130", "654023"}


def test_a_db_that_does_not_exist_is_an_error_unless_the_command_creates_one(tmp_path):
    missing = str(tmp_path / "typo.db")
    for args in (["list"], ["check"], ["show", "1"], ["approve", "1"], ["publish", "--out", str(tmp_path / "o")]):
        result = run(["--db", missing, *args])
        assert result.exit_code == 1 and result.stderr.startswith(f"Error: {missing}: 没有这个数据库"), args
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
        assert line.startswith(f"unchanged {path} → report "), line
        assert "同一文件已导入过" in line
    assert lines[-1] == "5 files: 5 unchanged"
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
    assert lines[0] == f"{want['organ']} · {want['year']} · format {want['format']} · region {want['region']}"
    assert lines[1].startswith(f"published {want['published'] or '(no date)'} · period ")
    received = want["table3"]["rows"]["new_received"][-1]
    assert lines[2] == f"applications received: {received}"
    findings = [line for line in lines if line.startswith(("error ", "warning "))]
    assert len(findings) == int(FINDINGS.get(name[:3], "0").split()[0])


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
        f"Error: {not_db}: 数据库已损坏或不是数据库（sqlite3：file is not a database）；请从备份恢复"
    ]
    assert not_db.read_text(encoding="utf-8").startswith("not a database")  # left alone


def test_db_option_pointing_to_a_folder_is_a_usage_error(tmp_path):
    (tmp_path / "adir").mkdir()
    result = run(["--db", str(tmp_path / "adir"), "list"])
    assert result.exit_code == 2  # click's usage error
    assert result.stdout == ""
    assert "is a directory" in result.stderr
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
        assert "unchanged" not in result.stdout
        for organ, year in ORGANS.values():
            assert f"{organ} {year}" in result.stdout
        assert "5 files: 5 imported; 4 with findings to review" in result.stdout
        assert f"Database: {out / 'nianbao.db'}" in result.stdout
    assert "温县人民政府办公室 2024 (河南省焦作市 410825): 33 applications received" in result.stdout
    assert "Checks: 4 errors, 1 warning; 8 blank cells have a value the table's sums suggest" in result.stdout
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
    commands = result.stdout.split("Commands:")[1].split()
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
    assert proc.stderr.splitlines() == [f"Error: {bad}: 文件是空的：请从发布机关的网站重新下载"]

    proc = script("--db", str(db_file), "import", str(bad), cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert proc.stdout.splitlines() == [
        f"failed    {bad}: 文件是空的：请从发布机关的网站重新下载",
        "1 file: 1 failed",
    ]
    assert counts(db_file)["reports"] == 0
    assert not (tmp_path / "nianbao.db").exists()


def test_real_console_script_help_and_version(tmp_path):
    proc = script("--help", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.startswith("Usage: nianbao ")
    for command in ("import", "parse", "list", "demo"):
        assert command in proc.stdout.split("Commands:")[1].split()
    proc = script("--version", cwd=tmp_path)
    assert proc.returncode == 0
    assert "0.1.0" in proc.stdout
