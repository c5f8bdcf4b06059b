"""The `nianbao` command line. It calls db/ (and later publish/), and turns the project's errors
into one line naming the file and the problem. Textual is imported only to start the app."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import unicodedata
from contextlib import ExitStack, contextmanager
from importlib.resources import as_file, files
from pathlib import Path

import click

from nianbao.db import faults, progress, review
from nianbao.db.checks import run_checks
from nianbao.db.errors import NianbaoError
from nianbao.db.filenames import shown
from nianbao.db.pipeline import FileResult, import_paths, parse_file, summarize
from nianbao.db.schema import connect
from nianbao.db.vocabulary import FORMS_ZH, TRAIL_KINDS, cell_name, message_zh, severity_zh, source_zh, status_zh
from nianbao.db.wording import counted
from nianbao.db.workers import dask_executor
from nianbao.publish.untrusted import clean
from nianbao.tui.timefmt import local_time

DEFAULT_DB = "nianbao.db"


def echo(message: object = "", **kwargs) -> None:
    """click.echo for lines that may hold report or file text: its control characters would be
    commands to the terminal (ESC sequences), its invisible ones would make it read otherwise.
    (JSON output is written as is: json.dumps escapes control characters.)"""
    click.echo(clean(str(message)), **kwargs)


class NianbaoGroup(click.Group):
    """The command group that turns a fault of the machine (a locked, full or damaged database,
    a disk that is full, a folder that cannot be written) and Ctrl-C into one line: sqlite-utils'
    habit, with the database's name and what to do."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader of the output went away (`nianbao list | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit either
            ctx.exit(1)
        except (OSError, sqlite3.Error) as exc:
            echo(f"Error: {faults.describe(exc, ctx.obj)}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            echo("已中断 — interrupted (Ctrl-C): what was finished is kept, the step in hand was undone", err=True)
            ctx.exit(130)


@click.group(cls=NianbaoGroup, invoke_without_command=True)
@click.option(
    "--db",
    "db_path",
    envvar="NIANBAO_DB",
    default=DEFAULT_DB,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Database file (or set NIANBAO_DB).",
)
@click.version_option(package_name="nianbao")
@click.pass_context
def cli(ctx: click.Context, db_path: str) -> None:
    """nianbao (年报): annual reports on open government information, from files to checked data.

    With no command, opens the operator's app.
    """
    ctx.obj = db_path
    if ctx.invoked_subcommand is None:
        from nianbao.tui.app import NianbaoApp  # Textual only for the app

        _open(db_path).close()  # a damaged file or a newer nianbao's: one line, before the screen
        app = NianbaoApp(db_path)
        app.run()
        sys.exit(app.return_code or 0)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(readable=False))  # a file read says why
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Processes parsing files side by side (default: one per core when there are PDFs, else 1).",
)
@click.option(
    "--dask",
    metavar="ADDRESS",
    help="Parse on a Dask cluster: a scheduler's address (tcp://host:8786) or `local` (needs nianbao[dask]).",
)
@click.pass_obj
def import_(db_path: str, paths: tuple[str, ...], workers: int | None, dask: str | None) -> None:
    """Import report files, or folders of them (searched recursively)."""
    pages = PageLine() if sys.stderr.isatty() else None  # a transient line, on a terminal only
    try:
        with _open(db_path, create=True) as db, _parsers(dask, workers) as (executor, count):
            batch = import_paths(db, paths, progress=pages, workers=count, executor=executor)
            results = _guard(lambda: [_echo_result(r, clear=pages) for r in batch])
    finally:  # Ctrl-C's line too begins on a clean line
        if pages is not None:
            pages.clear()
    _echo_summary(results)
    sys.exit(1 if any(r.failed for r in results) or not results else 0)


