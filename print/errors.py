"""Errors of the print side (layouts, products, PDF writing). All are KioskErrors: the command
line prints one line and exits 2, the kiosk shows the message in the visitor's language."""
from __future__ import annotations

from generator.errors import KioskError


class PrintError(KioskError):
    """A print product cannot be made."""


class LayoutError(PrintError):
    """A layout file is missing, unreadable or invalid, or a product/variant is unknown."""


class ColorError(PrintError):
    """The ICC profile for CMYK output is missing or unusable."""


class OutputError(PrintError):
    """The PDF cannot be written (unwritable path, full disk). Nothing half-written is left."""
