"""Scans made from the project's own PDF fixtures, for the OCR reader's tests and benchmark.

A report's PDF (tests/forms/pdf.py) is rendered to page images with pypdfium2 at a resolution,
then made to look scanned: turned by a fraction of a degree, speckled with noise, and stamped with
a red seal over its table. The pages are then put back into a PDF holding only the images (no
text layer), as a scanner writes it. Everything is seeded: the same call gives the same images.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pypdfium2
from PIL import Image, ImageDraw

RED = (220, 30, 40)


def page_images(pdf: Path, dpi: int) -> list[Image.Image]:
    """The PDF's pages rendered at `dpi`, as RGB images."""
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def scanned(
    page: Image.Image, *, angle: float = 0.6, noise: float = 0.004, stamp: bool = True, seed: int = 1
) -> Image.Image:
    """The page as a scanner gives it: stamped (a red seal over the page's middle, where the tables
    are), turned by `angle` degrees, with a share `noise` of its pixels flipped to dark or light."""
    out = page.copy()
    if stamp:
        out = _stamped(out)
    if angle:
        out = out.rotate(angle, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    if noise:
        out = _speckled(out, noise, seed)
    return out


def _stamped(page: Image.Image) -> Image.Image:
    """A seal as agencies stamp their reports: a red ring with a star, its ink multiplied over the
    text (black text under red ink stays black)."""
    width, height = page.size
    radius = width // 9
    cx, cy = int(width * 0.62), int(height * 0.45)
    seal = Image.new("RGB", page.size, (255, 255, 255))
    draw = ImageDraw.Draw(seal)
    ring = max(radius // 14, 2)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=RED, width=ring)
    star = [
        (
            cx + (radius / 2.4 if i % 2 == 0 else radius / 5.5) * math.sin(i * math.pi / 5),
            cy - (radius / 2.4 if i % 2 == 0 else radius / 5.5) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=RED)
    for k in range(3):  # the seal's lettering, as strokes along the ring
        y = cy + radius // 2 + k * ring * 2
        draw.line((cx - radius // 2, y, cx + radius // 2, y), fill=RED, width=ring)
    return Image.fromarray((np.asarray(page, np.uint16) * np.asarray(seal, np.uint16) // 255).astype(np.uint8))


def _speckled(page: Image.Image, share: float, seed: int) -> Image.Image:
    pixels = np.array(page)
    rng = np.random.default_rng(seed)
    flips = rng.random(pixels.shape[:2]) < share
    dark = rng.random(pixels.shape[:2]) < 0.5
    pixels[flips & dark] = 60
    pixels[flips & ~dark] = 255
    return Image.fromarray(pixels)


def image_pdf(pages: list[Image.Image], path: Path, dpi: int) -> Path:
    """A PDF holding only the page images, as a scanner writes it (no text layer)."""
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    path.write_bytes(buffer.getvalue())
    return path


def png(page: Image.Image, path: Path) -> Path:
    page.save(path, "PNG")
    return path
