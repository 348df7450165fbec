"""convert: official layout -> fp16 safetensors, same tensors up to fp16 rounding."""
from __future__ import annotations

import json

import torch
from safetensors import safe_open

from weights import read_state_dict, resolve, status
from weights.cli import main
from weights.convert import to_fp16
from weights.importing import import_file
from weights.manifest import load_manifest


def test_convert_round_trip_and_resolve_prefers_it(wdir, usb, sd, capsys):
    src = usb / "w.ckpt"
    torch.save({"state_dict": sd}, src)
    import_file(src)
    assert resolve().checkpoint.name == "w.ckpt"
    assert main(["convert", "--src", str(wdir / "w.ckpt")]) == 0
    assert "wrote w.fp16.safetensors" in capsys.readouterr().out
    out = wdir / "w.fp16.safetensors"
    got = read_state_dict(out)
    ignored = set(load_manifest().ignored_keys)
    assert set(got) == set(sd) - ignored
    for k, v in sd.items():
        if k in ignored:
            continue
        if v.is_floating_point():
            assert got[k].dtype == torch.float16
            assert torch.equal(got[k], v.to(torch.float16)), k     # exactly the fp16 rounding
            assert torch.allclose(got[k].float(), v, rtol=1e-3, atol=1e-4), k
        else:
            assert got[k].dtype == v.dtype and torch.equal(got[k], v), k
    with safe_open(str(out), "pt") as f:
        meta = f.metadata()
    assert meta["source"] == "w.ckpt" and "betas" in meta["dropped"].split(",")
    state = json.loads((wdir / "state.json").read_text())
    assert state["files"]["w.fp16.safetensors"]["detail"]["source_sha256"] == \
        state["files"]["w.ckpt"]["sha256"]
    # the kiosk now loads the converted file, and it is smaller
    r = resolve()
    assert r.checkpoint == out
    assert out.stat().st_size < 0.6 * (wdir / "w.ckpt").stat().st_size
    assert status().use == "w.fp16.safetensors"


def test_pipeline_outputs_same_before_and_after_convert(wdir, usb):
    """The parity-size model: the converted file drives the pipeline to the same latents as the
    official-layout .ckpt (up to fp16 rounding of the weights), and exactly to those of the
    fp16-rounded original: conversion loses nothing else."""
    from generator.anytext.convert import load_official, make_tiny_state_dict
    from generator.anytext.pipeline import AnyTextPipeline
    from generator.anytext.tokenizer import load_tokenizer
    from base.fonts import get_font
    from generator.glyphs import box_to_polygon

    sd = make_tiny_state_dict(0)
    src = usb / "tiny.ckpt"
    torch.save({"state_dict": sd}, src)
    import_file(src)
    assert main(["convert", "--src", str(wdir / "tiny.ckpt")]) == 0
    tok, font = load_tokenizer(), get_font("hei")
    poly = box_to_polygon((0.2, 0.3, 0.6, 0.25), 128, 128)
    converted = load_official(read_state_dict(wdir / "tiny.fp16.safetensors"))
    rounded = load_official({k: v.half().float() if v.is_floating_point() else v
                             for k, v in sd.items()})
    a, b = converted.state_dict(), rounded.state_dict()
    assert set(a) == set(b) and all(torch.equal(a[k], b[k]) for k in a)

    def run(model):
        pipe = AnyTextPipeline(model, tok, font.path, font.index)
        return pipe('a bronze plaque that reads "天路"', [poly], width=128, height=128, seeds=[3],
                    num_inference_steps=1).latents

    before = run(load_official(read_state_dict(wdir / "tiny.ckpt")))
    after = run(converted)
    rel = ((after - before).norm() / before.norm()).item()
    assert 0 < rel < 1e-2, rel


def test_fp16_overflow_stays_fp32():
    sd = {"a": torch.tensor([1.0, 70000.0]), "b": torch.tensor([0.5]), "c": torch.tensor(3)}
    out, dropped, kept = to_fp16(sd, drop=["b"])
    assert kept == ["a"] and dropped == ["b"]
    assert out["a"].dtype == torch.float32 and out["c"].dtype == torch.int64


def test_convert_without_checkpoint_says_import_first(wdir, capsys):
    assert main(["convert"]) == 2
    err = capsys.readouterr().err
    assert "anytext_v1.1.ckpt not found" in err and "import" in err
