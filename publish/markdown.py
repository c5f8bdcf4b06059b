"""The one configured MarkdownIt of the site, and how untrusted text becomes Markdown.

Report text is untrusted: an organ or a narrative may hold HTML, `javascript:` links, Markdown
link or image syntax. Two independent guards keep it text: `text_markdown` escapes every ASCII
punctuation character (CommonMark's backslash escapes), so no syntax can form from report text;
and the parser itself has no raw HTML (`js-default`), no links, images, autolinks, linkify or
entities, so even Markdown the site writes cannot make a link or fetch anything.
"""

from __future__ import annotations

import re
import string

from markdown_it import MarkdownIt
from markupsafe import Markup

MD = MarkdownIt("js-default").disable(
    ["link", "image", "autolink", "linkify", "html_inline", "html_block", "reference", "entity"]
)

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def escape(text: str) -> str:
    """Text as Markdown that renders back to exactly this text (on one line)."""
    return _PUNCTUATION.sub(r"\\\1", text)


def text_markdown(text: str) -> str:
    """Plain text with paragraphs separated by blank lines, as Markdown paragraphs.

    Lines lose their indentation (four spaces would make a code block); a paragraph's lines stay
    one paragraph."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [escape(line.strip(" \t\u3000")) for line in block.split("\n")]
        if paragraph := "\n".join(line for line in lines if line):
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def render(markdown: str) -> Markup:
    """HTML from Markdown, through the one parser (safe to insert into a template)."""
    return Markup(MD.render(markdown))


def render_text(text: str) -> Markup:
    """Untrusted plain text as HTML paragraphs."""
    return render(text_markdown(text))
