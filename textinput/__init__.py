"""Text entry without a keyboard: handwriting recognition and a pinyin candidate index.

Plain functions and data only (no Streamlit); kiosk/input_methods.py draws the widgets.
"""

from __future__ import annotations


def pick_error(text: str, font_id: str):
    """The FontError a picked candidate would cause in this font (bilingual), or None.

    Checked the moment a visitor picks a candidate, so a character the font cannot print is
    refused then and there, not at generation time.
    """
    from base.errors import FontError
    from base.fonts import check_text

    try:
        check_text(text, font_id)
    except FontError as err:
        return err
    return None


def offerable(text: str, font_id: str, line: str = "") -> bool:
    """Whether a candidate may be shown at all: the chosen font prints it, and the text
    moderation (generator/moderation.py) would refuse neither the candidate nor the line it
    would make, so a visitor is never offered words that Generate then refuses. A deny term
    already in the line (typed some other way) does not hide every later candidate."""
    from generator.moderation import find_denied

    if pick_error(text, font_id) is not None or find_denied(text):
        return False
    return not find_denied(line + text) or bool(find_denied(line))
