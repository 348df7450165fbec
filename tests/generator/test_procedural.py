"""The procedural backend: deterministic, any multiple-of-64 size, text where the boxes are."""
import threading

import numpy as np
import pytest
from PIL import Image

from generator.backends import get_backend, parse_size
from generator.design import make_design
from base.errors import BackendError, CancelledError
from generator.motifs import motif_ids
from generator.textrender import line_mask


def design(**over):
    d = {"motif": "sunbird", "seed": 11, "lines": [
        {"text": "天路", "box": [0.3, 0.05, 0.4, 0.14]},
        {"text": "福寿安康", "box": [0.04, 0.3, 0.1, 0.45], "vertical": True, "color": "#E03020"}]}
    d.update(over)
    return make_design(d)


@pytest.fixture(scope="module")
def backend():
    return get_backend("procedural")


def test_same_seed_same_pixels_other_seed_other_pixels(backend):
    a = backend.generate(design(), size=(256, 256)).candidates[0].image
    b = backend.generate(design(), size=(256, 256)).candidates[0].image
    c = backend.generate(design(seed=12), size=(256, 256)).candidates[0].image
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))


@pytest.mark.parametrize("size", [(512, 512), (384, 640), (1024, 768)])
def test_sizes_and_every_line_reads_back(backend, size):
    art = backend.generate(design(), size=size)
    cand = art.candidates[0]
    assert cand.image.size == size and cand.image.mode == "RGB"
    assert [c.read for c in cand.checks] == ["天路", "福寿安康"]
    assert cand.all_exact and art.best is cand


def test_text_colour_sits_inside_its_box(backend):
    d = design(lines=[{"text": "天路", "box": [0.55, 0.6, 0.4, 0.2], "color": "#00FF00"}],
               motif="gold_mask")
    img = np.asarray(backend.generate(d, size=(512, 512), check=False).candidates[0].image).astype(int)
    green = (img[..., 1] > 180) & (img[..., 0] < 120) & (img[..., 2] < 120)
    ys, xs = np.nonzero(green)
    assert len(xs) > 500
    assert xs.min() >= 0.55 * 512 - 8 and xs.max() <= 0.95 * 512 + 8
    assert ys.min() >= 0.6 * 512 - 8 and ys.max() <= 0.8 * 512 + 8
    mask = np.asarray(line_mask(d.lines[0], 512, 512)) > 128
    assert green[mask].mean() > 0.5  # the glyph layout is where the colour landed


def test_candidates_seeds_progress_and_cancel(backend):
    seen = []
    art = backend.generate(design(), size=(256, 256), n=3, progress=lambda d, t, m: seen.append((d, t)))
    assert [c.seed for c in art.candidates] == [11, 12, 13]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    explicit = backend.generate(design(), size=(256, 256), n=2, seeds=[5, 99])
    assert [c.seed for c in explicit.candidates] == [5, 99]
    stop = threading.Event()
    stop.set()
    with pytest.raises(CancelledError):
        backend.generate(design(), size=(256, 256), n=2, cancel=stop)


@pytest.mark.parametrize("motif", motif_ids())
def test_every_motif_renders_with_its_art(backend, motif):
    img = np.asarray(backend.generate(design(motif=motif), size=(256, 256), check=False)
                     .candidates[0].image).astype(float)
    assert img.std() > 20  # not a flat ground: the art is there


@pytest.mark.parametrize("text", ["300x300", "512", "axb", "128x128", "8192x512"])
def test_bad_sizes(text):
    with pytest.raises(BackendError) as err:
        parse_size(text)
    assert err.value.field == "size" and err.value.zh


def test_unknown_backend():
    with pytest.raises(BackendError, match="unknown backend 'magic'"):
        get_backend("magic")


def test_edit_mode_rewrites_the_box_and_keeps_the_rest(backend, tmp_path):
    src = backend.generate(design(lines=[{"text": "旧字", "box": [0.3, 0.4, 0.4, 0.2]}]),
                           size=(512, 512), check=False).candidates[0].image
    path = tmp_path / "src.png"
    src.save(path)
    d = design(mode="edit", source_image=str(path), lines=[{"text": "新春", "box": [0.3, 0.4, 0.4, 0.2]}])
    out = backend.generate(d, size=(512, 512)).candidates[0]
    assert out.checks[0].read == "新春"
    a, b = np.asarray(src).astype(int), np.asarray(out.image).astype(int)
    outside = np.ones((512, 512), bool)
    outside[int(0.4 * 512) - 40:int(0.6 * 512) + 40, int(0.3 * 512) - 40:int(0.7 * 512) + 40] = False
    assert np.abs(a - b)[outside].mean() < 2.0  # the rest of the picture stays


