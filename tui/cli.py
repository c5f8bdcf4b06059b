"""The `nianbao` command line. It calls db/ (and later publish/), and turns the project's errors
into one line naming the file and the problem. Textual is imported only to start the app."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import unicodedata
from importlib.resources import as_file, files
from pathlib import Path

import click

from nianbao.db import faults, review
from nianbao.db.checks import run_checks
from nianbao.db.errors import NianbaoError
from nianbao.db.filenames import shown
from nianbao.db.pipeline import FileResult, import_paths, parse_file, summarize
from nianbao.db.schema import connect
from nianbao.db.wording import counted, plural
from nianbao.publish.untrusted import clean

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
@click.pass_obj
def import_(db_path: str, paths: tuple[str, ...], workers: int | None) -> None:
    """Import report files, or folders of them (searched recursively)."""
    with _open(db_path) as db:
        results = [_echo_result(r) for r in import_paths(db, paths, workers=workers)]
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
    table = [headers] + [[str(row[h]) if row[h] is not None else "—" for h in headers] for row in rows]
    widths = [max(_width(r[i]) for r in table) for i in range(len(headers))]
    for r in table:
        echo("  ".join(_pad(cell, w) for cell, w in zip(r, widths)).rstrip())
    echo(plural(len(rows), "report"))


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
@click.pass_obj
def publish_(db_path: str, out: str, include_unapproved: bool, full: bool) -> None:
    """Publish the approved reports: a Datasette directory and a static site, swapped in whole.
    Publishing again into the same folder builds only the counties whose reports changed."""
    from nianbao.publish.run import publish

    with _open(db_path) as db:
        done = _guard(publish, db, Path(out), include_unapproved=include_unapproved, full=full, progress=echo)
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
    with as_file(files("nianbao.db") / "samples") as samples, _open(str(db_path)) as db:
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
        ids = list(reports) or [r[0] for r in db.execute("SELECT id FROM reports ORDER BY id").fetchall()]
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
                echo(f"report {rid}: {row['organ']} {row['year']} ({row['status']})")
            for f in found:
                echo(f"  {f['severity']:<8} {f['rule']:<15} {f['message']}")
    errors = sum(_count(found, "error") for _, found in results.values())
    warnings = sum(_count(found, "warning") for _, found in results.values())
    flagged = sum(1 for _, found in results.values() if _count(found, "error"))
    summary = (
        f"{plural(len(results), 'report')} checked: {plural(errors, 'error')} in {flagged},"
        f" {plural(warnings, 'warning')}"
    )
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
        f"report {report}: {cell} {_show(change.old)} → {_show(change.new)}; "
        f"errors {change.errors_before} → {change.errors_after}"
    )


@cli.command()
@click.argument("report", type=int)
@click.argument("cells", nargs=-1)
@click.pass_obj
def accept(db_path: str, report: int, cells: tuple[str, ...]) -> None:
    """Accept the suggested values of a report (all, or those of CELLS) as corrections."""
    with _open(db_path) as db:
        changes = _guard(review.accept_suggestions, db, report, cells)
    for change in changes:
        echo(f"report {report}: {change.cell} {_show(change.old)} → {_show(change.new)}")
    after = changes[-1].errors_after if changes else "unchanged"
    echo(f"{plural(len(changes), 'suggestion')} accepted; errors now {after}")


@cli.command()
@click.argument("report", type=int)
@click.option("--override", metavar="REASON", help="Approve despite open errors, saying why.")
@click.pass_obj
def approve(db_path: str, report: int, override: str | None) -> None:
    """Approve a report for publication (open errors need --override REASON)."""
    with _open(db_path) as db:
        _guard(review.approve, db, report, override)
        row = review.report_row(db, report)
    echo(f"report {report}: {row['organ']} {row['year']} approved")


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
    echo(f"report {report}: {row['organ']} · {row['year']} · {row['status']}")
    echo(
        f"region {row['region'] or '—'} {row['region_code'] or ''} {row['province'] or ''}"
        f"{row['prefecture'] or ''}  ({row['region_note'] or ''})"
    )
    echo(f"published {row['published'] or '—'} · format {row['format']}")
    for f in found:
        echo(f"  {f['severity']:<8} {f['rule']:<15} {f['message']}")
    for s in offered:
        echo(f"  suggest  {s['cell']} = {s['value']}   ({s['derivation']})")
    for t in trail:
        change = f" {_show(t['old_value'])} → {_show(t['new_value'])}" if t["kind"] == "correction" else ""
        echo(f"  {t['at']} {t['who']}: {t['kind']} {t['what']}{change}" + (f" — {t['reason']}" if t["reason"] else ""))


def _show_cell(db_path: str, report: int, cell: str) -> None:
    with _open(db_path) as db:
        found = _guard(review.cell_source, db, report, cell)
    echo(f"report {report} {cell} = {_show(found.value)}   (printed: “{found.raw}”)")
    echo(f"source ({found.form}): {found.source.describe() if found.source else 'unknown'}")
    if found.source and found.source.bbox:
        echo("box on the page: " + ", ".join(f"{x:.1f}" for x in found.source.bbox) + " (x0, top, x1, bottom; points)")
    for number, line in found.excerpt:
        marker = "▶" if found.source and number == found.source.line else " "
        echo(f"{marker} {number:>5} │ {line.replace(chr(9), ' ⇥ ')}")
    for c in found.corrections:
        echo(f"corrected {_show(c['old_value'])} → {_show(c['new_value'])} by {c['who']} at {c['at']}: {c['reason']}")


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
    return "blank" if value is None else str(value)


def _open(db_path: str):
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


def _echo_result(result: FileResult, show_path: str | None = None) -> FileResult:
    path = show_path or result.path
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
