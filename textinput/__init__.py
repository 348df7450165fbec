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
