"""The `nianbao` command line. It calls db/ (and later publish/), and turns the project's errors
into one line naming the file and the problem. Textual is imported only to start the app."""

from __future__ import annotations

import json
import sqlite3
import sys
import unicodedata
from importlib.resources import as_file, files
from pathlib import Path

import click

from db.errors import NianbaoError
from db.pipeline import FileResult, import_paths, parse_file
from db.schema import connect

DEFAULT_DB = "nianbao.db"


@click.group(invoke_without_command=True)
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
        from tui.app import NianbaoApp  # Textual only for the app

        NianbaoApp(db_path).run()


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.pass_obj
def import_(db_path: str, paths: tuple[str, ...]) -> None:
    """Import report files, or folders of them (searched recursively)."""
    with _open(db_path) as db:
        results = [_echo_result(r) for r in import_paths(db, paths)]
    _echo_summary(results)
    sys.exit(1 if any(r.failed for r in results) or not results else 0)


@cli.command()
@click.argument("file", type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the canonical JSON of FORMAT.md.")
def parse(file: str, as_json: bool) -> None:
    """Parse one report file and print what it says (nothing is stored)."""
    try:
        report = parse_file(file)
    except (NianbaoError, OSError) as exc:
        _fail(file, exc)
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
        return
    click.echo(f"{report.organ} · {report.year} · format {report.format} · region {report.region}")
    click.echo(f"published {report.published or '(no date)'} · period {report.period or '(not stated)'}")
    received = report.table3.get("new_received")
    if received and received[-1].value is not None:
        click.echo(f"applications received: {received[-1].value}")
    for note in report.notes:
        click.echo(f"note: {', '.join(note.cells)}: {note.message}")


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_obj
def list_(db_path: str, as_json: bool) -> None:
    """List the reports in the database."""
    with _open(db_path) as db:
        rows = list(
            db.query(
                "SELECT r.id, r.organ, r.region, r.year, r.format, r.status,"
                " (SELECT count(*) FROM parse_notes n WHERE n.report_id = r.id) AS notes,"
                " d.name AS file FROM reports r JOIN documents d ON d.sha256 = r.document"
                " ORDER BY r.year DESC, r.organ"
            )
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    headers = ["id", "organ", "region", "year", "format", "status", "notes", "file"]
    table = [headers] + [[str(row[h]) if row[h] is not None else "—" for h in headers] for row in rows]
    widths = [max(_width(r[i]) for r in table) for i in range(len(headers))]
    for r in table:
        click.echo("  ".join(_pad(cell, w) for cell, w in zip(r, widths)).rstrip())
    click.echo(f"{len(rows)} report{'s' if len(rows) != 1 else ''}")


@cli.command()
@click.option(
    "--out",
    default="nianbao-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the demo database.",
)
def demo(out: str) -> None:
    """Import the five bundled sample reports into a fresh database and say what was found."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / DEFAULT_DB
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    with as_file(files("db") / "samples") as samples, _open(str(db_path)) as db:
        names = sorted(p for p in Path(samples).glob("*.txt"))
        results = [_echo_result(r, show_path=Path(r.path).name) for r in import_paths(db, names)]
        click.echo("")
        for row in db.query(
            "SELECT r.organ, r.year, t.total FROM reports r JOIN table3_wide t ON t.report_id = r.id"
            " WHERE t.row_key = 'new_received' ORDER BY r.id"
        ):
            click.echo(f"  {row['organ']} {row['year']}: {row['total']} applications received")
    _echo_summary(results)
    click.echo(f"\nDatabase: {db_path}")
    click.echo(f"Next: nianbao --db {db_path} list   ·   nianbao --db {db_path}   (the app)")
    sys.exit(1 if any(r.failed for r in results) else 0)


# --- helpers -------------------------------------------------------------------------------------


def _open(db_path: str):
    try:
        return connect(db_path)
    except (sqlite3.Error, OSError) as exc:  # a folder, a file that is not a database, no permission
        _fail(db_path, exc)


def _fail(name: str, exc: BaseException) -> None:
    message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    click.echo(f"Error: {name}: {message}", err=True)
    sys.exit(1)


def _echo_result(result: FileResult, show_path: str | None = None) -> FileResult:
    path = show_path or result.path
    if result.failed:
        click.echo(f"failed    {path}: {result.message}")
        return result
    what = f"report {result.report_id}" if result.report_id else ""
    if result.organ:
        what += f": {result.organ} {result.year}"
    label = "warnings" if result.warnings else result.status
    extra = f" ({result.warnings} to review)" if result.warnings else ""
    if result.message and result.status != "imported":
        extra += f" — {result.message}"
    click.echo(f"{label:<9} {path} → {what}{extra}")
    return result


def _echo_summary(results: list[FileResult]) -> None:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    detail = ", ".join(f"{n} {status}" for status, n in counts.items())
    warned = sum(1 for r in results if r.warnings and not r.failed)
    click.echo(
        f"{len(results)} file{'s' if len(results) != 1 else ''}: {detail or 'nothing to import'}"
        + (f"; {warned} with warnings" if warned else "")
    )


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def main() -> None:
    cli(prog_name="nianbao")


if __name__ == "__main__":
    main()
