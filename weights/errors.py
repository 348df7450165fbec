"""The one error type of the weights package.

A subclass of the project's KioskError, so the CLI (and the kiosk) print one bilingual line
naming the file and what is wrong, never a traceback.
"""
from __future__ import annotations

from base.errors import KioskError


class WeightsError(KioskError):
    """Model weights are missing, damaged, unsafe, or do not fit the model."""
