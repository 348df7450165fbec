"""The anytext2 backend on make-tiny --version 2 weights: a font and a colour per line, one
candidate per seed, progress, cancel, edit with erase; v1 weights are refused by name."""
import threading

import numpy as np
import pytest
from PIL import Image

from base.errors import BackendError, CancelledError
from generator.backends import get_backend
from generator.design import make_design
from weights.cli import main

LINES = [{"text": "天路", "box": [0.1, 0.1, 0.8, 0.2], "font": "wenkai", "color": "#C81E1E"},
         {"text": "丝路", "box": [0.1, 0.5, 0.8, 0.2], "color": "#F5D27A"}]


@pytest.fixture(scope="module")
def tiny2_weights(tmp_path_factory):
    d = tmp_path_factory.mktemp("w2")
    assert main(["make-tiny", str(d), "--version", "2"]) == 0
    return d


def test_generate_fonts_colours_seeds_progress(tiny2_weights, monkeypatch):
    from generator.anytext2.backend import AnyText2Backend, build_text_prompt

    assert build_text_prompt(["天路", "丝路"]) == 'Texts are "天路" , "丝路" . '
    assert get_backend("anytext2").name == "anytext2"
    backend = AnyText2Backend(weights_dir=str(tiny2_weights), steps=2, device="cpu")
    design = make_design({"motif": "sunbird", "backend": "anytext2", "seed": 5, "lines": LINES})
    seen = []
    art = backend.generate(design, size=(256, 256), n=2, progress=lambda d, t, m: seen.append(m), check=False)
    assert art.backend == "anytext2" and [c.seed for c in art.candidates] == [5, 6]
    assert art.candidates[0].image.size == (256, 256) and seen[-1].startswith("AnyText2 step 2/2")
    assert art.info["version"] == 2 and art.info["text_prompt"] == 'Texts are "天路" , "丝路" . '
    cond = backend.pipeline  # loaded once
    assert cond() is backend.pipeline()
    ev = threading.Event()
    ev.set()
    with pytest.raises(CancelledError):
        backend.generate(design, size=(256, 256), cancel=ev, check=False)
    # per-line colour reaches the glyph maps: draw the same design's conditions directly
    from base.fonts import get_font
    from generator import glyphs
    from generator.anytext2.render import build_conditions2
    f = get_font("wenkai").path
    polys = [glyphs.box_to_polygon(ln["box"], 256, 256) for ln in LINES]
    c = build_conditions2(["天路", "丝路"], polys, 256, 256, f, [f, f], [(200, 30, 30), (245, 210, 122)])
    assert np.allclose(c.lines[0].glyph.reshape(-1, 3).max(0), np.array([200, 30, 30]) / 255)


def test_edit_and_erase(tiny2_weights, tmp_path):
    from generator.anytext2.backend import AnyText2Backend

    src = tmp_path / "src.png"
    Image.new("RGB", (256, 256), (90, 120, 150)).save(src)
    backend = AnyText2Backend(weights_dir=str(tiny2_weights), steps=2, device="cpu")
    design = make_design({"motif": "sunbird", "backend": "anytext2", "mode": "edit", "source_image": str(src),
                          "lines": [LINES[0], {"text": "", "box": [0.1, 0.5, 0.8, 0.2]}]})
    art = backend.generate(design, size=(256, 256), check=False)
    px = np.asarray(art.candidates[0].image)[250, 5].astype(int)
    assert np.abs(px - [90, 120, 150]).max() <= 3


def test_v1_weights_are_refused(tmp_path):
    from generator.anytext2.backend import AnyText2Backend

    assert main(["make-tiny", str(tmp_path)]) == 0
    with pytest.raises(BackendError, match="no valid AnyText2 weights"):
        AnyText2Backend(weights_dir=str(tmp_path), steps=2, device="cpu").pipeline()


def test_status_both_versions_anytext2_wins(tmp_path, monkeypatch, capsys):
    from jobs.worker import choose_backend
    from weights.store import resolve, status

    assert main(["make-tiny", str(tmp_path), "--version", "2"]) == 0
    assert main(["make-tiny", str(tmp_path)]) == 0          # v1 made last (and active)
    st = status(tmp_path)
    assert st.backend == "anytext2" and st.use == "anytext2_tiny.ckpt" and "AnyText2" in st.reason
    assert resolve(tmp_path, version=1).checkpoint.name == "anytext_tiny.ckpt"
    assert resolve(tmp_path, version=2).checkpoint.name == "anytext2_tiny.ckpt"
    capsys.readouterr()
    assert main(["--dir", str(tmp_path), "status"]) == 0
    assert "kiosk backend: anytext2 (verified tiny AnyText2 weights anytext2_tiny.ckpt" in capsys.readouterr().out
    monkeypatch.setenv("KIOSK_WEIGHTS", str(tmp_path))
    assert choose_backend("auto")[0] == "anytext2"
    assert choose_backend("anytext")[0] == "anytext"         # KIOSK_BACKEND names another
    (tmp_path / "anytext2_tiny.ckpt").unlink()
    assert status(tmp_path).backend == "anytext"
