"""Design model, motif catalogue, fonts, glyph rendering, backends and the OCR check.

Light on import: nothing here imports torch; the AnyText backend loads it on first use.
"""
from base.errors import KioskError

__all__ = ["KioskError"]
