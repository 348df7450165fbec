"""train-motif on a tiny random AnyText (2-level UNet) and photos drawn in the test: the loss goes
down, the adapter is written and recorded, loads, changes the UNet's output, an interrupted run
resumes from its checkpoint; textual inversion too."""
from __future__ import annotations

import pytest
import torch
from motif_photos import write_photos

from weights.adapters import load_adapters

STEPS = 30


def small_config():
    """The parity fixture's tiny size with a 2-level UNet: a training step in well under a second."""
    from generator.anytext.config import AnyTextConfig

    return AnyTextConfig.tiny().replace(channel_mult=(1, 2), ocr_classes=100)


def write_base(folder, seed=0):
    """A verified weights folder holding a small random AnyText checkpoint; returns its sha256."""
    from generator.anytext.convert import make_tiny_state_dict
    from weights.convert import save_safetensors
    from weights.state import record_file
    from weights.store import sha256_file

    folder.mkdir(parents=True, exist_ok=True)
    sd = make_tiny_state_dict(seed, small_config())
    f = folder / f"anytext_small{seed}.safetensors"
    save_safetensors({k: v.contiguous() for k, v in sd.items()}, f, {"format": "pt"})
    sha = sha256_file(f)
    record_file(f, kind="tiny", sha256=sha, keys=len(sd), size_class="reduced", activate=True, dir=folder)
    return sha


