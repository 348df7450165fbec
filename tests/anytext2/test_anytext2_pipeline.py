"""AnyText2 beyond the recorded run: several lines, a vertical line, an unset colour, a per-line
font, a prompt longer than 77 tokens, edit mode, seeds, progress and cancel (tiny fixture model)."""
import threading

import numpy as np
import pytest
import torch

from base.errors import CancelledError
from base.fonts import get_font
from generator.anytext2 import render
from generator.anytext2.pipeline import modify_prompt

UKAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"
H_BOX = np.array([[40, 40], [40, 90], [200, 90], [200, 40]], np.int32)     # horizontal, top
V_BOX = np.array([[200, 110], [200, 250], [240, 250], [240, 110]], np.int32)  # tall: vertical


def _cond(colors=((200, 30, 30), None)):
    font = get_font("wenkai").path
    return render.build_conditions2(["天路", "丝绸之路"], [H_BOX, V_BOX], 256, 256, font,
                                    [font, UKAI], list(colors))


def test_several_lines_vertical_unset_colour():
    cond = _cond()
    assert [ln.index for ln in cond.lines] == [0, 1]
    assert cond.lines[1].color == (500, 500, 500)
    # an unset colour draws white; a set one its (clipped) colour
    assert cond.lines[1].glyph.max() == 1.0
    assert np.allclose(cond.lines[0].glyph.reshape(-1, 3).max(0), np.array([200, 30, 30]) / 255)
    # vertical: characters stacked in the tall box
    ys, xs = np.nonzero(cond.lines[1].glyph.sum(-1))
    assert ys.max() - ys.min() > 2 * (xs.max() - xs.min())
    assert xs.min() >= 200 and xs.max() <= 241
    # the font hint of each line uses that line's font; the two renders differ from the glyph font's
    base = render.draw_glyph2(get_font("wenkai").path, "丝绸之路", V_BOX, (255, 255, 255), 256, 256)[..., 0]
    assert not np.array_equal(base, cond.lines[1].font_hint)
    crops = cond.style_crops()
    assert crops[0].shape[1] < crops[0].shape[2] and crops[1].shape[1] > crops[1].shape[2]
    assert cond.glyphs_bin.sum() > 0 and cond.positions_sum.max() == 1


def test_style_batch_sorted_by_aspect_maps_back_to_line_order(fixture2_model):
    em = fixture2_model.text_embedder
    crops = _cond().style_crops() + [_cond().style_crops()[0][:, :, :80]]
    with torch.no_grad():
        together = em.style_emb(crops)
        alone = torch.cat([em.style_emb([c]) for c in crops])
    assert torch.allclose(together, alone, atol=1e-5)


def test_line_embedding_differs_by_colour_and_font(fixture2_pipe):
    with torch.no_grad():
        a = fixture2_pipe.line_embeddings(_cond(((200, 30, 30), None)))
        b = fixture2_pipe.line_embeddings(_cond(((200, 30, 30), (10, 200, 10))))
    assert torch.equal(a[0], b[0]) and not torch.allclose(a[1], b[1])


def test_long_image_prompt_two_calls(fixture2_pipe):
    pe = fixture2_pipe.prompt_encoder
    long_prompt = "a * " + "ornament " * 90 + "and *"
    emb = torch.randn(2, 64)
    ctx = fixture2_pipe.encode_prompts(long_prompt, "Texts are * and *", emb)
    assert ctx.img_cond.shape == (1, 154, 64) and ctx.img_uncond.shape == (1, 77, 64)
    assert ctx.text_cond.shape == (1, 77, 64)
    assert modify_prompt('say "a"  and "b"') == ("say *  and *", ["a", "b"])
    assert pe.chunk_ids(long_prompt).shape == (2, 77)


def test_pipeline_generate_edit_seeds_progress_cancel(fixture2_pipe):
    pipe = fixture2_pipe
    font = get_font("wenkai").path
    steps = []
    kw = {"fonts": [font, UKAI], "colors": [(200, 30, 30), None], "width": 256, "height": 256,
          "num_inference_steps": 2}
    out = pipe("a red silk scroll", 'Texts are "天路" and "丝绸之路"', [V_BOX, H_BOX], seeds=[1, 2],
               progress=lambda d, t, m: steps.append((d, t)), **kw)
    assert len(out.images) == 2 and out.images[0].size == (256, 256) and steps == [(1, 2), (2, 2)]
    # reading order: the top (horizontal) box gets the first quoted text
    assert [ln.text for ln in out.conditions.lines] == ["天路", "丝绸之路"]
    assert out.conditions.order == [1, 0]
    assert out.info["text_prompt"] == "Texts are * and *"
    again = pipe("a red silk scroll", 'Texts are "天路" and "丝绸之路"', [V_BOX, H_BOX], seeds=[2], **kw)
    assert torch.allclose(again.latents[0], out.latents[1], atol=1e-3)  # one candidate per seed (batch of 2 vs 1)
    src = np.full((256, 256, 3), 120, np.uint8)
    ed = pipe("a red silk scroll", 'Texts are "天路"', [H_BOX], mode="edit", source_image=src, seeds=[3],
              keep_unmasked=True, num_inference_steps=2, erase=[V_BOX])
    assert ed.images[0].size == (256, 256) and ed.info["erased"] == 1
    assert np.abs(np.asarray(ed.images[0])[5, 5].astype(int) - 120).max() <= 2   # kept outside
    ev = threading.Event()
    ev.set()
    with pytest.raises(CancelledError):
        pipe("x", 'Texts are "天路"', [H_BOX], cancel=ev, **{**kw, "fonts": None, "colors": None})
    with pytest.raises(ValueError, match="quotes 1 texts but 2"):
        pipe("x", 'Texts are "天路"', [H_BOX, V_BOX], width=256, height=256)
