"""Errors of the print side (layouts, products, PDF writing). All are KioskErrors: the command
line prints one line and exits 2, the kiosk shows the message in the visitor's language."""
from __future__ import annotations

from base.errors import KioskError
from layouts.spec import LayoutError  # noqa: F401  (print.LayoutError: layouts owns it)


class PrintError(KioskError):
    """A print product cannot be made."""


class ColorError(PrintError):
    """The ICC profile for CMYK output is missing or unusable."""


class OutputError(PrintError):
    """The PDF cannot be written (unwritable path, full disk). Nothing half-written is left."""
