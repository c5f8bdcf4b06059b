"""click's own words in Chinese: the help's usage line and headings, the --help option, and a usage
error as one line (`错误：缺少参数 FILE（用法见 nianbao parse --help）`). The commands' own texts are
written in Chinese in tui/cli.py; this holds only what click itself would print in English."""

from __future__ import annotations

import re
from typing import Any

import click

ERROR = "错误："  # every one-line error starts with it
HEADINGS = {"Options": "选项", "Commands": "命令", "Positional arguments": "参数"}


class ChineseHelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseUsageError(click.UsageError):
    """A usage error said in one line, Chinese first, naming the help to read."""

    def show(self, file: Any = None) -> None:
        where = f"（用法见 {self.ctx.command_path} --help）" if self.ctx else ""
        click.echo(f"{ERROR}{self.message}{where}", err=True)


def _chinese(exc: click.UsageError) -> ChineseUsageError:
    """click's usage error with its message in Chinese where click says what is wrong by a field
    (a missing parameter, an unknown option); the rest keeps click's words after the Chinese."""
    if isinstance(exc, ChineseUsageError):
        return exc
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        kind = "参数" if isinstance(exc.param, click.Argument) else "选项"
        name = exc.param.human_readable_name if kind == "参数" else "/".join(exc.param.opts)
        message = f"缺少{kind} {name}"
    elif isinstance(exc, click.NoSuchOption):
        maybe = f"（是不是 {'、'.join(sorted(exc.possibilities))}？）" if exc.possibilities else ""
        message = f"没有这个选项：{exc.option_name}{maybe}"
    elif isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else "")
        message = (
            f"{hint} 的值不对：{_value_problem(exc.message)}" if hint else f"值不对：{_value_problem(exc.message)}"
        )
    else:
        message = exc.message
    return ChineseUsageError(message, exc.ctx)


# click's own words for a bad value (click.types), in Chinese; a message not listed stays as it is.
_VALUE_PROBLEMS = [
    (re.compile(r"^(.+) is not a valid integer\.$"), "{0} 不是整数"),
    (re.compile(r"^(.+) is not a valid float\.$"), "{0} 不是数"),
    (re.compile(r"^(.+) is not in the range (.+)\.$"), "{0} 不在范围 {1} 内"),
    (re.compile(r"^(.+) is not one of (.+)\.$"), "{0} 不是 {1} 之一"),
    (re.compile(r"^(?:File|Directory|Path) (.+) does not exist\.$"), "{0} 不存在"),
    (re.compile(r"^(?:File|Directory|Path) (.+) is not readable\.$"), "{0} 不可读"),
    (re.compile(r"^(?:File|Directory|Path) (.+) is not writable\.$"), "{0} 不可写"),
    (re.compile(r"^(?:File|Path) (.+) is a directory\.$"), "{0} 是文件夹"),
    (re.compile(r"^(?:Directory|Path) (.+) is a file\.$"), "{0} 是文件"),
]


def _value_problem(message: str) -> str:
    for pattern, chinese in _VALUE_PROBLEMS:
        found = pattern.match(message)
        if found:
            return chinese.format(*found.groups())
    return message


class ChineseCommand(click.Command):
    context_class = ChineseContext

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)

    def get_short_help_str(self, limit: int = 45) -> str:
        """The help's first sentence, to its 。 (click cuts at a '.', which Chinese has not)."""
        if self.short_help:
            return self.short_help
        first = (self.help or "").strip().split("\n")[0]
        return first.split("。")[0]

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's list of options, its "[required]" said in Chinese."""
        records = [
            (name, text.replace("[required]", "[必填]"))
            for param in self.get_params(ctx)
            if not isinstance(param, click.Argument) and (record := param.get_help_record(ctx))
            for name, text in [record]
        ]
        if records:
            with formatter.section("选项"):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as exc:
            raise _chinese(exc) from exc


class ChineseGroup(ChineseCommand, click.Group):
    command_class = ChineseCommand  # its commands speak Chinese too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            if args and self.get_command(ctx, args[0]) is None:
                raise ChineseUsageError(f"没有这个命令：{args[0]}", ctx) from exc
            raise _chinese(exc) from exc
