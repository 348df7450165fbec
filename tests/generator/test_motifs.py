"""Motif catalogue and art: every motif renders sharp, undistorted and deterministic; the
catalogue rejects bad entries naming entry and field; curated phrases print in every font."""
from __future__ import annotations

import importlib
import json
import shutil

import numpy as np
import pytest
from PIL import ImageFilter

from generator import motifs
from base.errors import MotifError
from base.fonts import REGISTRY, missing_characters
from generator.motifs import draw

IDS = motifs.motif_ids()
SIZES = ((256, 256), (1024, 768))


@pytest.fixture(scope="module")
def renders():
    return {(m, s): motifs.render_motif(m, *s) for m in IDS for s in SIZES}


def _alpha(im):
    return np.asarray(im)[..., 3]


def _fitted(mid, w, h):
    vw, vh = motifs.svg_size(motifs.get_motif(mid).art)
    k = min(w / vw, h / vh)
    return k, vw * k, vh * k


def test_catalogue_has_the_six_heritage_motifs_and_more():
    assert {"sunbird", "sacred_tree", "eye_mask", "gold_mask", "standing_figure", "brocade"} <= set(IDS)
    assert motifs.get_motif("brocade").kind == "band"
    for m in motifs.list_motifs():
        assert m.art.is_file() and m.material in ("gold", "bronze", "cinnabar", "jade")
        assert m.story_zh.count("。") == 2, m.id          # two sentences for product backs
        assert 2 <= m.story_en.count(". ") + m.story_en.count("; ") + 1 <= 3, m.id
        assert not any("\u4e00" <= c <= "\u9fff" for c in m.prompt_en), m.id   # English scene


@pytest.mark.parametrize("mid", IDS)
def test_render_nonempty_transparent_outside_and_aspect_kept(renders, mid):
    boxes = {}
    for w, h in SIZES:
        a = _alpha(renders[mid, (w, h)])
        assert a.shape == (h, w)
        k, fw, fh = _fitted(mid, w, h)
        ys, xs = np.nonzero(a > 127)
        assert len(xs) > 0.05 * fw * fh, f"{mid} {w}x{h} is nearly empty"
        # everything outside the centred, fitted art area is transparent
        x0, y0 = (w - round(fw)) // 2, (h - round(fh)) // 2
        assert a[:, : max(0, x0 - 1)].max(initial=0) == 0 and a[: max(0, y0 - 1), :].max(initial=0) == 0
        boxes[w, h] = [(xs.min() - x0) / k, (xs.max() + 1 - x0) / k,
                       (ys.min() - y0) / k, (ys.max() + 1 - y0) / k, k]
    small, big = boxes[SIZES[0]], boxes[SIZES[1]]
    # same art bbox in viewBox units, within 2 px of the small render: no stretching
    tol = 2 / small[4]
    for a, b in zip(small[:4], big[:4]):
        assert abs(a - b) <= tol, (mid, small, big)


@pytest.mark.parametrize("mid", IDS)
def test_render_is_sharp_at_1024(renders, mid):
    im = renders[mid, (1024, 768)]
    a = _alpha(im)
    on = (a > 0).sum()
    soft = ((a > 0) & (a < 255)).sum() / on
    assert soft < 0.2, f"{mid}: {soft:.0%} of the art is half-transparent (blurred edges)"
    assert (a == 255).sum() / on > 0.8
    # the measure does catch blur: a 2 px Gaussian blur makes edges at least twice as soft
    if mid != "brocade":   # a band fills its rectangle: only the outer edge can blur
        b = _alpha(im.filter(ImageFilter.GaussianBlur(2)))
        assert ((b > 0) & (b < 255)).sum() / (b > 0).sum() > 2 * soft


@pytest.mark.parametrize("mid", IDS)
def test_render_deterministic(mid):
    one = motifs.render_motif(mid, 300, 200).tobytes()
    motifs._svg_png.cache_clear()
    assert motifs.render_motif(mid, 300, 200).tobytes() == one


