"""Moderation: normalisation defeats width/script/separator tricks; allow list is precise."""
import pytest

from generator import moderation as m


@pytest.mark.parametrize("text", [
    "台独", "臺獨", "台 独", "台·独", "台\u200b独", "台★独", "台_独", "ＦＵＣＫ", "f u c k", "F.u.C.k",
    "我爱台独", "法輪功好", "傻 逼", "你去死吧",
])
def test_refused_variants(text):
    r = m.check_lines(["天路", text])
    assert not r.ok and r.line == 1 and r.term


@pytest.mark.parametrize("text", [
    "天路", "吉祥如意", "金沙太阳神鸟", "舞台独白", "舞台 獨白", "妈妈的爱", "我靠近你",
    "Cocktail", "Dickens", "杀人鲸", "福", "平安喜乐", "三星堆",
])
def test_allowed(text):
    assert m.check_lines([text]).ok


def test_allow_forgives_only_the_covered_occurrence():
    assert m.check_lines(["舞台独白"]).ok
    r = m.check_lines(["舞台独白台独"])
    assert not r.ok and r.term == "台独"


def test_error_names_no_word_and_is_bilingual():
    with pytest.raises(m.ModerationError) as ei:
        m.ensure_allowed(["福", "傻逼"])
    e = ei.value
    assert e.line == 1 and e.term == "傻逼" and e.field == "lines[1].text"
    assert "傻逼" not in e.en and "傻逼" not in e.zh
    assert e.message("zh") != e.message("en")


def test_custom_lists_format(tmp_path):
    (tmp_path / "deny.txt").write_text("# comment\n\n壞詞  # trailing comment\nＢＡＤ\n", encoding="utf-8")
    (tmp_path / "allow.txt").write_text("好坏词典\n", encoding="utf-8")
    lists = m.load_wordlists(str(tmp_path))
    assert lists.deny == ("坏词", "bad") or set(lists.deny) == {"坏词", "bad"}
    assert not m.check_lines(["b-a-d"], lists).ok
    assert not m.check_lines(["坏 词"], lists).ok
    assert m.check_lines(["好壞詞典"], lists).ok


def test_every_shipped_term_is_refused_by_itself():
    lists = m.load_wordlists()
    for term in lists.deny:
        assert not m.check_lines([term]).ok, term
    assert len(lists.deny) > 50


def test_curated_phrases_are_never_refused():
    """The phrases the kiosk itself offers must pass (no false positives on our own words)."""
    from pathlib import Path

    from generator.motifs import list_motifs

    phrases = [p["zh"] for mo in list_motifs() for p in mo.phrases]
    phrases += [mo.name_zh for mo in list_motifs()]
    museum = Path(m.__file__).parents[1] / "textinput" / "museum_phrases.txt"
    if museum.exists():
        phrases += [ln.split("\t")[0].strip() for ln in museum.read_text(encoding="utf-8").splitlines()
                    if ln.strip() and not ln.startswith("#")]
    assert len(phrases) > 20
    refused = [p for p in phrases if not m.check_lines([p]).ok]
    assert refused == []
