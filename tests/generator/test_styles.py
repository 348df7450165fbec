"""Candidate styles as data: the loader, the seed -> style walk, frames clear of the text,
the variety of a design's candidates, and the print redraw of every style."""
import json

import numpy as np
import pytest
from PIL import Image

from base.errors import StyleError
from generator import ornaments
from generator.cli import main
from generator.design import make_design
from generator.look import Look
from generator.motifs import get_motif
from generator.procedural import render
from generator.styles import HERE, list_styles, load_style_file, style_for_seed, styles
from generator.variety import measure, spread

N = len(styles())


def design(motif="sunbird", **over):
    d = {"motif": motif, "seed": 4, "lines": [
        {"text": "天路", "box": [0.3, 0.05, 0.4, 0.14]},
        {"text": "福寿安康", "box": [0.04, 0.3, 0.1, 0.45], "vertical": True}]}
    d.update(over)
    return make_design(d)


def test_shipped_styles_load_and_neighbouring_seeds_differ():
    assert N >= 3 and len({s.id for s in styles()}) == N
    for seed in range(2 * N):
        trio = {style_for_seed(seed + i).id for i in range(3)}
        assert len(trio) == 3, seed


def test_same_seed_same_look_and_pixels():
    m = get_motif("pearl_roundel")
    assert Look.for_seed(9, m) == Look.for_seed(9, m)
    for seed in range(N):
        a, b = render(design(), (256, 256), seed), render(design(), (256, 256), seed)
        assert np.array_equal(np.asarray(a), np.asarray(b)), style_for_seed(seed).id


def test_a_design_s_three_candidates_differ_at_a_glance():
    """The acceptance figure on a sample (make bench measures every motif at 512)."""
    v = measure(["sunbird", "brocade", "standing_figure"], size=(256, 256))
    assert v.median >= 0.35 and v.minimum >= 0.15, v.per_design


def test_spread_of_identical_pictures_is_zero():
    im = render(design(), (256, 256), 0)
    assert spread([im, im.copy(), render(design(), (256, 256), 1)]) == pytest.approx(0.0, abs=1e-9)


BOX_SETS = [
    [[0.3, 0.05, 0.4, 0.14], [0.04, 0.3, 0.1, 0.45]],   # a vertical line against the left edge
    [[0.0, 0.0, 1.0, 0.12]],                            # a line across the very top
    [[0.1, 0.85, 0.8, 0.15], [0.86, 0.1, 0.14, 0.7]],   # bottom and right edges
]


@pytest.mark.parametrize("boxes", BOX_SETS)
def test_frames_and_seals_never_cover_the_text_boxes(boxes):
    w, h = 640, 448
    for seed in range(N):
        look = Look.for_seed(seed, get_motif("sunbird"))
        for layer in ornaments.frame_layers(look, [tuple(b) for b in boxes], w, h, "金沙遗址"):
            for x, y, bw, bh in boxes:
                inside = layer.alpha[int(y * h):int((y + bh) * h) + 1, int(x * w):int((x + bw) * w) + 1]
                assert not inside.any(), (look.style.id, layer.kind, (x, y, bw, bh))


def test_every_style_draws_its_frame():
    for seed in range(N):
        look = Look.for_seed(seed, get_motif("gold_mask"))
        layers = ornaments.frame_layers(look, [(0.3, 0.4, 0.4, 0.15)], 512, 512, "金沙遗址")
        assert len(layers) == len(look.style.frame)
        assert all(layer.alpha.any() for layer in layers), look.style.id


@pytest.mark.parametrize("seed", range(N))
def test_every_style_redraws_the_same_picture_at_a_whole_multiple(seed):
    """The print build redraws the chosen seed at k x the candidate size."""
    small = np.asarray(render(design("bird_head"), (256, 192), seed), np.float32)
    big = render(design("bird_head"), (768, 576), seed).resize((256, 192), Image.LANCZOS)
    other = np.asarray(render(design("bird_head"), (256, 192), seed + 1), np.float32)
    same = np.abs(small - np.asarray(big, np.float32)).mean()
    # Fine high-contrast detail (stars, frame lines, tile edges) resamples a little differently
    assert same < 12, (style_for_seed(seed).id, same)
    assert np.abs(small - other).mean() > 2.5 * same, (style_for_seed(seed).id, same)


def _write(tmp_path, name, mutate):
    src = json.loads((HERE / "10_silk_classic.json").read_text(encoding="utf-8"))
    mutate(src)
    p = tmp_path / name
    p.write_text(json.dumps(src, ensure_ascii=False), encoding="utf-8")
    return p


@pytest.mark.parametrize("mutate, field, words", [
    (lambda d: d["frame"][1].update(kind="dragon"), "frame[1].kind", "'rule', 'meander'"),
    (lambda d: d["frame"][0].update(colour="#12345"), "frame[0].colour", "is not a colour"),
    (lambda d: d["colourways"][0].update(ground="tomato"), "colourways[0].ground", "is not a colour"),
    (lambda d: d["ground"].update(texture=3), "ground.texture", "less than or equal to 1"),
    (lambda d: d["composition"].update(sizee=0.5), "composition.sizee", "Extra inputs"),
    (lambda d: d["composition"].update(scale=[0.9, 0.5]), "composition", "low <= high"),
])
def test_a_bad_style_stops_the_loader_with_one_line(tmp_path, mutate, field, words):
    p = _write(tmp_path, "bad.json", mutate)
    with pytest.raises(StyleError) as err:
        load_style_file(p)
    msg = err.value.en
    assert "\n" not in msg and "bad.json" in msg and "'silk_classic'" in msg and field in msg and words in msg, msg
    assert err.value.field == field and err.value.zh


def test_not_json_and_duplicate_ids(tmp_path):
    (tmp_path / "a.json").write_text("{oops", encoding="utf-8")
    with pytest.raises(StyleError, match="a.json: not valid JSON"):
        list_styles(tmp_path)
    (tmp_path / "a.json").unlink()
    _write(tmp_path, "a.json", lambda d: None)
    _write(tmp_path, "b.json", lambda d: None)
    with pytest.raises(StyleError, match="b.json, style 'silk_classic': id: already used by a.json"):
        list_styles(tmp_path)
    with pytest.raises(StyleError, match="no style files"):
        list_styles(tmp_path / "empty")


def test_contact_sheet_command(tmp_path, capsys):
    out = tmp_path / "sheet.png"
    assert main(["contact-sheet", "-o", str(out), "--cell", "64"]) == 0
    with Image.open(out) as im:
        assert im.width >= 64 * N and im.height >= 64 * 8
    assert main(["contact-sheet", "-o", str(out), "--cell", "100"]) == 2
