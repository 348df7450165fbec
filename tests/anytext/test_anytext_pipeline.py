"""The pipeline and backend on a tiny random model in the official layout (make_tiny_state_dict):
schedule, tokenizer, OCR embedding, both modes, seeds, caching, progress and cancellation, and the
`python -m generator render --backend anytext` path with KIOSK_WEIGHTS pointing at a make-tiny folder."""
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from generator import glyphs
from generator.anytext.config import AnyTextConfig, PLACEHOLDER_ID
from generator.anytext.pipeline import edit_image_size, prepare_edit_image
from base.errors import CancelledError
from base.fonts import get_font

REPO = Path(__file__).resolve().parents[2]
PROMPT = 'a bronze tree, with the words "天路" written on it'
BOX = glyphs.box_to_polygon((0.1, 0.3, 0.8, 0.25), 256, 256)


@pytest.mark.parametrize("steps", [10, 20, 25, 50])
def test_ddim_timesteps_follow_the_original_rule(steps):
    from diffusers import DDIMScheduler

    s = DDIMScheduler(**AnyTextConfig.tiny().scheduler_config())
    s.set_timesteps(steps)
    assert s.timesteps.tolist() == [t + 1 for t in range(0, 1000, 1000 // steps)][::-1]
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    ac = torch.cumprod(1 - betas, 0)
    assert torch.allclose(s.alphas_cumprod.double(), ac, rtol=1e-6)
    assert float(s.final_alpha_cumprod) == pytest.approx(float(ac[0]))  # set_alpha_to_one=False


def test_tokenizer_offline_ids():
    from generator.anytext.tokenizer import load_tokenizer

    tok = load_tokenizer()
    assert len(tok) == 49408
    assert tok("a photo of a cat").input_ids == [49406, 320, 1125, 539, 320, 2368, 49407]
    assert tok("*").input_ids == [49406, PLACEHOLDER_ID, 49407]


@pytest.fixture(scope="module")
def tiny_pipe():
    from generator.anytext.convert import load_official, make_tiny_state_dict
    from generator.anytext.pipeline import AnyTextPipeline
    from generator.anytext.tokenizer import load_tokenizer

    return AnyTextPipeline(load_official(make_tiny_state_dict(seed=0)), load_tokenizer(), get_font("hei").path,
                           get_font("hei").index)


def test_ocr_embedding_shape_and_dtype(tiny_pipe):
    font = get_font("hei")
    lines = torch.from_numpy(np.stack([glyphs.glyph_line(t, font.path, font.index) for t in ("天路", "金沙遗址")]))
    with torch.no_grad():
        emb = tiny_pipe.model.text_embedder(lines[:, None])
    assert emb.shape == (2, 64) and emb.dtype == torch.float32
    assert not torch.allclose(emb[0], emb[1])


def test_long_prompt_chunks_restart_at_line_zero(tiny_pipe):
    pe = tiny_pipe.prompt_encoder
    long_prompt = " ".join(["gold"] * 80) + " * and * " + ", ".join(["bronze"] * 10)
    ids = pe.chunk_ids(long_prompt)
    assert ids.shape == (2, 77) and (ids[:, 0] == 49406).all() and (ids[:, -1] == 49407).all()
    lines = torch.randn(2, 64)
    emb = pe.token_embeds(ids, lines)
    stars = (ids == PLACEHOLDER_ID).nonzero().tolist()
    assert [r for r, _ in stars] == [1, 1]  # both in the second chunk
    assert torch.equal(emb[1, stars[0][1]], lines[0]) and torch.equal(emb[1, stars[1][1]], lines[1])
    ctx, _ = pe.encode(long_prompt, lines)
    assert ctx.shape == (1, 154, 64)


def run(pipe, **kw):
    args = dict(width=256, height=256, seeds=[7], num_inference_steps=2)
    args.update(kw)
    return pipe(kw.pop("prompt", PROMPT), kw.pop("polygons", [BOX]), **{k: v for k, v in args.items()
                                                                       if k not in ("prompt", "polygons")})


def test_generate_seeds_cache_progress(tiny_pipe):
    calls = []
    a = run(tiny_pipe, seeds=[7, 8], progress=lambda d, t, m: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]
    assert [im.size for im in a.images] == [(256, 256)] * 2 and a.seeds == [7, 8]
    assert not torch.allclose(a.latents[0], a.latents[1])
    # a seed reproduces its candidate whatever else is in the job, and without the per-job
    # caching (aux module inside every ControlNet call) the numbers are the same
    b = run(tiny_pipe, seeds=[8], cache=False)
    scale = float(b.latents.abs().max())
    assert float((a.latents[1:] - b.latents).abs().max()) <= 1e-5 * scale
    assert a.info["texts"] == ["天路"] and "*" in a.info["prompt"]


def test_cancel(tiny_pipe):
    ev = threading.Event()
    with pytest.raises(CancelledError):
        run(tiny_pipe, num_inference_steps=3, progress=lambda d, t, m: ev.set(), cancel=ev)


def test_check_inputs(tiny_pipe):
    with pytest.raises(ValueError, match="quotes 1 texts but 2 positions"):
        run(tiny_pipe, polygons=[BOX, BOX])
    with pytest.raises(ValueError, match="edit mode needs source_image"):
        run(tiny_pipe, mode="edit")


def test_edit_mode_keeps_the_rest(tiny_pipe):
    rng = np.random.default_rng(0)
    src = Image.fromarray(rng.integers(0, 256, (200, 300, 3), np.uint8))
    assert edit_image_size(300, 200) == (256, 192)
    poly = glyphs.box_to_polygon((0.2, 0.3, 0.5, 0.3), 256, 192)
    out = run(tiny_pipe, mode="edit", source_image=src, polygons=[poly], keep_unmasked=True)
    img = np.asarray(out.images[0]).astype(int)
    assert img.shape == (192, 256, 3)
    ref = prepare_edit_image(src).astype(int)  # the original's resize and [1, 255] clip
    assert ref.shape == (192, 256, 3)
    assert np.abs(img[:30] - ref[:30]).max() <= 2   # far from the box: the source
    x0, y0 = poly.min(0)
    x1, y1 = poly.max(0)
    assert np.abs(img[y0:y1, x0:x1] - ref[y0:y1, x0:x1]).mean() > 10  # inside: regenerated


def test_edit_mode_erase_boxes_are_redrawn_without_glyphs(tiny_pipe):
    rng = np.random.default_rng(1)
    src = Image.fromarray(rng.integers(0, 256, (192, 256, 3), np.uint8))
    poly = glyphs.box_to_polygon((0.1, 0.1, 0.4, 0.2), 256, 192)
    gone = glyphs.box_to_polygon((0.5, 0.6, 0.4, 0.3), 256, 192)
    with pytest.raises(ValueError, match="erase boxes need edit mode"):
        run(tiny_pipe, erase=[gone])
    # erase only: no quoted text, the prompt is the scene alone
    out = run(tiny_pipe, prompt="a bronze mask", polygons=[], mode="edit", source_image=src,
              erase=[gone], keep_unmasked=True)
    assert out.info["texts"] == [] and out.info["erased"] == 1 and not out.conditions.lines
    img, ref = np.asarray(out.images[0]).astype(int), prepare_edit_image(src).astype(int)
    x0, y0 = gone.min(0)
    x1, y1 = gone.max(0)
    assert np.abs(img[y0:y1, x0:x1] - ref[y0:y1, x0:x1]).mean() > 10   # the box is redrawn
    assert np.abs(img[:15] - ref[:15]).max() <= 2                         # the rest stays
    # with a written line too: glyphs only where text goes, both boxes masked
    both = run(tiny_pipe, mode="edit", source_image=src, polygons=[poly], erase=[gone])
    g = both.conditions.glyphs_sum
    assert g[2 * y0:2 * y1, 2 * x0:2 * x1].sum() == 0 and g.sum() > 0
    assert both.conditions.positions_sum[y0:y1, x0:x1].sum() == 0


@pytest.fixture(scope="module")
def tiny_weights_dir(tmp_path_factory):
    from weights.cli import main

    d = tmp_path_factory.mktemp("tinyw")
    assert main(["make-tiny", str(d)]) == 0
    return d


def test_render_cli_both_modes(tiny_weights_dir, tmp_path):
    env = dict(os.environ, KIOSK_WEIGHTS=str(tiny_weights_dir), KIOSK_ANYTEXT_STEPS="2")
    design = {"motif": "sunbird", "backend": "anytext", "seed": 1,
              "lines": [{"text": "天路", "box": [0.1, 0.1, 0.8, 0.2]},
                        {"text": "金沙", "box": [0.4, 0.4, 0.15, 0.5], "vertical": True}]}
    (tmp_path / "gen.json").write_text(json.dumps(design, ensure_ascii=False))
    out = tmp_path / "gen.png"
    r = subprocess.run([sys.executable, "-m", "generator", "render", str(tmp_path / "gen.json"), "-o", str(out),
                        "--size", "256x256"], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "backend anytext" in r.stdout and Image.open(out).size == (256, 256)

    # edit mode through the backend object the worker uses (same code path, no second process)
    from generator.anytext.backend import AnyTextBackend
    from generator.design import make_design

    os.environ["KIOSK_WEIGHTS"] = str(tiny_weights_dir)
    try:
        be = AnyTextBackend(steps=2)
        d = make_design(dict(design, mode="edit", source_image=str(out), lines=design["lines"][:1]))
        art = be.generate(d, size=(320, 256), n=2, check=True)
        # an empty line erases its box: it is masked but gets no quoted text in the prompt
        erase = make_design(dict(design, mode="edit", source_image=str(out),
                                 lines=[{"text": "", "box": [0.1, 0.1, 0.8, 0.2]}]))
        gone = be.generate(erase, size=(256, 256), n=1, check=True)
    finally:
        os.environ.pop("KIOSK_WEIGHTS")
    assert art.backend == "anytext" and art.size == (320, 256) and len(art.candidates) == 2
    assert [c.seed for c in art.candidates] == [1, 2]
    assert all(c.image.size == (320, 256) and len(c.checks) == 1 for c in art.candidates)
    assert art.info["kind"] == "tiny" and art.info["device"] == "cpu" and art.info["steps"] == 2
    assert '"' not in gone.info["prompt"] and gone.candidates[0].checks[0].expected == ""


def test_backend_without_weights(tmp_path, monkeypatch):
    from generator.anytext.backend import AnyTextBackend
    from generator.design import make_design
    from base.errors import BackendError

    monkeypatch.setenv("KIOSK_WEIGHTS", str(tmp_path))
    d = make_design({"motif": "sunbird", "backend": "anytext", "lines": [{"text": "天路", "box": [0.1, 0.1, 0.8, 0.2]}]})
    with pytest.raises(BackendError, match="no valid AnyText weights"):
        AnyTextBackend().generate(d, size=(256, 256))


def test_tokenizer_from_model_folder(tmp_path):
    """A clip-vit-large-patch14 folder beside the checkpoint is preferred (files written here from
    the offline vocabulary, so the ids must agree)."""
    from generator.anytext.tokenizer import build_vocab, load_tokenizer

    vocab, merges = build_vocab()
    (tmp_path / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "merges.txt").write_text("#version: 0.2\n" + "\n".join(" ".join(m) for m in merges) + "\n",
                                         encoding="utf-8")
    tok = load_tokenizer(str(tmp_path))
    text = 'a golden ornament on red silk, with the words  *  written on it'
    assert tok(text).input_ids == load_tokenizer()(text).input_ids
