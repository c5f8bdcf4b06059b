"""The picture of a cell as printed, for the operator: its box cut from the PDF page (or the
image) at a resolution; `nianbao show REPORT CELL --image OUT.png` writes it and key `c` in the
report screen writes a temporary one and says where. A report without pages (text, Word, a web
page's table) says in one line that there is no picture."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from nianbao.db.crop import CropError, cell_png, crop
from nianbao.db.document import Source
from nianbao.db.pipeline import import_paths, parse_file
from nianbao.db.review import ReviewError, load_report
from nianbao.db.schema import connect
from nianbao.tui.cli import cli
from tests.forms import pdf
from tests.helpers import NoticeRecorder, sample_path
from tests.test_app_report import Host

CELL = "table3.granted.natural"


@pytest.fixture(scope="module")
def pdf_db(tmp_path_factory) -> tuple[Path, int]:
    """Sample 003 printed as a PDF (text layer, ruled tables) and imported."""
    folder = tmp_path_factory.mktemp("crop")
    path = pdf.render(parse_file(sample_path("003")), folder / "003.pdf")
    db = connect(folder / "t.db")
    try:
        (result,) = import_paths(db, [path])
    finally:
        db.close()
    return folder / "t.db", result.report_id


def box_of(db_path: Path, report_id: int, cell: str) -> Source:
    db = connect(db_path)
    try:
        return load_report(db, report_id).get(cell).source
    finally:
        db.close()


def png(db_path: Path, report_id: int, cell: str, dpi: int) -> Image.Image:
    db = connect(db_path)
    try:
        return Image.open(io.BytesIO(cell_png(db, report_id, cell, dpi)))
    finally:
        db.close()


@pytest.mark.parametrize("dpi", [100, 200])
def test_pdf_cells_picture_is_its_box_at_the_resolution(pdf_db, dpi):
    source = box_of(*pdf_db, CELL)
    x0, top, x1, bottom = source.bbox
    image = png(*pdf_db, CELL, dpi)
    assert image.format == "PNG"
    width, height = image.size
    assert abs(width - (x1 - x0) * dpi / 72) <= 1 and abs(height - (bottom - top) * dpi / 72) <= 1
    assert (np.asarray(image.convert("L")) < 128).any()  # the printed digit is in it


def test_image_cells_picture_is_its_box_in_the_images_pixels():
    page = Image.new("RGB", (400, 300), "white")
    page.paste((0, 0, 0), (110, 60, 130, 90))
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    cut = crop(buffer.getvalue(), "image", Source(page=1, bbox=(100.0, 50.0, 140.0, 100.0)))
    assert cut.size == (40, 50)
    assert np.asarray(cut.convert("L"))[10:40, 10:30].max() == 0 and np.asarray(cut.convert("L"))[0, 0] == 255


@pytest.mark.parametrize(
    "form, source, message",
    [
        ("text", Source(line=88), "这个值没有图像：文本文件没有页面可截取"),
        (
            "docx",
            Source(table=2, row=3, col=4),
            "这个值没有图像：Word 文件没有页面可截取",
        ),
        ("pdf", Source(page=2), "这个值没有记录页面上的位置，无法截取图像"),
        (
            "html",
            Source(page=1, bbox=(1.0, 2.0, 3.0, 4.0)),
            "这个值识别自网页旁的图片，图片未随报告保存",
        ),
    ],
)
def test_a_value_without_a_page_box_has_no_picture(form, source, message):
    with pytest.raises(CropError) as caught:
        crop(b"", form, source)
    assert str(caught.value) == message


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), env={"NIANBAO_DB": None}, catch_exceptions=False)


def test_cli_writes_the_cells_picture(pdf_db, tmp_path):
    db_path, report_id = pdf_db
    out = tmp_path / "cell.png"
    result = invoke("--db", str(db_path), "show", str(report_id), CELL, "--image", str(out))
    assert result.exit_code == 0
    assert result.output == f"报告 {report_id} 表三 （一）予以公开 · 自然人（{CELL}）的图像已写入 {out}\n"
    assert Image.open(out).size == png(db_path, report_id, CELL, 200).size


def test_cli_text_report_says_there_is_no_picture_in_one_line(db, db_path, tmp_path):
    (result,) = import_paths(db, [sample_path("003")])
    out = tmp_path / "cell.png"
    shown = invoke("--db", str(db_path), "show", str(result.report_id), CELL, "--image", str(out))
    assert shown.exit_code == 1
    assert shown.output == "错误：这个值没有图像：文本文件没有页面可截取\n"
    assert not out.exists()


def test_cli_image_needs_a_cell(pdf_db, tmp_path):
    db_path, report_id = pdf_db
    shown = invoke("--db", str(db_path), "show", str(report_id), "--image", str(tmp_path / "x.png"))
    assert shown.exit_code == 2
    assert shown.output == "错误：--image 需要指定单元格（如 table3.total.natural）\n"


def test_unknown_cell_is_the_reviews_refusal(pdf_db):
    with pytest.raises(ReviewError, match="没有单元格 table3.nothing.natural"):
        png(*pdf_db, "table3.nothing.natural", 100)


class RecordingHost(NoticeRecorder, Host):
    pass


def test_key_c_writes_a_temporary_picture_and_says_where(pdf_db):
    db_path, report_id = pdf_db

    async def steps(app, pilot):
        app.screen._go_to("table3", CELL)
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        return app.shown

    app = RecordingHost(str(db_path), report_id)

    async def go():
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            return await steps(app, pilot)

    shown = asyncio.run(go())
    severity, text = shown[-1]
    prefix = f"{CELL} 的图像已写入 "
    assert severity == "information" and text.startswith(prefix)
    written = Path(text.removeprefix(prefix))
    try:
        assert written.suffix == ".png" and Image.open(written).size == png(db_path, report_id, CELL, 200).size
    finally:
        written.unlink()


def test_turned_pdf_page_is_cut_where_the_reader_found_the_value(pdf_db, tmp_path):
    """A page turned by /Rotate, its text written upright: the reader set the turn aside, and so
    does the cut (the same picture as the unturned PDF's)."""
    path = pdf.render(parse_file(sample_path("003")), tmp_path / "turned.pdf", rotate=90)
    db = connect(tmp_path / "t.db")
    try:
        (result,) = import_paths(db, [path])
    finally:
        db.close()
    turned = png(tmp_path / "t.db", result.report_id, CELL, 100)
    plain = png(*pdf_db, CELL, 100)
    assert all(abs(a - b) <= 1 for a, b in zip(turned.size, plain.size, strict=True))  # boxes rounded apart

    def ink(image):  # the digits' dark pixels, without the ruling lines at the edges
        return int((np.asarray(image.convert("L"))[4:-4, 4:-4] < 128).sum())

    assert ink(plain) > 20 and abs(ink(turned) - ink(plain)) <= 0.2 * ink(plain)


def test_cli_image_that_cannot_be_written_is_one_chinese_line(pdf_db, tmp_path):
    """The command's one error handler says it, as for any file nianbao cannot write."""
    db_path, report_id = pdf_db
    out = tmp_path / "no-such-folder" / "cell.png"
    shown = invoke("--db", str(db_path), "show", str(report_id), CELL, "--image", str(out))
    assert shown.exit_code == 1
    assert shown.output == f"错误：{out}: 不存在（系统：No such file or directory）\n"