@cli.command()
@click.argument("file", type=click.Path(readable=False))
@click.option("--json", "as_json", is_flag=True, help="Print the canonical JSON of docs/format.md.")
def parse(file: str, as_json: bool) -> None:
    """Parse one report file and print what it says (nothing is stored)."""
    try:
        report = parse_file(file)
    except (NianbaoError, OSError) as exc:
        _fail(file, exc)
    checks = run_checks(report)
    if as_json:
        data = report.to_json() | {"checks": [f.as_json() for f in checks]}
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    echo(f"{report.organ} · {report.year} · format {report.format} · region {report.region}")
    echo(f"published {report.published or '(no date)'} · period {report.period or '(not stated)'}")
    received = report.table3.get("new_received")
    if received and received[-1].value is not None:
        echo(f"applications received: {received[-1].value}")
    for finding in checks:
        echo(f"{finding.severity:<8} {finding.rule:<15} {finding.message}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_obj
def list_(db_path: str, as_json: bool) -> None:
    """List the reports in the database."""
    with _open(db_path) as db:
        rows = list(
            db.query(
                "SELECT r.id, r.organ, r.region, r.region_code, r.year, r.format, r.status,"
                " (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.severity = 'error') AS errors,"
                " (SELECT count(*) FROM findings f WHERE f.report_id = r.id AND f.severity = 'warning') AS warnings,"
                " d.name AS file FROM reports r JOIN documents d ON d.sha256 = r.document"
                " ORDER BY r.year DESC, r.organ"
            )
        )
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
    show_default=True,
    type=click.Path(),  # publish says in one line what is wrong with it
    help="Folder for the Datasette files and the site.",
)
@click.option("--include-unapproved", is_flag=True, help="Publish every report; those not approved are marked.")
@click.option("--full", is_flag=True, help="Build everything anew, not just what changed since the last publish.")
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Publish even when the live site would lose reports or counties (otherwise refused, saying which).",
)
@click.pass_obj
def publish_(db_path: str, out: str, include_unapproved: bool, full: bool, allow_removals: bool) -> None:
    """Publish the approved reports: a Datasette directory and a static site, swapped in whole.
    Publishing again into the same folder builds only the counties whose reports changed."""
    from nianbao.publish.run import publish

    with _open(db_path) as db:
        done = _guard(
            publish,
            db,
            Path(out),
            include_unapproved=include_unapproved,
            full=full,
            progress=echo,
            allow_removals=allow_removals,
        )
    _echo_published(done)


@cli.command()
@click.argument("out", default="published", type=click.Path(file_okay=False, exists=True))
@click.option("--port", default=8001, show_default=True)
def serve(out: str, port: int) -> None:
    """Serve a published folder with Datasette, read-only, on 127.0.0.1 (the site at /site/)."""
    from nianbao.publish.datasette import serve_published_command, served_urls
    from nianbao.publish.serving import serve_in_foreground

    datasette, site = served_urls(port)
    echo(f"Datasette: {datasette}   the site: {site}")
    sys.exit(serve_in_foreground(serve_published_command(Path(out), port=port)))


@cli.command()
@click.argument("stray", type=int)
@click.argument("into", type=int)
@click.option("--reason", required=True, help="Why: e.g. the same file imported twice.")
@click.pass_obj
def merge(db_path: str, stray: int, into: int, reason: str) -> None:
    """Merge a stray copy (STRAY) into the report it duplicates (INTO): corrections of both are kept,
    the stray is removed (a tombstone)."""
    with _open(db_path) as db:
        changes = _guard(review.merge, db, stray, into, reason)
    echo(f"报告 {stray} 已并入报告 {into}：沿用其更正 {len(changes)} 处；报告 {stray} 已移除")


def _echo_published(done) -> None:
    echo(done.summary())
    echo(f"  site:      {done.site}/index.html")
    echo(f"  datasette: {done.datasette}/nianbao.db with metadata.json")
    echo(f"  serve both: nianbao serve {done.out}   (or: python -m http.server -d {done.site})")


