"""python -m textinput: build-index, pinyin, recognize."""
from __future__ import annotations

from PIL import Image

from textinput.__main__ import main
from textinput.synth import draw_handwriting


def test_pinyin_and_build_if_missing(tmp_path, monkeypatch, capsys, pinyin_index_path):
    from textinput.pinyin import default_index_path

    monkeypatch.setenv("KIOSK_VAR", str(tmp_path))
    target = default_index_path()
    target.parent.mkdir(parents=True)
    target.write_bytes(pinyin_index_path.read_bytes())
    assert main(["build-index", "--if-missing"]) == 0
    assert "present" in capsys.readouterr().out
    assert main(["pinyin", "fushouankang", "-n", "3"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.split("\t")[0] == "福寿安康" and "museum" in first


def test_recognize_a_png_and_refuse_a_missing_one(tmp_path, capsys):
    png = tmp_path / "fu.png"
    Image.fromarray(draw_handwriting("福", seed=1)).save(png)
    assert main(["recognize", str(png), "-n", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[0].startswith("福\t")
    assert main(["recognize", str(tmp_path / "nope.png")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot read image") and "Traceback" not in err


def test_build_if_missing_rebuilds_an_index_of_an_older_version(tmp_path, monkeypatch, capsys,
                                                                 pinyin_index_path):
    """scripts/install.sh runs `build-index --if-missing`: an index without initials (an older
    INDEX_VERSION, or a file of the right name but the old schema) is built again."""
    import sqlite3

    import textinput.pinyin as pinyin

    monkeypatch.setenv("KIOSK_VAR", str(tmp_path))
    target = pinyin.default_index_path()
    assert target.name == f"pinyin_index.v{pinyin.INDEX_VERSION}.sqlite"
    target.parent.mkdir(parents=True)
    old = sqlite3.connect(target)           # the version-2 schema: no abbr, no meta
    old.execute("CREATE TABLE entry (key TEXT, word TEXT, src INTEGER, freq REAL)")
    old.commit()
    old.close()
    built = []
    monkeypatch.setattr(pinyin, "build_index", lambda path: built.append(path) or path)
    assert main(["build-index", "--if-missing"]) == 0
    assert built == [target] and "built" in capsys.readouterr().out
    target.write_bytes(pinyin_index_path.read_bytes())      # a current index stays
    assert pinyin.index_version(target) == pinyin.INDEX_VERSION
    assert main(["build-index", "--if-missing"]) == 0
    assert built == [target] and "present" in capsys.readouterr().out