@pytest.mark.parametrize("mid", draw.MOTIFS)
def test_committed_svg_matches_its_drawing_script(mid):
    """The art files are the output of generator/motifs/draw: edit the script, not the SVG."""
    module = importlib.import_module(f"generator.motifs.draw.{mid}")
    assert (motifs.HERE / "art" / f"{mid}.svg").read_text(encoding="utf-8") == module.draw()


def _polar_alpha(a, r_frac, n=1440):
    h, w = a.shape
    c, R = (w - 1) / 2, w / 2 * 490 / 500   # outer radius 490 of the 1000 viewBox
    t = np.arange(n) / n * 2 * np.pi
    xs = np.round(c + r_frac * R * np.cos(t)).astype(int)
    ys = np.round(c - r_frac * R * np.sin(t)).astype(int)
    return a[ys, xs] > 127


def _runs(ring, min_len=4):
    """Number of gold runs around a closed circle, ignoring pixel flicker shorter than
    min_len samples (a ray edge running almost along the circle)."""
    ring = ring.copy()
    for value in (True, False):              # drop tiny runs, then close tiny gaps
        starts = np.nonzero((ring != value) & np.roll(ring == value, -1))[0] + 1
        for s0 in starts:
            idx = np.arange(s0, s0 + min_len) % len(ring)
            run = ring[idx] == value
            if not run.all():
                ring[idx[: np.argmin(run)]] = not value
    return int(np.sum(ring & ~np.roll(ring, 1)))


def test_sunbird_geometry():
    a = _alpha(motifs.render_motif("sunbird", 1024, 1024))
    assert not _polar_alpha(a, 0.05).any()           # plain centre circle is open
    assert _runs(_polar_alpha(a, 0.25)) == 12        # 12 rays
    assert _runs(_polar_alpha(a, 0.35)) == 12
    assert _polar_alpha(a, 0.98).all()               # unbroken rim
    # 4 identical birds: the ring is 4-fold symmetric (90 degrees) but not 2x finer
    ring = [_polar_alpha(a, r) for r in (0.55, 0.65, 0.75, 0.85)]
    for rr in ring:
        assert (rr == np.roll(rr, 360)).mean() > 0.98
    assert min((rr == np.roll(rr, 180)).mean() for rr in ring) < 0.9
    # whole-image symmetry: rotating by 90 degrees gives the same ornament (no distortion)
    img = motifs.render_motif("sunbird", 1024, 1024)
    rot = _alpha(img.rotate(90))
    assert (np.abs(rot.astype(int) - a.astype(int)) > 127).mean() < 0.004
    # rays swirl clockwise: going outwards, the ray pattern turns to smaller (clockwise) angles
    inner = _polar_alpha(a, 0.2).astype(float) - 0.5
    outer = _polar_alpha(a, 0.26).astype(float) - 0.5      # 4 samples per degree
    shift = max(range(-48, 49), key=lambda s: float((np.roll(inner, s) * outer).sum())) / 4
    assert -14 <= shift <= -3, shift


def test_brocade_band_tiles_horizontally():
    """Left and right edges of the band continue each other when tiled."""
    im = np.asarray(motifs.render_motif("brocade", 1200, 300).convert("RGB")).astype(int)
    assert np.abs(im[:, 0] - im[:, -1]).mean() < 40
    # one pattern period (400 of 1200) repeats exactly inside the strip
    assert np.abs(im[:, 100:500] - im[:, 500:900]).mean() < 2
    vw, vh = motifs.svg_size(motifs.get_motif("brocade").art)
    assert vw / vh >= 3 and vw % draw.brocade.PERIOD == 0


def test_phrases_curated_and_printable_in_every_font():
    for m in motifs.list_motifs():
        assert 6 <= len(m.phrases) <= 10, m.id
        zh = [p["zh"] for p in m.phrases]
        assert len(set(zh)) == len(zh), m.id
        for p in m.phrases:
            assert 2 <= len(p["zh"]) <= 8 and p["en"].strip(), (m.id, p)
            for font in REGISTRY:
                assert missing_characters(p["zh"], font) == [], (m.id, p["zh"], font)


def test_unknown_motif_names_the_field():
    with pytest.raises(MotifError) as e:
        motifs.get_motif("dragon")
    assert e.value.field == "motif" and "sunbird" in e.value.en and "未知纹样" in e.value.zh


