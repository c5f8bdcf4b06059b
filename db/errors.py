"""The project's own exceptions. The library raises them; the CLI and the app translate them once
into one line naming the file and the problem."""


class NianbaoError(Exception):
    """Base class: anything a user can be told about in one line."""


class ReadError(NianbaoError):
    """The file cannot be read as a document (empty, binary, undecodable, unsupported form)."""


class ParseError(NianbaoError):
    """The document is readable but is not an annual report, or the report is truncated."""