@cli.command()
@click.option(
    "--out",
    default="nianbao-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo database.",
)
def demo(out: str) -> None:
    """Import the five bundled samples into a fresh database, say what the checks found, and
    publish them (site and Datasette files) beside it."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / DEFAULT_DB
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with as_file(files("nianbao.db") / "samples") as samples, _open(str(db_path), create=True) as db:
        names = sorted(p for p in Path(samples).glob("*.txt"))
        results = [_echo_result(r, show_path=Path(r.path).name) for r in import_paths(db, names)]
        echo("")
        for row in db.query(
            "SELECT r.organ, r.year, r.region_code, r.province, r.prefecture, t.total FROM reports r"
            " JOIN table3_wide t ON t.report_id = r.id WHERE t.row_key = 'new_received' ORDER BY r.id"
        ):
            place = f"{row['province']}{row['prefecture'] or ''} {row['region_code']}"
            echo(f"  {row['organ']} {row['year']} ({place}): {row['total']} applications received")
        found = dict(db.execute("SELECT severity, count(*) FROM findings GROUP BY severity").fetchall())
        offered = db["suggestions"].count
    _echo_summary(results)
    echo(
        f"Checks: {', '.join(counted(found.get('error', 0), 'error') + counted(found.get('warning', 0), 'warning')) or 'nothing found'};"
        f" {offered} blank cells have a value the table's sums suggest"
    )
    echo(f"\nDatabase: {db_path}")
    echo("\nPublishing all five (none is approved yet, so each is marked as not reviewed):")
    from nianbao.publish.run import publish

    with _open(str(db_path)) as db:
        _echo_published(_guard(publish, db, folder / "published", include_unapproved=True))
    echo(
        f"Next: nianbao --db {db_path} check   ·   nianbao --db {db_path} show 4   ·   nianbao --db {db_path}   (the app)"
    )
    sys.exit(1 if any(r.failed for r in results) else 0)


@cli.command()
@click.argument("reports", nargs=-1, type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_obj
def check(db_path: str, reports: tuple[int, ...], as_json: bool) -> None:
    """Re-run the checks and list what they found, errors first.

    Exit status: 0 when no report has an error, 1 when some do (warnings alone give 0)."""
    with _open(db_path) as db:
        ids = list(reports) or [
            r[0] for r in db.execute("SELECT id FROM reports WHERE status != 'removed' ORDER BY id").fetchall()
        ]
        results = {}
        for report_id in ids:
            _guard(review.recheck, db, report_id)
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
        order = sorted(results.items(), key=lambda item: (-_count(item[1][1], "error"), -len(item[1][1]), item[0]))
        for rid, (row, found) in order:
            if found:
                echo(f"报告 {rid}：{_organ(row)} {row['year'] or '年度未定'}（{status_zh(row['status'])}）")
            for f in found:
                echo(f"  {severity_zh(f['severity'])} {f['rule']:<15} {message_zh(f, row['format'])}")
    errors = sum(_count(found, "error") for _, found in results.values())
    warnings = sum(_count(found, "warning") for _, found in results.values())
    flagged = sum(1 for _, found in results.values() if _count(found, "error"))
    summary = f"检查了 {len(results)} 份报告：{flagged} 份有错误，共 {errors} 个错误，{warnings} 个提示"
    echo(summary, err=as_json)  # with --json, stdout holds only JSON
    sys.exit(1 if errors else 0)


@cli.command()
@click.argument("report", type=int)
@click.argument("cell")
@click.argument("value")
@click.option("--reason", required=True, help="Why: what the source says, and where.")
@click.pass_obj
def correct(db_path: str, report: int, cell: str, value: str, reason: str) -> None:
    """Correct one cell (e.g. table3.total.natural) of a report; the checks re-run at once.

    The parsed value is kept; the correction is recorded with the reason, who and when.
    VALUE is a number, a not-applicable mark (/ — 无) or 'blank'."""
    with _open(db_path) as db:
        change = _guard(review.correct, db, report, cell, value, reason)
    echo(
        f"报告 {report}：{cell_name(cell)} {_show(change.old)} → {_show(change.new)}；"
        f"错误 {change.errors_before} → {change.errors_after}"
    )


@cli.command()
@click.argument("report", type=int)
@click.argument("cells", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every suggested value of the report (the default without CELLS).")
@click.pass_obj
def accept(db_path: str, report: int, cells: tuple[str, ...], all_: bool) -> None:
    """Accept the suggested values of a report (all, or those of CELLS) as corrections: one audited
    correction per cell, in one transaction."""
    if all_ and cells:
        _usage("accept：--all 与单元格只能选一种 (--all or CELLS, not both)")
    with _open(db_path) as db:
        changes = _guard(review.accept_suggestions, db, report, cells)
    for change in changes:
        echo(f"报告 {report}：{cell_name(change.cell)} {_show(change.old)} → {_show(change.new)}")
    after = changes[-1].errors_after if changes else "不变"
    echo(f"采纳建议值 {len(changes)} 个；现有错误 {after}")


@cli.command()
@click.argument("report", type=int)
@click.argument("cells", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every blank cell of the report.")
@click.option("--reason", required=True, help="Why the blanks stand: what the source shows.")
@click.pass_obj
def blank(db_path: str, report: int, cells: tuple[str, ...], all_: bool, reason: str) -> None:
    """Record blank cells as blank as printed (CELLS, or --all): each stays null (never 0), one
    audited change per cell in one transaction; their CELL-MISSING findings count as reviewed."""
    if all_ == bool(cells):
        _usage("blank：请给出单元格，或用 --all 表示全部空白单元格 (CELLS or --all)")
    with _open(db_path) as db:
        changes = _guard(review.record_blanks, db, report, cells, reason)
    after = changes[-1].errors_after if changes else "不变"
    echo(f"报告 {report}：空白照录 {len(changes)} 个单元格；现有错误 {after}")


@cli.command()
@click.argument("reports", nargs=-1, type=int, required=True)
@click.option("--override", metavar="REASON", help="Approve despite open errors, saying why.")
@click.pass_obj
def approve(db_path: str, reports: tuple[int, ...], override: str | None) -> None:
    """Approve reports for publication, all or none (open errors need --override REASON)."""
    with _open(db_path) as db:
        try:
            review.approve_many(db, reports, override)
        except review.NeedsOverride as exc:
            echo(f"Error: {exc}；确认无误请加 --override 理由 (add --override REASON to approve anyway)", err=True)
            sys.exit(1)
        except NianbaoError as exc:
            echo(f"Error: {exc}", err=True)
            sys.exit(1)
        rows = [review.report_row(db, r) for r in reports]
    for row in rows:
        echo(f"报告 {row['id']}：{_organ(row)} {row['year'] or '年度未定'} 已批准")


@cli.command()
@click.argument("report", type=int)
@click.option("--reason", required=True, help="Why it goes: e.g. a stray copy of report 4.")
@click.pass_obj
def remove(db_path: str, report: int, reason: str) -> None:
    """Remove a report: a tombstone (status removed). It leaves the queue and the next publish;
    its file and audit trail are kept."""
    with _open(db_path) as db:
        _guard(review.remove, db, report, reason)
        row = review.report_row(db, report)
    echo(f"报告 {report}：{_organ(row)} {row['year'] or '年度未定'} 已移除（文件和记录保留）")


@cli.command()
@click.argument("report", type=int)
@click.argument("cell", required=False)
@click.pass_obj
def show(db_path: str, report: int, cell: str | None) -> None:
    """A report: identity, findings, suggested values and the audit trail.

    With CELL (e.g. table3.total.natural): that value and where it is printed in the source."""
    if cell:
        _show_cell(db_path, report, cell)
        return
    with _open(db_path) as db:
        row = _guard(review.report_row, db, report)
        found = review.findings(db, report)
        offered = list(db.query("SELECT * FROM suggestions WHERE report_id = ? ORDER BY cell", [report]))
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
        reason = f" — {t['reason']}" if t["reason"] else ""
        echo(f"  {local_time(t['at'])} {t['who']}：{kind} {what}{change}{reason}")


def _show_cell(db_path: str, report: int, cell: str) -> None:
    with _open(db_path) as db:
        found = _guard(review.cell_source, db, report, cell)
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


# --- helpers -------------------------------------------------------------------------------------


def _guard(action, *args, **kwargs):
    """Run an operator action; its refusal becomes one line and exit 1."""
    try:
        return action(*args, **kwargs)
    except NianbaoError as exc:
        echo(f"Error: {exc}", err=True)
        sys.exit(1)


def _count(found: list[dict], severity: str) -> int:
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
    echo(f"Error: {message}", err=True)
    sys.exit(2)


def _open(db_path: str, create: bool = False):
    """The database; only the commands that fill one (import, demo) create it: elsewhere a
    mistyped --db is an error, not a new empty database."""
    if not create and not Path(db_path).exists():
        echo(f"Error: {db_path}: 没有这个数据库，先用 nianbao import 导入报告 (no such database)", err=True)
        sys.exit(1)
    try:
        return connect(db_path)
    except NianbaoError as exc:  # a database of a newer nianbao
        _fail(db_path, exc)
    except (sqlite3.Error, OSError) as exc:  # a folder, a file that is not a database, no permission
        echo(f"Error: {faults.describe(exc, db_path)}", err=True)
        sys.exit(1)


def _fail(name: str, exc: BaseException) -> None:
    message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    echo(f"Error: {shown(name)}: {message}", err=True)
    sys.exit(1)


@contextmanager
def _parsers(dask: str | None, workers: int | None):
    """The Dask cluster's executor and its size, or none (the import's own worker processes)."""
    if dask is None:
        yield None, workers
        return
    with ExitStack() as stack:
        try:
            executor, count = stack.enter_context(dask_executor(dask))
        except NianbaoError as exc:  # not installed, no scheduler there: one line
            echo(f"Error: {exc}", err=True)
            sys.exit(1)
        yield executor, count


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
    path = show_path or result.path
    if clear is not None:
        clear.clear()
    if result.failed:
        echo(f"failed    {path}: {result.message}")
        return result
    what = f"report {result.report_id}" if result.report_id else ""
    if result.organ:
        what += f": {result.organ} {result.year}"
    findings = counted(result.errors, "error") + counted(result.warnings, "warning")
    label = "warnings" if findings else result.status
    extra = f" ({', '.join(findings)} to review)" if findings else ""
    if result.message:
        extra += f" — {result.message}"
    echo(f"{label:<9} {path} → {what}{extra}")
    return result


def _echo_summary(results: list[FileResult]) -> None:
    echo(summarize(results))


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> None:
    cli(prog_name="nianbao")


if __name__ == "__main__":
    main()