# --- catalogue validation on real files in a temp folder ------------------------------

@pytest.fixture
def cat_dir(tmp_path):
    shutil.copytree(motifs.HERE / "art", tmp_path / "art")
    entries = json.loads(motifs.CATALOGUE.read_text(encoding="utf-8"))
    return tmp_path, entries


def _write(tmp, entries):
    p = tmp / "catalogue.json"
    p.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return p


def _error(tmp, entries) -> MotifError:
    with pytest.raises(MotifError) as e:
        motifs.load_catalogue(_write(tmp, entries))
    return e.value


def test_valid_copy_loads(cat_dir):
    tmp, entries = cat_dir
    loaded = motifs.load_catalogue(_write(tmp, entries))
    assert list(loaded) == IDS and loaded["sunbird"].art == (tmp / "art/sunbird.svg").resolve()


@pytest.mark.parametrize("field", ["name_en", "story_zh", "prompt_en", "art"])
def test_missing_field(cat_dir, field):
    tmp, entries = cat_dir
    del entries[2][field]
    err = _error(tmp, entries)
    assert err.field == field and f"entry 2 ('{entries[2]['id']}')" in err.en and field in err.zh


def test_missing_svg(cat_dir):
    tmp, entries = cat_dir
    (tmp / "art/gold_mask.svg").unlink()
    err = _error(tmp, entries)
    assert err.field == "art" and "gold_mask" in err.en and "not found" in err.en


def test_svg_without_viewbox(cat_dir):
    tmp, entries = cat_dir
    (tmp / "art/new.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                     '<circle cx="5" cy="5" r="4"/></svg>', encoding="utf-8")
    entries.append(dict(entries[0], id="new_motif", art="art/new.svg"))
    err = _error(tmp, entries)
    assert err.field == "art" and "new_motif" in err.en and "viewBox" in err.en


def test_not_an_svg(cat_dir):
    tmp, entries = cat_dir
    (tmp / "art/broken.svg").write_text("<svg viewBox='0 0 1 1'", encoding="utf-8")
    entries[0]["art"] = "art/broken.svg"
    assert _error(tmp, entries).field == "art"


def test_duplicate_id(cat_dir):
    tmp, entries = cat_dir
    entries.append(dict(entries[1]))
    err = _error(tmp, entries)
    assert err.field == "id" and "duplicate" in err.en and "sacred_tree" in err.en and "重复" in err.zh


@pytest.mark.parametrize("field,value", [("ground", "red"), ("accent", "#12345"), ("material", "silver"),
                                         ("kind", "tile"), ("phrases", [{"zh": "福", "en": "luck"}]),
                                         ("phrases", [{"zh": "福如东海寿比南山", "en": ""}]),
                                         ("id", "Sun Bird"), ("colour", "#FFFFFF")])
def test_bad_values_name_the_field(cat_dir, field, value):
    tmp, entries = cat_dir
    entries[0][field] = value
    err = _error(tmp, entries)
    assert err.field == field and "entry 0" in err.en


def test_unreadable_catalogue(tmp_path):
    p = tmp_path / "catalogue.json"
    p.write_text("[{", encoding="utf-8")
    with pytest.raises(MotifError, match="unreadable"):
        motifs.load_catalogue(p)
    p.write_text("{}", encoding="utf-8")
    with pytest.raises(MotifError, match="non-empty JSON list"):
        motifs.load_catalogue(p)


def test_cut_outs_are_real_holes():
    """Holes in the metal show the ground (transparent), not a painted dark colour."""
    a = _alpha(motifs.render_motif("eye_mask", 1380, 660))     # 1 px per viewBox unit
    assert a[176, 690] == 0 and a[300, 690] == 255            # forehead hole, nose
    g = _alpha(motifs.render_motif("gold_mask", 900, 400))
    assert g[160, 450 - 180] == 0 and g[320, 450] == 0 and g[250, 450] == 255   # eye, mouth, nose
    s = _alpha(motifs.render_motif("sunbird", 1000, 1000))
    assert s[500, 500] == 0 and s[500, 20] == 255
