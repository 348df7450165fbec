"""Art sizing: multiples of 64 in the window's aspect, crops that keep the text whole,
extension instead of cutting text, Lanczos upscale recorded."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import layouts
from layouts.spec import Box
from products.geometry import fit_art, plan_art


@pytest.mark.parametrize("spec", layouts.list_layouts(), ids=lambda s: s.id)
def test_plan_is_multiple_of_64_near_aspect_and_300ppi(spec):
    win = spec.front.art
    plan = plan_art(win, "procedural")
    w, h = plan.generate_px
    assert w % 64 == 0 and h % 64 == 0
    assert w >= plan.needed_px[0] and h >= plan.needed_px[1]
    assert abs(w / h - win.w / win.h) / (win.w / win.h) < 0.06
    w, h = plan_art(win, "anytext").generate_px
    assert max(w, h) <= 768 and w % 64 == 0 and h % 64 == 0


def _marked(w, h, box):
    """An image with a white block exactly where the text box is."""
    img = np.zeros((h, w, 3), np.uint8)
    x, y, bw, bh = box
    img[round(y * h):round((y + bh) * h), round(x * w):round((x + bw) * w)] = 255
    return Image.fromarray(img)


def test_crop_slides_to_keep_text_whole():
    win = Box(x=0, y=0, w=50, h=100)              # aspect 0.5
    box = (0.02, 0.4, 0.3, 0.1)                    # text at the far left of a square image
    out, info = fit_art(_marked(800, 800, box), win, ppi=100, keep=[box])
    assert out.width / out.height == pytest.approx(0.5, abs=0.01)
    assert info["crop_px"][0] == 0                 # slid left instead of centring
    white = (np.asarray(out)[..., 0] > 128).sum()
    assert white == pytest.approx(0.3 * 800 * 0.1 * 800, rel=0.05)   # nothing of it cut


def test_text_wider_than_any_crop_extends_instead():
    win = Box(x=0, y=0, w=50, h=100)
    box = (0.02, 0.4, 0.96, 0.1)
    out, info = fit_art(_marked(800, 800, box), win, ppi=100, keep=[box])
    assert out.width / out.height == pytest.approx(0.5, abs=0.01)
    assert info["extended_px"] == [0, 800]
    white = (np.asarray(out)[..., 0] > 200).sum()
    assert white >= 0.9 * 0.96 * 800 * 0.1 * 800


def test_small_art_upscaled_with_lanczos_to_300ppi():
    win = Box(x=0, y=0, w=154, h=106)
    out, info = fit_art(Image.new("RGB", (768, 528), "red"), win)
    assert info["upscaled"]["method"] == "lanczos"
    assert info["effective_ppi"] >= 300 and info["source_ppi"] < 150
