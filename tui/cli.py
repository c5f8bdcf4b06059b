"""The `nianbao` command line. It calls db/ and publish/, and turns the project's errors into one
line naming the file and the problem. What a person reads is Chinese (`--json` keys stay English);
click's own words (usage, headings, its usage errors) too, through `tui/cli_zh.py`. Textual is
imported only to start the app."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import unicodedata
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

import click

from nianbao.db import faults, progress, queries, review
from nianbao.db.checks import run_checks
from nianbao.db.errors import NianbaoError
from nianbao.db.filenames import shown
from nianbao.db.pipeline import FileResult, import_paths, parse_file
from nianbao.db.schema import connect
from nianbao.db.vocabulary import (
    FORMS_ZH,
    TRAIL_KINDS,
    ImportStatus,
    Severity,
    cell_name,
    import_status_zh,
    import_summary_zh,
    message_zh,
    severity_zh,
    source_zh,
    status_zh,
    trail_reason_zh,
)
from nianbao.db.workers import dask_executor
from nianbao.publish.untrusted import clean
from nianbao.tui.cli_zh import ERROR, ChineseGroup
from nianbao.tui.timefmt import local_time

DEFAULT_DB = "nianbao.db"


def echo(message: object = "", **kwargs) -> None:
    """click.echo for lines that may hold report or file text: its control characters would be
    commands to the terminal (ESC sequences), its invisible ones would make it read otherwise.
    (JSON output is written as is: json.dumps escapes control characters.)"""
    click.echo(clean(str(message)), **kwargs)


class NianbaoGroup(ChineseGroup):
    """The command group, and the one error handler of every command (sqlite-utils' habit: the
    library raises, the CLI translates once). A refusal of nianbao's own (NianbaoError), a fault of
    the machine (a locked, full or damaged database, a disk that is full, a folder that cannot be
    written: OSError, sqlite3.Error) and Ctrl-C each become one line `错误：…` and a non-zero exit.
    It sits here rather than in main() so that click's test runner goes through it too."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader of the output went away (`nianbao list | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit either
            ctx.exit(1)
        except NianbaoError as exc:
            echo(f"{ERROR}{exc}", err=True)
            ctx.exit(1)
        except (OSError, sqlite3.Error) as exc:
            echo(f"{ERROR}{faults.describe(exc, ctx.obj)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            echo("已中断（Ctrl-C）：已完成的保留，进行中的一步已撤销", err=True)
            ctx.exit(130)


@click.group(cls=NianbaoGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    envvar="NIANBAO_DB",
    default=DEFAULT_DB,
    type=click.Path(dir_okay=False),
    help=f"数据库文件（默认 {DEFAULT_DB}，也可设环境变量 NIANBAO_DB）",
)
@click.version_option(package_name="nianbao", message="%(prog)s 版本 %(version)s", help="显示版本并退出")
@click.pass_context
def cli(ctx: click.Context, db_path: str) -> None:
    """nianbao（年报）：政府信息公开工作年度报告，从文件到核对过的数据。

    Annual reports on open government information, from files to checked data.

    不带命令时打开操作员的应用。
    """
    ctx.obj = db_path
    if ctx.invoked_subcommand is None:
        from nianbao.tui.app import NianbaoApp  # Textual only for the app

        # a damaged file or a newer nianbao's: one line, before the screen
        _open(db_path, create=_new_database_wanted(db_path)).close()
        app = NianbaoApp(db_path)
        app.run()
        sys.exit(app.return_code or 0)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))  # a file read says why
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="并行解析文件的进程数（默认：有 PDF 时每核一个，否则 1）",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="在 Dask 集群上解析：调度器地址（tcp://host:8786）或 local（需安装 nianbao[dask]）",
)
@click.pass_obj
def import_(db_path: str, paths: tuple[str, ...], workers: int | None, dask: str | None) -> None:
    """导入报告文件，或文件夹（含子文件夹）里的报告。

    每个文件一行：已导入、有待审核、未变、已替换，或失败及原因。有文件失败时退出码为 1。终端上，
    长的 PDF 或扫描件读到第几页会显示在 stderr 上。"""
    pages = PageLine() if sys.stderr.isatty() else None  # a transient line, on a terminal only
    try:
        with _open(db_path, create=True) as db, _parsers(dask, workers) as (executor, count):
            batch = import_paths(db, paths, progress=pages, workers=count, executor=executor)
            results = [_echo_result(r, clear=pages) for r in batch]
    finally:  # Ctrl-C's line too begins on a clean line
        if pages is not None:
            pages.clear()
    echo(import_summary_zh(results))
    sys.exit(1 if any(r.failed for r in results) or not results else 0)


