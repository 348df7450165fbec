"""The Design contract: every bad input gets one bilingual message naming the field."""
import json

import pytest

from generator.design import MAX_CHARS, Design, load_design, make_design, overlap_fraction
from base.errors import DesignError


def base(**over):
    d = {"version": 1, "motif": "sunbird", "product": "postcard", "seed": 7,
         "lines": [{"text": "天路", "box": [0.30, 0.08, 0.40, 0.12], "font": "wenkai",
                    "color": "#F5D27A", "vertical": False}]}
    d.update(over)
    return d


def line(**over):
    ln = {"text": "天路", "box": [0.1, 0.1, 0.3, 0.1]}
    ln.update(over)
    return ln


def test_design_md_example_validates_and_trims():
    d = make_design(base(lines=[line(text="  天路 ")]))
    assert isinstance(d, Design)
    assert d.lines[0].text == "天路"
    assert d.lines[0].rgb() == (0xF5, 0xD2, 0x7A)
    # round trip through JSON: the same Design comes back
    again = load_design(d.model_dump_json())
    assert again == d


def test_load_design_from_file(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(json.dumps(base(), ensure_ascii=False), encoding="utf-8")
    assert load_design(p).motif == "sunbird"
    assert load_design(str(p)).lines[0].text == "天路"


@pytest.mark.parametrize("data, field, en_part, zh_part", [
    (base(lines=[]), "lines", "1-5 lines", "1-5 行"),
    (base(lines=[line(box=[0.0, i * 0.16, 0.5, 0.15]) for i in range(6)]), "lines", "at most 5", "最多 5"),
    (base(lines=[line(text="   ")]), "lines[0].text", "1-20 characters", "1-20 个字符"),
    (base(lines=[line(text="天" * (MAX_CHARS + 1))]), "lines[0].text", "got 21", "21"),
    (base(lines=[line(text="天\u200b路")]), "lines[0].text", "U+200B", "不可见字符"),
    (base(lines=[line(text="天\x07路")]), "lines[0].text", "U+0007", "控制字符"),
    (base(lines=[line(text="天路😀")]), "lines[0].text", "U+1F600", "不含这些字符"),
    (base(lines=[line(text="𠀀天")]), "lines[0].text", "U+20000", "不含这些字符"),
    (base(lines=[line(text="مرحبا")]), "lines[0].text", "U+0645", "不含这些字符"),
    (base(lines=[line(box=[0.8, 0.1, 0.3, 0.1])]), "lines[0].box", "inside the art", "画面之内"),
    (base(lines=[line(box=[-0.1, 0.1, 0.3, 0.1])]), "lines[0].box", "inside the art", "画面之内"),
    (base(lines=[line(box=[0.1, 0.1, 0.0, 0.1])]), "lines[0].box", "positive", "大于 0"),
    (base(lines=[line(box=[0.1, 0.1, 0.3])]), "lines[0].box", "", "x, y, 宽, 高"),
    (base(lines=[line(box=[0.1, 0.1, 0.4, 0.4]), line(box=[0.2, 0.2, 0.4, 0.4])]), "design",
     "overlap", "重叠"),
    (base(lines=[line(font="comic")]), "lines[0].font", "unknown font 'comic'", "未知字体"),
    (base(lines=[line(color="gold")]), "lines[0].color", "#RRGGBB", "#RRGGBB"),
    (base(lines=[line(color="#12345G")]), "lines[0].color", "#RRGGBB", "#RRGGBB"),
    (base(motif="dragon"), "motif", "unknown motif 'dragon'", "未知纹样"),
    (base(product="mug"), "product", "unknown product 'mug'", "未知产品"),
    (base(backend="dalle"), "backend", "unknown backend", "未知生成方式"),
    (base(version=2), "version", "", "取值不被允许"),
    (base(mode="edit"), "design", "source_image", "source_image"),
    (base(colour="#FFFFFF"), "colour", "", "不允许的字段"),
    ({"lines": [line()]}, "motif", "", "缺少此字段"),
])
def test_bad_designs_name_the_field_in_both_languages(data, field, en_part, zh_part):
    with pytest.raises(DesignError) as err:
        make_design(data)
    e = err.value
    assert e.field == field
    assert e.en.startswith(field + ":") and en_part in e.en
    assert e.zh.startswith(field + "：") and zh_part in e.zh


def test_small_overlap_is_allowed_and_measured_against_the_smaller_box():
    a, b = [0.0, 0.0, 0.5, 0.5], [0.45, 0.0, 0.5, 0.5]  # 10% of either box
    assert overlap_fraction(a, b) == pytest.approx(0.1)
    make_design(base(lines=[line(box=a), line(box=b)]))
    small = [0.4, 0.4, 0.1, 0.1]  # 25% of the small box lies inside the big one
    assert overlap_fraction([0.0, 0.0, 0.425, 1.0], small) == pytest.approx(0.25)


def test_invalid_json_text_and_non_objects(tmp_path):
    with pytest.raises(DesignError, match="not valid JSON"):
        load_design('{"motif": ')
    for content in ("[1, 2]", "null", "42"):
        p = tmp_path / "d.json"
        p.write_text(content, encoding="utf-8")
        with pytest.raises(DesignError, match="must be a JSON object") as err:
            load_design(p)
        assert "JSON 对象" in err.value.zh


def test_unreadable_and_non_json_files(tmp_path):
    with pytest.raises(DesignError, match="cannot read design file"):
        load_design(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DesignError):
        load_design(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{"motif": "sunbird",', encoding="utf-8")
    with pytest.raises(DesignError, match="not valid JSON"):
        load_design(broken)


def test_an_empty_line_erases_only_in_edit_mode():
    lines = [line(), line(text=" ", box=[0.1, 0.5, 0.3, 0.1])]
    with pytest.raises(DesignError) as err:
        make_design(base(lines=lines))
    assert err.value.field == "lines[1].text" and "edit mode" in err.value.en and "擦除" in err.value.zh
    d = make_design(base(lines=lines, mode="edit", source_image="photo.png"))
    assert d.texts() == ["天路", ""]
