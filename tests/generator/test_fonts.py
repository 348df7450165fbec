"""Font registry: installed Debian files, outline type, and refusal of unprintable characters."""
import pytest
from fontTools.ttLib import TTFont

from base import fonts
from base.errors import FontError


@pytest.mark.parametrize("font_id", ["wenkai", "kai", "hei", "song"])
def test_registry_fonts_resolve_to_installed_files(font_id):
    info = fonts.get_font(font_id)
    f = TTFont(info.path, fontNumber=info.index, lazy=True)
    # the outline flag is read from the file itself: glyf = TrueType, CFF = needs outlining
    assert info.outlines == ("truetype" if "glyf" in f else "cff")
    assert info.embeddable == ("glyf" in f)
    assert info.path.startswith("/usr/share/fonts")
    assert info.label_zh and info.label_en
    assert ord("天") in f.getBestCmap()


def test_song_is_cff_and_others_embed():
    assert fonts.get_font("song").outlines == "cff"
    assert all(fonts.get_font(i).embeddable for i in ("wenkai", "kai", "hei"))


def test_unknown_font_is_refused_bilingually():
    with pytest.raises(FontError) as err:
        fonts.get_font("papyrus")
    assert "papyrus" in err.value.en and "未知字体" in err.value.zh


@pytest.mark.parametrize("text, named", [
    ("你好😀", "U+1F600"), ("𠀀", "U+20000"), ("سلام", "U+0633"), ("天\u200d路", "U+200D"),
    ("天\u202e路", "U+202E"), ("天\t路", "U+0009"),
])
def test_check_text_names_the_bad_characters(text, named):
    with pytest.raises(FontError) as err:
        fonts.check_text(text, "wenkai")
    assert named in err.value.en and named in err.value.zh


def test_check_text_accepts_cjk_latin_digits_and_space():
    for fid in fonts.REGISTRY:
        fonts.check_text("金沙 2026", fid)


def test_a_character_one_font_has_and_another_lacks():
    # LXGW WenKai covers far more CJK than AR PL UKai: find one such character and check both.
    wk, uk = fonts._cmap("wenkai"), fonts._cmap("kai")
    only = next(chr(c) for c in sorted(wk - uk) if 0x4E00 <= c <= 0x9FFF)
    fonts.check_text(only, "wenkai")
    with pytest.raises(FontError, match=f"U\\+{ord(only):04X}"):
        fonts.check_text(only, "kai")