def options(photos, **kw):
    from weights.training import TrainOptions

    base = dict(id="vessel", name_zh="铜尊", name_en="Bronze vessel", photos=str(photos), steps=STEPS,
                resolution=64, lr=1e-3, samples=2, sample_steps=3, checkpoint_every=10)
    base.update(kw)
    return TrainOptions(**base)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One LoRA run, interrupted after 12 steps and resumed to 30 (as a rerun of the command)."""
    from weights.training import Trainer

    tmp = tmp_path_factory.mktemp("train")
    photos = write_photos(tmp / "photos")
    wdir = tmp / "weights"
    base_sha = write_base(wdir)
    logs = []
    first = Trainer(options(photos), wdir, log=logs.append)
    assert first.run(stop_after=12) is None
    ck = wdir / "training" / "vessel" / "checkpoint.pt"
    assert ck.is_file()
    assert torch.load(ck, weights_only=True)["step"] == 12
    second = Trainer(options(photos), wdir, log=logs.append)
    rec = second.run()
    return {"dir": wdir, "rec": rec, "trainer": second, "logs": logs, "base_sha": base_sha,
            "photos": photos}


def test_training_lowers_the_loss_and_resumes(trained):
    tr, logs = trained["trainer"], trained["logs"]
    assert "resuming from step 12" in "\n".join(logs)
    assert len(tr.losses) == STEPS                     # 12 before the interruption, 18 after
    assert tr.eval_losses["end"] < tr.eval_losses["start"] * 0.97, tr.eval_losses
    progress = [ln for ln in logs if ln.startswith("step ")]
    assert progress and all("loss" in ln and "left" in ln and "steps/s" in ln for ln in progress)
    assert not (trained["dir"] / "training" / "vessel").exists()   # checkpoint removed when done


def test_adapter_is_written_and_recorded(trained):
    from safetensors import safe_open

    from weights.store import sha256_file

    wdir, rec = trained["dir"], trained["rec"]
    path = wdir / rec.file
    assert path.name == "vessel.safetensors" and sha256_file(path) == rec.sha256
    assert load_adapters(wdir).adapters["vessel"] == rec
    assert rec.base_sha256 == trained["base_sha"] and rec.method == "lora" and rec.steps == STEPS
    assert rec.photos == 5 and rec.enabled is False and len(rec.samples) == 2
    assert all((wdir / s).is_file() for s in rec.samples) and (wdir / rec.photo).is_file()
    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
        keys = list(f.keys())
    assert meta["token"] == rec.token and meta["base_sha256"] == rec.base_sha256
    assert keys and all(k.startswith("unet.") and ".lora_" in k for k in keys)
    assert rec.token and len(rec.token) >= 2 and " " not in rec.token


def test_adapter_loads_and_changes_the_unet(trained):
    from generator.anytext.adapters import MotifAdapters
    from generator.anytext.convert import load_official
    from weights.store import read_state_dict, resolve

    wdir, rec = trained["dir"], trained["rec"]
    model = load_official(read_state_dict(resolve(wdir).checkpoint))
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1, 4, 8, 8, generator=g)
    ctx = torch.randn(1, 77, model.config.context_dim, generator=g)

    def eps():
        with torch.no_grad():
            return model.unet(x, 500, encoder_hidden_states=ctx).sample

    before = eps()
    adapters = MotifAdapters(model)
    adapters.load("vessel", wdir / rec.file)
    assert torch.equal(eps(), before)                 # loaded, not active
    adapters.activate("vessel")
    assert (eps() - before).abs().max() > 1e-4        # active: the UNet answers differently
    adapters.activate(None)
    assert torch.allclose(eps(), before)              # off again: the base model


def test_other_settings_start_over_text_encoder_and_prior(trained):
    """A checkpoint of other settings is not resumed; LoRA on the text encoder too, with
    prior-preservation images drawn by the base model first; the adapter loads back."""
    from generator.anytext.adapters import MotifAdapters, read_adapter
    from generator.anytext.convert import load_official
    from weights.store import read_state_dict, resolve
    from weights.training import Trainer, encode_text

    wdir = trained["dir"]
    logs = []
    t = Trainer(options(trained["photos"], steps=4, rank=4, samples=0, id="vessel_b", prior=2,
                        text_encoder=True), wdir, log=logs.append)
    t.work.mkdir(parents=True)
    torch.save({"fingerprint": "something else", "step": 3}, t.work / "checkpoint.pt")
    rec = t.run()
    assert "starting over" in "\n".join(logs) and len(t.losses) == 4
    assert t.prior_mean.shape[0] == 2 and "prior-preservation" in "\n".join(logs)
    tensors, meta = read_adapter(wdir / rec.file)
    assert meta["text_encoder"] == "1" and rec.text_encoder
    assert any(k.startswith("text_encoder.") for k in tensors) and any(k.startswith("unet.") for k in tensors)
    model = load_official(read_state_dict(resolve(wdir).checkpoint))
    prompt = f"a photo of {rec.token} bronze"
    with torch.no_grad():
        before = encode_text(model, t.tokenizer, [prompt])
        adapters = MotifAdapters(model)
        adapters.load("vessel_b", wdir / rec.file)
        adapters.activate("vessel_b")
        after = encode_text(model, t.tokenizer, [prompt])
    assert after.shape == before.shape and torch.isfinite(after).all()


def test_textual_inversion(tmp_path):
    from generator.anytext.adapters import MotifAdapters
    from generator.anytext.convert import load_official
    from weights.store import read_state_dict, resolve
    from weights.training import Trainer, encode_text

    photos = write_photos(tmp_path / "photos")
    wdir = tmp_path / "weights"
    write_base(wdir)
    t = Trainer(options(photos, id="vessel_ti", method="ti", steps=8, lr=5e-2, samples=0), wdir,
                log=lambda s: None)
    rec = t.run()
    assert rec.method == "ti" and rec.rank is None
    model = load_official(read_state_dict(resolve(wdir).checkpoint))
    tok = t.tokenizer
    with torch.no_grad():
        before = encode_text(model, tok, [f"a photo of {rec.token} bronze"])
        adapters = MotifAdapters(model)
        adapters.load("vessel_ti", wdir / rec.file)
        adapters.activate("vessel_ti")
        after = encode_text(model, tok, [f"a photo of {rec.token} bronze"])
        adapters.activate(None)
        again = encode_text(model, tok, [f"a photo of {rec.token} bronze"])
    assert (after - before).abs().max() > 1e-3 and torch.equal(again, before)


def test_cli_rejects_bad_options(tmp_path, capsys):
    from weights.cli import main

    photos = write_photos(tmp_path / "photos")
    assert main(["--dir", str(tmp_path / "w"), "train-motif", str(photos), "--id", "Bad Id",
                 "--name-zh", "x", "--name-en", "x"]) == 2
    assert "--id" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train-motif", str(photos), "--id", "ok", "--name-zh", "x", "--name-en", "x",
              "--steps", "0"])
