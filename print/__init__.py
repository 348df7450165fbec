"""Print side: PDF writer, colour, (prepress) imposition and preflight.

Import as `from print import write_pdf` or `from print import writer`; never `import print`
(that would shadow the built-in).
"""
from print.errors import ColorError, LayoutError, OutputError, PrintError
from print.page import K, PAPER, CircleOp, ImageOp, Ink, LineOp, PolyOp, RectOp, Side, TextOp
from print.writer import PdfMeta, page_geometry, write_pdf
# prepress; note `from print import impose` is the function (modules: `from print.impose import x`)
from print.impose import ImposeError, ImposeResult, impose
from print.preflight import PreflightError, PreflightIssue, inspect_pdf, preflight

__all__ = ["write_pdf", "PdfMeta", "page_geometry", "Side", "Ink", "K", "PAPER", "ImageOp",
           "TextOp", "RectOp", "LineOp", "CircleOp", "PolyOp", "PrintError", "LayoutError",
           "ColorError", "OutputError", "impose", "ImposeResult", "ImposeError", "preflight",
           "inspect_pdf", "PreflightIssue", "PreflightError"]