@cli.command()
@click.argument("file", type=click.Path(readable=False))
@click.option("--json", "as_json", is_flag=True, help="输出 docs/format.md 规定的 JSON")
def parse(file: str, as_json: bool) -> None:
    """解析一个报告文件并显示其内容（不写入数据库）。"""
    try:
        report = parse_file(file)
    except NianbaoError as exc:  # the reader's refusal names no file (OSError does: the handler's)
        _fail(file, exc)
    checks = run_checks(report)
    if as_json:
        data = report.to_json() | {"checks": [f.as_json() for f in checks]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    echo(
        f"{report.organ or '（机关未定）'} · {report.year or '年度未定'} · 格式 {report.format} 年版"
        f" · 地区 {report.region or '未定'}"
    )
    echo(f"发布日期 {report.published or '（未写明）'} · 统计期间 {report.period or '（未写明）'}")
    received = report.table3.get("new_received")
    if received and received[-1].value is not None:
        echo(f"本年新收政府信息公开申请 {received[-1].value} 件")
    for finding in checks:
        named = message_zh({"message_zh": finding.message_zh, "cells": list(finding.cells)}, report.format)
        echo(f"{severity_zh(finding.severity)} {finding.rule:<15} {named}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
@click.pass_obj
def list_(db_path: str, as_json: bool) -> None:
    """列出数据库里的报告：状态、错误和提示。

    顺序同应用的审核队列（错误多的在前），已移除的在最后。"""
    with _open(db_path) as db:
        rows = [row.as_json() for row in queries.listing(db)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    headers = ["id", "organ", "region", "region_code", "year", "status", "errors", "warnings", "file"]
    names = ["编号", "机关", "地区", "地区代码", "年度", "状态", "错误", "提示", "文件"]
    shown = [{**row, "status": status_zh(row["status"])} for row in rows]
    table = [names] + [[str(row[h]) if row[h] is not None else "—" for h in headers] for row in shown]
    widths = [max(_width(r[i]) for r in table) for i in range(len(headers))]
    for r in table:
        echo("  ".join(_pad(cell, w) for cell, w in zip(r, widths)).rstrip())
    echo(f"共 {len(rows)} 份报告")


@cli.command(name="publish")
@click.option(
    "--out",
    default="published",
    type=click.Path(),  # publish says in one line what is wrong with it
    help="存放 Datasette 文件和网站的文件夹（默认 published）",
)
@click.option("--include-unapproved", is_flag=True, help="发布全部报告，未批准的加标注")
@click.option("--full", is_flag=True, help="全部重建，而不只是上次发布以来有变化的")
@click.option(
    "--allow-removals",
    is_flag=True,
    help="网站将少掉报告或县时仍然发布（否则拒绝，并列出将消失的）",
)
@click.option(
    "--publisher",
    default=None,
    help="发布者，署名于每页页脚（默认：沿用上次发布的，否则为“本站编者”）",
)
@click.pass_obj
def publish_(
    db_path: str, out: str, include_unapproved: bool, full: bool, allow_removals: bool, publisher: str | None
) -> None:
    """发布已批准的报告：Datasette 文件夹和静态网站，整体替换。

    再次发布到同一文件夹时，只重建报告有变化的县。"""
    from nianbao.publish.run import publish

    with _open(db_path) as db:
        done = publish(
            db,
            Path(out),
            include_unapproved=include_unapproved,
            full=full,
            progress=echo,
            allow_removals=allow_removals,
            publisher=publisher,
        )
    _echo_published(done)


@cli.command()
@click.argument("out", default="published", type=click.Path(file_okay=False))
@click.option("--port", default=8001, help="端口（默认 8001）")
def serve(out: str, port: int) -> None:
    """用 Datasette 在 127.0.0.1 上只读地提供一个发布文件夹（网站在 /site/）。"""
    from nianbao.publish.datasette import DATABASE_FILE, serve_published_command, served_urls
    from nianbao.publish.serving import ServeError, free_port, serve_in_foreground

    if not (Path(out) / "datasette" / DATABASE_FILE).is_file():
        echo(f"{ERROR}{shown(out)}：这里没有发布的内容，先运行 nianbao publish --out {shown(out)}", err=True)
        sys.exit(1)
    try:
        free_port(port, tries=1)
    except ServeError:
        echo(f"{ERROR}端口 {port} 已被占用，请换一个：nianbao serve {shown(out)} --port {port + 1}", err=True)
        sys.exit(1)
    datasette, site = served_urls(port)
    echo(f"Datasette：{datasette}   网站：{site}   （Ctrl-C 停止）")
    sys.exit(serve_in_foreground(serve_published_command(Path(out), port=port)))


@cli.command()
@click.argument("stray", type=int)
@click.argument("into", type=int)
@click.option("--reason", required=True, help="理由，如：同一文件导入了两次")
@click.pass_obj
def merge(db_path: str, stray: int, into: int, reason: str) -> None:
    """把重复副本 STRAY 并入它重复的报告 INTO。

    两者的更正都保留，STRAY 被移除（留有记录）。"""
    with _open(db_path) as db:
        changes = review.merge(db, stray, into, reason)
    echo(f"报告 {stray} 已并入报告 {into}：沿用其更正 {len(changes)} 处；报告 {stray} 已移除")


def _echo_published(done) -> None:
    echo(done.summary())
    echo(f"  网站：{done.site}/index.html")
    echo(f"  Datasette：{done.datasette}/nianbao.db 及 metadata.json")
    echo(f"  同时提供两者：nianbao serve {done.out}   （或：python -m http.server -d {done.site}）")


@cli.command()
@click.option(
    "--out",
    default="nianbao-demo",
    type=click.Path(file_okay=False),
    help="演示数据库所在的文件夹（默认 nianbao-demo）",
)
def demo(out: str) -> None:
    """演示：导入随附的五份样例并发布。

    把五份样例导入新数据库，说明检查发现了什么，并在旁边发布（网站和 Datasette 文件）。"""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / DEFAULT_DB
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with as_file(files("nianbao.db") / "samples") as samples, _open(str(db_path), create=True) as db:
        names = sorted(p for p in Path(samples).glob("*.txt"))
        results = [_echo_result(r, show_path=Path(r.path).name) for r in import_paths(db, names)]
        echo("")
        for row in queries.new_received(db):
            place = f"{row.province}{row.prefecture or ''} {row.region_code}"
            echo(f"  {row.organ} {row.year}（{place}）：本年新收申请 {row.total} 件")
        found = queries.severity_counts(db)
        offered = queries.suggestion_count(db)
    echo(import_summary_zh(results))
    errors, warnings = found[Severity.ERROR], found[Severity.WARNING]
    echo(
        f"检查：{Severity.ERROR.zh} {errors} 个，{Severity.WARNING.zh} {warnings} 个；{offered} 个空白单元格可由表内合计推出建议值"
    )
    echo(f"\n数据库：{db_path}")
    echo("\n发布全部五份（都还没有批准，每份都标为未审核）：")
    from nianbao.publish.run import publish

    with _open(str(db_path)) as db:
        _echo_published(publish(db, folder / "published", include_unapproved=True))
    echo(
        f"下一步：nianbao --db {db_path} check   ·   nianbao --db {db_path} show 4   ·   nianbao --db {db_path}   （应用）"
    )
    sys.exit(1 if any(r.failed for r in results) else 0)


@cli.command()
@click.argument("reports", nargs=-1, type=int)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果")
@click.pass_obj
def check(db_path: str, reports: tuple[int, ...], as_json: bool) -> None:
    """重新检查报告（REPORTS，默认全部）并列出结果，错误在前。

    退出码：没有报告有错误时为 0，有错误时为 1（只有提示也是 0）。"""
    with _open(db_path) as db:
        ids = list(reports) or queries.active_report_ids(db)
        results = {}
        for report_id in ids:
            review.recheck(db, report_id)
            results[report_id] = (review.report_row(db, report_id), review.findings(db, report_id))
    if as_json:
        out = [
            {
                "report": rid,
                "organ": row["organ"],
                "year": row["year"],
                "status": row["status"],
                "findings": [_finding_json(f) for f in found],
            }
            for rid, (row, found) in results.items()
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        order = sorted(
            results.items(), key=lambda item: (-_count(item[1][1], Severity.ERROR), -len(item[1][1]), item[0])
        )
        for rid, (row, found) in order:
            if found:
                echo(f"报告 {rid}：{_organ(row)} {row['year'] or '年度未定'}（{status_zh(row['status'])}）")
            for f in found:
                echo(f"  {severity_zh(f['severity'])} {f['rule']:<15} {message_zh(f, row['format'])}")
    errors = sum(_count(found, Severity.ERROR) for _, found in results.values())
    warnings = sum(_count(found, Severity.WARNING) for _, found in results.values())
    flagged = sum(1 for _, found in results.values() if _count(found, Severity.ERROR))
    summary = f"检查了 {len(results)} 份报告：{flagged} 份有错误，共 {errors} 个错误，{warnings} 个提示"
    echo(summary, err=as_json)  # with --json, stdout holds only JSON
    sys.exit(1 if errors else 0)


@cli.command()
@click.argument("report", type=int)
@click.argument("cell")
@click.argument("value")
@click.option("--reason", required=True, help="理由：原文怎么写、在哪里")
@click.pass_obj
def correct(db_path: str, report: int, cell: str, value: str, reason: str) -> None:
    """更正一个单元格或报告的身份，随即重新检查。

    CELL 是单元格（如 table3.total.natural）或身份（organ、year、region_code、published）。

    解析出的原值保留；更正连同理由、操作人和时间一起记录。

    VALUE 是数字、不适用标记（/ — 无）或 blank（空白）。"""
    with _open(db_path) as db:
        change = review.correct(db, report, cell, value, reason)
    echo(
        f"报告 {report}：{cell_name(cell)} {_show(change.old)} → {_show(change.new)}；"
        f"错误 {change.errors_before} → {change.errors_after}"
    )


@cli.command()
@click.argument("report", type=int)
@click.argument("cells", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="报告的全部建议值（不给 CELLS 时即如此）")
@click.pass_obj
def accept(db_path: str, report: int, cells: tuple[str, ...], all_: bool) -> None:
    """采纳报告的建议值作为更正。

    全部，或 CELLS 的：每个单元格一条有记录的更正，在一个事务里完成。"""
    if all_ and cells:
        _usage("accept：--all 与单元格只能选一种")
    with _open(db_path) as db:
        changes = review.accept_suggestions(db, report, cells)
    for change in changes:
        echo(f"报告 {report}：{cell_name(change.cell)} {_show(change.old)} → {_show(change.new)}")
    after = changes[-1].errors_after if changes else "不变"
    echo(f"采纳建议值 {len(changes)} 个；现有错误 {after}")


@cli.command()
@click.argument("report", type=int)
@click.argument("cells", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="报告的全部空白单元格")
@click.option("--reason", required=True, help="理由：原文就是空白")
@click.pass_obj
def blank(db_path: str, report: int, cells: tuple[str, ...], all_: bool, reason: str) -> None:
    """把空白单元格记为“空白照录”。

    CELLS 或 --all：每个仍为空（绝不记 0），每个单元格一条记录，在一个事务里完成；它们的 CELL-MISSING 算作已审核。"""
    if all_ == bool(cells):
        _usage("blank：请给出单元格，或用 --all 表示全部空白单元格")
    with _open(db_path) as db:
        changes = review.record_blanks(db, report, cells, reason)
    after = changes[-1].errors_after if changes else "不变"
    echo(f"报告 {report}：空白照录 {len(changes)} 个单元格；现有错误 {after}")


@cli.command()
@click.argument("reports", nargs=-1, type=int, required=True)
@click.option("--override", metavar="REASON", help="仍有错误时也批准，须说明为何接受")
@click.pass_obj
def approve(db_path: str, reports: tuple[int, ...], override: str | None) -> None:
    """批准报告以便发布。

    要么全部批准，要么一份也不批准；仍有错误时须加 --override 理由。"""
    with _open(db_path) as db:
        try:
            review.approve_many(db, reports, override)
        except review.NeedsOverride as exc:  # the refusal names the way on
            echo(f"{ERROR}{exc}；确认无误请加 --override 理由", err=True)
            sys.exit(1)
        rows = [review.report_row(db, r) for r in reports]
    for row in rows:
        echo(f"报告 {row['id']}：{_organ(row)} {row['year'] or '年度未定'} 已批准")


@cli.command()
@click.argument("report", type=int)
@click.option("--reason", required=True, help="理由，如：报告 4 的重复副本")
@click.pass_obj
def remove(db_path: str, report: int, reason: str) -> None:
    """移除一份报告（如重复的副本）。

    状态变为“已移除”：它离开审核队列和下次发布，文件和记录保留。"""
    with _open(db_path) as db:
        review.remove(db, report, reason)
        row = review.report_row(db, report)
    echo(f"报告 {report}：{_organ(row)} {row['year'] or '年度未定'} 已移除（文件和记录保留）")


@cli.command()
@click.argument("report", type=int)
@click.argument("cell", required=False)
@click.option(
    "--image",
    type=click.Path(dir_okay=False, writable=True),
    help="与 CELL 同用：把该单元格在原文（PDF 页面或扫描件）中的图像写入这个 PNG 文件",
)
@click.pass_obj
def show(db_path: str, report: int, cell: str | None, image: str | None) -> None:
    """一份报告：身份、检查结果、建议值和修改记录。

    给出 CELL（如 table3.total.natural）时：这个值，以及它在原文中的位置；--image OUT.png
    把这个单元格在原文中的图像写成 PNG 文件。"""
    if image and not cell:
        echo(f"{ERROR}--image 需要指定单元格（如 table3.total.natural）", err=True)
        sys.exit(2)
    if cell and image:
        _write_cell_image(db_path, report, cell, image)
        return
    if cell:
        _show_cell(db_path, report, cell)
        return
    with _open(db_path) as db:
        row = review.report_row(db, report)
        found = review.findings(db, report)
        offered = queries.suggestions(db, report)
        trail = review.audit_trail(db, report)
    echo(f"报告 {report}：{_organ(row)} · {row['year'] or '年度未定'} · {status_zh(row['status'])}")
    echo(
        f"地区 {row['region'] or '—'} {row['region_code'] or ''} {row['province'] or ''}"
        f"{row['prefecture'] or ''}  （{row['region_note'] or ''}）"
    )
    echo(f"发布日期 {row['published'] or '—'} · 格式 {row['format']} 年版")
    for f in found:
        echo(f"  {severity_zh(f['severity'])} {f['rule']:<15} {message_zh(f, row['format'])}")
    for s in offered:
        echo(f"  建议值 {cell_name(s['cell'], row['format'])} = {s['value']}   （{s['derivation']}）")
    for t in trail:
        kind = TRAIL_KINDS.get(t["kind"], t["kind"])
        what = status_zh(t["what"]) if t["kind"] == "status" else cell_name(t["what"], row["format"])
        change = f" {_show(t['old_value'])} → {_show(t['new_value'])}" if t["kind"] == "correction" else ""
        reason = f" — {trail_reason_zh(t['reason'])}" if t["reason"] else ""
        echo(f"  {local_time(t['at'])} {t['who']}：{kind} {what}{change}{reason}")


def _show_cell(db_path: str, report: int, cell: str) -> None:
    with _open(db_path) as db:
        found = review.cell_source(db, report, cell)
    echo(f"报告 {report} {cell_name(cell)}（{cell}）= {_show(found.value)}   （原文：“{found.raw}”）")
    echo(f"来源（{FORMS_ZH.get(found.form, found.form)}）：{source_zh(found.source)}")
    if found.source and found.source.bbox:
        echo("页面上的位置：" + ", ".join(f"{x:.1f}" for x in found.source.bbox) + "（x0, top, x1, bottom；点）")
    for number, line in found.excerpt:
        marker = "▶" if found.source and number == found.source.line else " "
        echo(f"{marker} {number:>5} │ {line.replace(chr(9), ' ⇥ ')}")
    for c in found.corrections:
        old, new = _show(c["old_value"]), _show(c["new_value"])
        echo(f"更正 {old} → {new}（{c['who']}，{local_time(c['at'])}）：{c['reason']}")


def _write_cell_image(db_path: str, report: int, cell: str, out: str) -> None:
    from nianbao.db.crop import cell_png

    with _open(db_path) as db:
        png = cell_png(db, report, cell)
    Path(out).write_bytes(png)
    echo(f"报告 {report} {cell_name(cell)}（{cell}）的图像已写入 {out}")


# --- helpers -------------------------------------------------------------------------------------


def _count(found: list[dict], severity: Severity) -> int:
    return sum(1 for f in found if f["severity"] == severity)


def _finding_json(f: dict) -> dict:
    return {
        k: (json.loads(f[k]) if k == "cells" else f[k])
        for k in ("rule", "severity", "cells", "message", "message_zh", "expected", "found")
    }


def _show(value: object) -> str:
    return "空白" if value is None else str(value)


def _organ(row: dict) -> str:
    """The organ, or what stands in for it when the report did not say (never "None")."""
    return row["organ"] or "（机关未定）"


def _usage(message: str) -> None:
    echo(f"{ERROR}{message}", err=True)
    sys.exit(2)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _new_database_wanted(db_path: str) -> bool:
    """The app on a database that does not exist yet: a person at a terminal is asked, the name
    shown (a mistyped name is caught there); otherwise it is the error of the other commands."""
    if Path(db_path).exists() or not _interactive():
        return False
    return click.confirm(f"没有数据库 {db_path}。新建它并打开应用吗？", default=False)


def _open(db_path: str, create: bool = False):
    """The database; only the commands that fill one (import, demo) create it: elsewhere a
    mistyped --db is an error, not a new empty database."""
    if not create and not Path(db_path).exists():
        echo(f"{ERROR}{db_path}: 没有这个数据库，先用 nianbao import 导入报告", err=True)
        sys.exit(1)
    try:
        return connect(db_path)
    except NianbaoError as exc:  # a database of a newer nianbao: its message names no file
        _fail(db_path, exc)


def _fail(name: str, exc: NianbaoError) -> None:
    """A refusal about a file whose message does not name it: `错误：FILE: problem`, exit 1."""
    echo(f"{ERROR}{shown(name)}: {exc}", err=True)
    sys.exit(1)


@contextmanager
def _parsers(dask: str | None, workers: int | None):
    """The Dask cluster's executor and its size, or none (the import's own worker processes)."""
    if dask is None:
        yield None, workers
        return
    with dask_executor(dask) as cluster:  # not installed, no scheduler there: NianbaoError, one line
        yield cluster


# The label of a file that was imported with findings: something to review.
TO_REVIEW = "有待审核"


class PageLine:
    """ "第 37/199 页 FILE" on stderr while a long file is read, overwritten in place and cleared
    before each file's line; pages come from the workers' thread too, hence the lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shown = False

    def __call__(self, event: progress.Event) -> None:
        if isinstance(event, progress.PageRead):
            with self.lock:
                line = clean(f"第 {event.page}/{event.pages} 页 {shown(event.path)}")
                click.echo(f"\r\x1b[K{line}", nl=False, err=True)
                self.shown = True

    def clear(self) -> None:
        with self.lock:
            if self.shown:
                click.echo("\r\x1b[K", nl=False, err=True)
                self.shown = False


def _echo_result(result: FileResult, show_path: str | None = None, clear: PageLine | None = None) -> FileResult:
    """One line per file: '已导入    PATH → 报告 N：机关 年度', '有待审核  … （错误 1 个待审核）',
    '未变', '已替换', '失败      PATH: reason'."""
    path = show_path or result.path
    if clear is not None:
        clear.clear()
    if result.failed:
        echo(f"{_label(ImportStatus.FAILED.zh)}{path}: {result.message}")
        return result
    what = f"报告 {result.report_id}" if result.report_id else ""
    if result.organ:
        what += f"：{result.organ} {result.year or '年度未定'}"
    findings = [
        f"{severity.zh} {n} 个"
        for severity, n in ((Severity.ERROR, result.errors), (Severity.WARNING, result.warnings))
        if n
    ]
    label = TO_REVIEW if findings else import_status_zh(result.status)
    extra = f"（{'，'.join(findings)}待审核）" if findings else ""
    if result.message:
        extra += f" — {result.message}"
    echo(f"{_label(label)}{path} → {what}{extra}")
    return result


def _label(label: str) -> str:
    """A file line's status, padded to the widest one's columns."""
    return _pad(label, _width(TO_REVIEW) + 2)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> None:
    """The console script. Every command's errors become one line in NianbaoGroup.invoke, the one
    handler, which click's test runner reaches too."""
    cli(prog_name="nianbao")


if __name__ == "__main__":
    main()
