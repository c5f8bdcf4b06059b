"""Rules across years of one organ: YEAR-CARRY (applications carried over) and T2-STOCK (the
stock of rules and normative documents in force)."""

from __future__ import annotations

from collections.abc import Iterable

from nianbao.db.checks.registry import ERROR, WARNING, Context, Finding, rule
from nianbao.db.format import TABLE2_STOCK_ROWS, TABLE3_COLUMNS, cell_path

# The cells compared, built once: (carried over this year, carried forward last year) by column.
_CARRIED = tuple(
    (column, cell_path("table3", "carried_over", column.key), cell_path("table3", "carried_forward", column.key))
    for column in TABLE3_COLUMNS
)
# Per stock row: its label and its cells (in force, made, repealed).
_STOCKS = tuple(
    (row.label, tuple(cell_path("table2", f.key) for f in (in_force, made, repealed)))
    for row in TABLE2_STOCK_ROWS
    for made, repealed, in_force in [row.fields]
)


@rule(
    "YEAR-CARRY",
    ERROR,
    "Carried over = last year's carried forward",
    "上年结转与上年报告衔接",
    "Applications carried over into this year (二、上年结转) must equal, column by column, those the same organ's "
    "report for the previous year carried forward (四、结转下年度继续办理).",
    needs_history=True,
)
def year_carry(context: Context) -> Iterable[Finding]:
    report, previous = context.report, context.previous
    if previous is None:
        return
    for column, carried_over, carried_forward in _CARRIED:
        this = report.number(carried_over)
        last = previous.number(carried_forward)
        if this is not None and last is not None and this != last:
            yield Finding(
                "YEAR-CARRY",
                ERROR,
                (carried_over,),
                f"{column.key}: carried over {this}, but the {previous.year} report carried forward {last}",
                f"{column.label}：上年结转{this}，而{previous.year}年报告结转下年度为{last}",
                expected=str(last),
                found=str(this),
            )


@rule(
    "T2-STOCK",
    WARNING,
    "Documents in force follow from last year",
    "现行有效件数与上年衔接",
    "Rules and normative documents in force at the end of the year should equal last year's figure plus those "
    "made minus those repealed this year; a difference is worth a look (documents may also lapse).",
    needs_history=True,
)
def t2_stock(context: Context) -> Iterable[Finding]:
    report, previous = context.report, context.previous
    if previous is None or report.format != "2021" or previous.format != "2021":
        return
    for zh, cells in _STOCKS:
        now, made, repealed = (report.number(c) for c in cells)
        before = previous.number(cells[0])
        if now is None or made is None or repealed is None or before is None:
            continue
        expected = before + made - repealed
        if now != expected:
            yield Finding(
                "T2-STOCK",
                WARNING,
                cells,
                f"{cells[0]}: {now} in force, but {previous.year}'s {before} + {made} made − {repealed} repealed = {expected}",
                f"{zh}：现行有效{now}件，而{previous.year}年{before}件加本年制发{made}件减废止{repealed}件应为{expected}件",
                expected=str(expected),
                found=str(now),
            )
