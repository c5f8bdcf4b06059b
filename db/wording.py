"""Counts in the English half of messages: "1 report", "2 reports"; shared by the CLI, the app and
publishing so that every summary line reads the same."""

from __future__ import annotations


def plural(n: int, noun: str, nouns: str | None = None) -> str:
    """'1 report', '0 reports', '2 counties' (irregular forms given as `nouns`)."""
    return f"{n} {noun if n == 1 else nouns or noun + 's'}"


def counted(n: int, noun: str) -> list[str]:
    """[plural(n, noun)], or [] for none: the parts of a summary line."""
    return [plural(n, noun)] if n else []
