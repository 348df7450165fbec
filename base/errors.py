"""One error base for the whole project.

Every error a visitor, a staff member or museum IT can cause carries its message in Chinese
and English, so the kiosk shows it in the visitor's language and the command line prints one
clear line (exit code 2, base/cli.py) instead of a traceback.
"""
from __future__ import annotations


class KioskError(Exception):
    """An expected failure with a bilingual, user-facing message."""

    def __init__(self, en: str, zh: str | None = None, *, field: str | None = None):
        super().__init__(en)
        self.en = en
        self.zh = zh or en
        self.field = field

    def message(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.en


class DesignError(KioskError):
    """The Design JSON is invalid (schema, unknown motif/font, unsupported characters...)."""


class FontError(KioskError):
    """A font is missing or lacks characters."""


class MotifError(KioskError):
    """A motif is unknown or its art cannot be read."""


class BackendError(KioskError):
    """A generation backend is unknown or cannot run."""


class CancelledError(KioskError):
    """A job was cancelled by its caller."""


class StyleError(KioskError):
    """A style file (generator/styles/*.json) is unreadable or invalid."""