def test_edit_mode_erases_an_empty_line_and_rewrites_another(backend, tmp_path):
    old = [{"text": "旧字", "box": [0.3, 0.15, 0.4, 0.15]}, {"text": "金沙", "box": [0.3, 0.65, 0.4, 0.15]}]
    src = backend.generate(design(lines=old), size=(512, 512)).candidates[0]
    assert [c.read for c in src.checks] == ["旧字", "金沙"]
    path = tmp_path / "src.png"
    src.image.save(path)
    d = design(mode="edit", source_image=str(path),
               lines=[{"text": "", "box": old[0]["box"]}, {"text": "天路", "box": old[1]["box"]}])
    out = backend.generate(d, size=(512, 512)).candidates[0]
    erased, written = out.checks
    assert erased.expected == "" and erased.exact and not any(ch in erased.read for ch in "旧字")
    assert written.read == "天路" and out.all_exact
    # the erase check would fail on the source picture, where the old text still stands
    from generator.ocr import check_lines
    [before] = check_lines(src.image, [d.lines[0]])
    assert not before.exact and before.read


def test_edit_mode_with_a_corrupt_source(backend, tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    d = design(mode="edit", source_image=str(bad))
    with pytest.raises(BackendError) as err:
        backend.generate(d, size=(256, 256))
    assert "not a readable picture" in err.value.en and "无法读取" in err.value.zh


def test_a_candidate_redrawn_at_print_size_is_the_same_picture(backend):
    """The kiosk previews small; the print build redraws the chosen seed large."""
    small = backend.generate(design(), size=(256, 256), check=False).candidates[0].image
    big = backend.generate(design(), size=(1024, 1024), check=False).candidates[0].image
    a = np.asarray(small, np.float32)
    b = np.asarray(big.resize((256, 256), Image.LANCZOS), np.float32)
    other = np.asarray(backend.generate(design(seed=99), size=(256, 256), check=False)
                       .candidates[0].image, np.float32)
    assert np.abs(a - b).mean() < 8          # same picture at another resolution
    assert np.abs(a - other).mean() > 2 * np.abs(a - b).mean()  # unlike another seed


def test_candidates_of_one_design_differ_at_a_glance(backend):
    """Consecutive seeds draw different styles (ground, composition, frame), so a visitor
    choosing among candidates sees different pictures, not a change of glow."""
    from generator.variety import spread

    for motif in ("sunbird", "gold_mask"):   # before styles: spread 0.05-0.15
        cands = backend.generate(design(motif=motif), size=(256, 256), n=3, check=False).candidates
        assert spread([c.image for c in cands]) > 0.3, motif
    from generator.motifs import get_motif
    from generator.look import Look

    assert Look.for_seed(5, get_motif("sunbird")) == Look.for_seed(5, get_motif("sunbird"))
    assert Look.for_seed(5, get_motif("gold_mask")).turn == 0      # a mask is never turned


def test_each_line_in_its_own_font_and_colour(backend):
    """Two lines, two fonts, two colours: each line's ink is nearer its own colour than the
    other line's, and sits where its own font's glyphs are."""
    d = design(lines=[{"text": "天路", "box": [0.1, 0.08, 0.8, 0.26], "font": "kai", "color": "#C0392B"},
                      {"text": "金沙", "box": [0.1, 0.62, 0.8, 0.26], "font": "hei", "color": "#3E9C7E"}])
    cand = backend.generate(d, size=(512, 512)).candidates[0]
    assert [c.read for c in cand.checks] == ["天路", "金沙"]
    img = np.asarray(cand.image).astype(float)
    for i, (line, other) in enumerate(((d.lines[0], d.lines[1]), (d.lines[1], d.lines[0]))):
        ink = np.asarray(line_mask(line, 512, 512)) > 200
        own = np.linalg.norm(img[ink] - line.rgb(), axis=1)
        theirs = np.linalg.norm(img[ink] - other.rgb(), axis=1)
        assert np.median(own) < 0.6 * np.median(theirs), (line.text, np.median(own), np.median(theirs))
        # the line's own font explains the ink better than the other line's font
        y0, y1 = int(line.box[1] * 512), int((line.box[1] + line.box[3]) * 512)
        coloured = (np.linalg.norm(img - line.rgb(), axis=2)
                    < np.linalg.norm(img - other.rgb(), axis=2))[y0:y1]
        alt = np.asarray(line_mask(line.model_copy(update={"font": other.font}), 512, 512)) > 200

        def iou(mask):
            m = mask[y0:y1]
            return (m & coloured).sum() / max(1, (m | coloured).sum())

        assert iou(ink) > iou(alt), line.text
