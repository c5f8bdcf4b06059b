"""Pictures inside a saved web page, read by OCR: portals often show table 三 (or every table) as
a picture instead of an HTML table.

A page saved with its files (Save as "complete": report.html beside report_files/) keeps the
picture beside the page, and nianbao reads it there as it reads an image file. Nothing is ever
fetched: a src that is a web address is not read, nor one that leads outside the page's own folder
(an absolute path, `../`, a link pointing out of it); a picture embedded in the page itself
(`data:`) is read. Each picture of the article that is not read is named, with why, in the
document's details; the import's line and the report's notes carry it, and a page refused for a
missing table says it too, since that picture may have been the table.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from urllib.parse import unquote, urlsplit

from nianbao.db.document import Block, Document
from nianbao.db.errors import NianbaoError, ReadError
from nianbao.db.limits import current as current_limits
from nianbao.db.model import Note

NOT_READ = "images_not_read"  # Document.details key: the pictures not read and why
READ = "ocr_images"  # Document.details key: the pictures read, in order (the cells' page N is the Nth)
NOTE = "image-not-read"  # the code of the report's note
MAX_PICTURES = 20  # pictures read by OCR per page (each takes seconds); the others are named
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_SHOWN = 80  # characters of a src shown in a note (a data: URI runs to megabytes)


def read_picture(src: str, folder: Path | None) -> tuple[list[Block], str | None]:
    """The blocks OCR reads in the picture `src` of a page saved in `folder`, or no blocks and
    why the picture was not read."""
    from nianbao.db.readers import ocr

    try:
        data = picture_bytes(src, folder)
        if not ocr.available():
            return [], f"未安装 OCR 扩展：{ocr.INSTALL}"
        return ocr.read_image(data).blocks, None
    except NianbaoError as exc:
        return [], str(exc)


def picture_bytes(src: str, folder: Path | None) -> bytes:
    """The bytes of a picture the page holds or keeps beside it; ReadError says why not."""
    src = src.strip()
    if not src:
        raise ReadError("图片没有指明文件")
    parts = urlsplit(src)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return _embedded(src)
    if len(scheme) > 1 or src.startswith("//"):
        raise ReadError("是网址：nianbao 不下载任何内容；请把网页连同其文件一起保存")
    if scheme or src.startswith(("/", "\\")):  # C:\… or /…: a path of the saving machine
        raise ReadError("是绝对路径，在网页所在文件夹之外")
    if folder is None:
        raise ReadError("读取网页时没有给出其所在文件夹")
    home = folder.resolve()
    target = (home / unquote(parts.path)).resolve()
    if not target.is_relative_to(home):
        raise ReadError("在网页所在文件夹之外")
    if not target.is_file():
        raise ReadError("网页旁没有这个文件")
    current_limits().check_file_size(target.stat().st_size)
    return _image(target.read_bytes())


def _embedded(src: str) -> bytes:
    head, _, payload = src.partition(",")
    if not head.lower().endswith(";base64"):
        raise ReadError("内嵌图片不是 base64 编码")
    current_limits().check_file_size(len(payload) * 3 // 4)
    try:
        return _image(base64.b64decode(payload, validate=False))
    except (binascii.Error, ValueError):
        raise ReadError("内嵌图片无法解码") from None


def _image(data: bytes) -> bytes:
    if not data.startswith(_IMAGE_MAGIC):
        raise ReadError("不是 PNG 或 JPEG 图片")
    return data


def shown_src(src: str) -> str:
    src = " ".join(src.split())
    return src if len(src) <= _SHOWN else src[: _SHOWN - 1] + "…"


def not_read_message(unread: list[tuple[str, str]]) -> str:
    """One line naming each picture not read and why."""
    return "；".join(f"图片 {shown_src(src)} 未读取：{why}" for src, why in unread)


def notes(document: Document) -> list[Note]:
    """The report's note naming the page's pictures that were not read, if any."""
    message = document.details.get(NOT_READ)
    return [Note(NOTE, (), message)] if message else []


def with_pictures_named(refusal: NianbaoError, document: Document) -> NianbaoError:
    """A refusal of the page (a table not found), with the pictures not read: one of them may
    have been the table."""
    message = document.details.get(NOT_READ)
    if not message:
        return refusal
    return type(refusal)(f"{refusal}；{message}")
