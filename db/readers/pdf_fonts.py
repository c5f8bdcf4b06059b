"""A page's fonts as pdfminer makes them, read only as far as the PDFium reader needs them.

The PDFium reader matches each PDFium font to pdfminer's fonts of the page (pdf_pdfium._Descents)
by name, descent, flags and italic angle: values of the font's dictionary and descriptor. Making
pdfminer's font objects for that parsed every font's ToUnicode map and width array (some 40 % of
reading a Word or WPS export). A `Light` font holds the values the matching reads, taken from
the dictionaries by pdfminer's own rules (PDFFont, PDFType1Font, PDFCIDFont,
PDFResourceManager.get_font), and makes pdfminer's font only where the reader needs more of it:
a width listed with a fraction (pdf_pdfium._Widths), or a character map other than Identity-H or -V
(a predefined Unicode map may leave codes out: pdf_pdfium._Unmapped). Any other font (Type 3, a
font pdfminer would make of something unusual, or a dictionary these rules cannot read) is
pdfminer's own, made at once, as before.
"""

from __future__ import annotations

from typing import Any

from pdfminer.pdffont import FontMetricsDB, PDFCIDFont
from pdfminer.pdftypes import PDFObjRef, PDFStream, dict_value, int_value, list_value, num_value, resolve1
from pdfminer.psparser import PSLiteral, literal_name

SIMPLE = ("Type1", "MMType1", "TrueType")
CID = ("CIDFontType0", "CIDFontType2")
_CACHE = "_nianbao_light_fonts"  # on pdfminer's resource manager: one Light font per object, as its own cache


class Light:
    """What pdfminer's font of `spec` would say of its name, descent, flags and italic angle;
    pdfminer's font itself (`made`) only where its widths or character map are needed."""

    def __init__(self, manager: Any, objid: Any, spec: Any, values: tuple[Any, str, int, float, float, bool]) -> None:
        self.manager, self.objid, self.spec = manager, objid, spec
        self.fontname, self.basefont, self.flags, self.descent, self.italic_angle, self.needed = values
        self._made: Any = None

    def get_descent(self) -> float:
        return self.descent * 0.001  # pdfminer's vscale (not a Type 3 font)

    def made(self) -> Any:
        """pdfminer's font where the reader needs it (else None)."""
        if self.needed and self._made is None:
            self._made = self.manager.get_font(self.objid, self.spec)
        return self._made


def page_fonts(manager: Any, resources: Any) -> list[Any]:
    """The fonts of a page's resources and of its forms' (no content is read)."""
    fonts: list[Any] = []
    _load(manager, resources, set(), fonts)
    return fonts


def _load(manager: Any, resources: Any, seen: set[int], out: list[Any]) -> None:
    resources = resolve1(resources)
    if not isinstance(resources, dict) or id(resources) in seen:
        return
    seen.add(id(resources))
    fonts = resolve1(resources.get("Font"))
    for spec in fonts.values() if isinstance(fonts, dict) else ():
        objid = spec.objid if isinstance(spec, PDFObjRef) else None
        spec = resolve1(spec)
        if isinstance(spec, dict):
            out.append(font(manager, objid, spec))
    xobjects = resolve1(resources.get("XObject"))
    for xobject in xobjects.values() if isinstance(xobjects, dict) else ():
        stream = resolve1(xobject)
        if isinstance(stream, PDFStream) and "Resources" in stream.attrs:
            _load(manager, stream.attrs["Resources"], seen, out)


def font(manager: Any, objid: Any, spec: dict[Any, Any]) -> Any:
    """The font of `spec` (object `objid`), Light where its dictionary allows, else pdfminer's."""
    cache: dict[Any, Light] | None = getattr(manager, _CACHE, None)
    if cache is None:
        cache = {}
        setattr(manager, _CACHE, cache)
    if objid and objid in cache:
        return cache[objid]
    try:
        values = _values(spec)
    except Exception:  # noqa: BLE001 (pdfminer's own making then says what is wrong, as before)
        values = None
    if values is None:
        return manager.get_font(objid, spec)
    light = Light(manager, objid, spec, values)
    if objid:
        cache[objid] = light
    return light


def made(font: Any) -> Any:
    """pdfminer's font where the reader needs one: a Light font's if needed, any other as it is."""
    return font.made() if isinstance(font, Light) else font


def _values(spec: dict[Any, Any]) -> tuple[Any, str, int, float, float, bool] | None:
    subtype = literal_name(spec["Subtype"]) if "Subtype" in spec else "Type1"
    if subtype == "Type0":
        descendant = dict_value(list_value(spec["DescendantFonts"])[0])
        if "Subtype" not in descendant or literal_name(descendant["Subtype"]) not in CID:
            return None
        inner = {**descendant, **{k: resolve1(spec[k]) for k in ("Encoding", "ToUnicode") if k in spec}}
        return _cid(inner)
    if subtype in CID:
        return _cid(spec)
    if subtype in SIMPLE:
        return _simple(spec)
    return None


def _basefont(spec: dict[Any, Any]) -> str:
    return literal_name(spec["BaseFont"]) if "BaseFont" in spec else "unknown"


def _cid(spec: dict[Any, Any]) -> tuple[Any, str, int, float, float, bool] | None:
    """PDFCIDFont: Identity-H or Identity-V only (no predefined Unicode map); its widths are
    /W, a vertical font's /W2 (whose numbers hold the widths)."""
    cmap = PDFCIDFont._get_cmap_name(spec, False)
    if cmap not in ("Identity-H", "Identity-V"):
        return None
    descriptor = dict_value(spec["FontDescriptor"]) if "FontDescriptor" in spec else {}
    needed = _fractions(list_value(spec.get("W" if cmap == "Identity-H" else "W2", [])))
    return _described(descriptor, _basefont(spec), needed)


def _simple(spec: dict[Any, Any]) -> tuple[Any, str, int, float, float, bool] | None:
    """PDFType1Font and PDFTrueTypeFont: the standard 14 fonts' metrics (whole widths), else
    the font's descriptor and /Widths."""
    basefont = _basefont(spec)
    try:
        descriptor, _ = FontMetricsDB.get_metrics(basefont)
        return _described(descriptor, basefont, False)
    except KeyError:
        pass
    descriptor = dict_value(spec.get("FontDescriptor", {}))
    return _described(descriptor, basefont, _fractions(list_value(spec.get("Widths", []))))


def _described(descriptor: Any, basefont: str, needed: bool) -> tuple[Any, str, int, float, float, bool]:
    """PDFFont.__init__'s name, flags, descent (made negative) and italic angle."""
    fontname = resolve1(descriptor.get("FontName", "unknown"))
    if isinstance(fontname, PSLiteral):
        fontname = literal_name(fontname)
    descent = num_value(descriptor.get("Descent", 0))
    if descent > 0:
        descent = -descent
    flags = int_value(descriptor.get("Flags", 0))
    return fontname, basefont, flags, descent, num_value(descriptor.get("ItalicAngle", 0)), needed


def _fractions(widths: Any) -> bool:
    """Whether any number of a width list (/W or /Widths, nested lists resolved) has a fraction:
    a superset of the widths pdfminer lists with one."""
    for value in widths:
        value = resolve1(value)
        if isinstance(value, list | tuple):
            if _fractions(value):
                return True
        elif isinstance(value, float) and not value.is_integer():
            return True
    return False
