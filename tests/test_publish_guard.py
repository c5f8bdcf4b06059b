"""Nothing replaced silently: a publish that leaves the live site with fewer reports or counties
says what would disappear, and needs --allow-removals (CLI) or the operator's confirmation (app)."""

from __future__ import annotations

import asyncio
import sqlite3

from click.testing import CliRunner
from textual.widgets import Input

from nianbao.db import review
from nianbao.db.pipeline import import_paths
from nianbao.db.schema import connect
from nianbao.tui.app import NianbaoApp
from nianbao.tui.cli import cli
from nianbao.tui.screens.dialogs import ConfirmDialog
from nianbao.tui.screens.publishing import PublishScreen
from nianbao.tui.widgets.step_log import StepLog
from tests.app_pilot import until
from tests.helpers import SAMPLE_NAMES, sample_path


def publish_args(db_path, out, *extra: str) -> list[str]:
    return ["--db", str(db_path), "publish", "--out", str(out), "--include-unapproved", *extra]


def live_reports(out) -> int:
    with sqlite3.connect(out / "datasette" / "nianbao.db") as live:
        return live.execute("SELECT count(*) FROM reports").fetchone()[0]


def test_an_empty_database_does_not_replace_a_live_site(tmp_path):
    full, empty, out = tmp_path / "full.db", tmp_path / "empty.db", tmp_path / "out"
    with connect(str(full)) as db:
        list(import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))
    connect(str(empty)).close()
    assert CliRunner().invoke(cli, publish_args(full, out)).exit_code == 0
    refused = CliRunner().invoke(cli, publish_args(empty, out))
    assert refused.exit_code == 1 and "Traceback" not in refused.output
    assert refused.stderr.startswith("错误：网站现有 5 份报告、5 个县，这次发布只有 0 份、0 个县；将消失：")
    assert "--allow-removals" in refused.stderr
    assert live_reports(out) == 5  # the live site as it was
    allowed = CliRunner().invoke(cli, publish_args(empty, out, "--allow-removals"))
    assert allowed.exit_code == 0 and live_reports(out) == 0


def test_removing_a_report_needs_the_removal_allowed(tmp_path):
    db_path, out = tmp_path / "n.db", tmp_path / "out"
    with connect(str(db_path)) as db:
        ids = [r.report_id for r in import_paths(db, [sample_path(n) for n in SAMPLE_NAMES])]
    CliRunner().invoke(cli, publish_args(db_path, out))
    with connect(str(db_path)) as db:
        review.remove(db, ids[-1], "重复")
        organ = review.report_row(db, ids[-1])["organ"]
    refused = CliRunner().invoke(cli, publish_args(db_path, out))
    assert refused.exit_code == 1 and f"将消失：{organ}" in refused.stderr
    assert live_reports(out) == 5
    assert CliRunner().invoke(cli, publish_args(db_path, out, "--allow-removals")).exit_code == 0
    assert live_reports(out) == 4


def test_the_app_asks_before_a_publish_removes_reports(tmp_path, monkeypatch):
    full, empty, out = tmp_path / "full.db", tmp_path / "empty.db", tmp_path / "out"
    with connect(str(full)) as db:
        list(import_paths(db, [sample_path(n) for n in SAMPLE_NAMES]))
    connect(str(empty)).close()
    assert CliRunner().invoke(cli, publish_args(full, out)).exit_code == 0

    async def steps(app, pilot):
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, PublishScreen))
        app.screen.query_one("#out", Input).value = str(out)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.question
        await pilot.press("enter")  # the focus is on 取消
        await until(pilot, lambda: isinstance(app.screen, PublishScreen))
        kept = live_reports(out)
        await pilot.pause()
        steps = app.screen.query_one(StepLog)
        refusal = (steps.written[-1], steps.shown())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#ok")
        await until(pilot, lambda: isinstance(app.screen, PublishScreen) and app.screen.published is not None)
        return question, kept, refusal, app.screen.query_one(StepLog).written

    async def go():
        app = NianbaoApp(str(empty))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    question, kept, (said, shown), log = asyncio.run(go())
    assert question.startswith("网站现有 5 份报告、5 个县，这次发布只有 0 份、0 个县；将消失：")
    assert kept == 5  # cancelled: the live site as it was
    # The refusal is longer than the 80-column screen: wrapped onto lines of the log, none cut off.
    assert said.startswith("未发布：网站现有 5 份报告") and len(said) > 80
    assert len(shown) > 1 and "".join(shown).replace(" ", "") == said.replace(" ", "")
    assert log[-1].startswith("已发布 0 份报告") and live_reports(out) == 0
