"""AnyText2 weights through the same commands as v1: import, verify, convert, swap-base, --lora,
status; and one clear line for each bad file (truncated, the wrong version, a pickle with code)."""
from __future__ import annotations

import json
import pickle

import pytest
import torch
from conftest import TEXT, UNET, sd15_base
from safetensors.torch import save_file
from test_weights_loading import Payload

from weights import WeightsError, check_state_dict, read_state_dict, resolve, status
from weights.cli import main
from weights.keys import read_keys_tsv
from weights.manifest import load_manifest


@pytest.fixture(scope="session")
def _sd2():
    from generator.anytext2.convert import make_tiny_state_dict

    return make_tiny_state_dict(0)


@pytest.fixture
def sd2(_sd2):
    """A reduced-size AnyText2 checkpoint in the official layout (the model accepts it)."""
    return dict(_sd2)


def _full_meta(version):
    dtypes = {"float32": torch.float32, "int64": torch.int64}
    path = load_manifest().spec(version).key_list_path
    return {r.key: torch.empty(r.shape, dtype=dtypes[r.dtype], device="meta")
            for r in read_keys_tsv(path)}


def _one_line_error(capsys):
    """The one error line on stderr (copy progress lines aside), no traceback."""
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if not ln.endswith("%")]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_full_size_v2_against_the_key_list_and_the_wrong_version(tmp_path):
    m = load_manifest()
    assert m.anytext2.checkpoint.file == "anytext_v2.0.ckpt"
    assert m.anytext2.key_list_path.read_text() == \
        (m.key_list_path.parents[1].parent / "shared/reference/anytext_v2_keys.tsv").read_text()
    full = _full_meta(2)
    assert check_state_dict(full, tmp_path / "anytext_v2.0.ckpt") == (2048, "full", 2)
    key = "model.diffusion_model.middle_block.1.transformer_blocks.0.attn1x.to_q.weight"
    full[key] = torch.empty(1280, 320, device="meta")
    with pytest.raises(WeightsError, match=rf"does not fit AnyText2: 1 wrong shapes \(first: {key}"):
        check_state_dict(full, tmp_path / "anytext_v2.0.ckpt")
    with pytest.raises(WeightsError, match=r"anytext_v2\.0\.ckpt: is an AnyText v1 checkpoint, "
                                           r"but AnyText2 is expected here"):
        check_state_dict(_full_meta(1), tmp_path / "anytext_v2.0.ckpt")
    with pytest.raises(WeightsError, match=r"anytext_v1\.1\.ckpt: is an AnyText2 checkpoint, "
                                           r"but AnyText v1 is expected here"):
        check_state_dict(_full_meta(2), tmp_path / "anytext_v1.1.ckpt")
    # converted files drop the schedule buffers and position_ids
    slim = {k: v for k, v in _full_meta(2).items() if k not in m.anytext2.ignored_keys}
    assert check_state_dict(slim, tmp_path / "anytext_v2.0.fp16.safetensors").version == 2


def test_import_verify_convert_status_v2(wdir, usb, sd, sd2, capsys):
    from weights.commands.model_check import check_keys

    v1 = usb / "anytext_tiny.ckpt"
    torch.save({"state_dict": sd}, v1)
    v2 = usb / "anytext2_tiny.ckpt"
    torch.save({"state_dict": sd2}, v2)
    assert main(["import", str(v1)]) == 0
    assert main(["import", str(v2)]) == 0
    out = capsys.readouterr().out
    assert "kiosk backend: anytext2 (verified tiny AnyText2 weights anytext2_tiny.ckpt" in out
    assert "AnyText v1 weights anytext_tiny.ckpt are verified too: AnyText2 wins unless " \
           "KIOSK_BACKEND=anytext" in out
    state = json.loads((wdir / "state.json").read_text())
    assert state["files"]["anytext2_tiny.ckpt"]["detail"]["version"] == 2
    assert state["files"]["anytext_tiny.ckpt"]["detail"]["version"] == 1
    # copied by hand, then verified
    (wdir / "state.json").unlink()
    assert main(["verify"]) == 0
    out = capsys.readouterr().out
    assert "verified anytext2_tiny.ckpt: AnyText2" in out and "verified anytext_tiny.ckpt: AnyText v1" in out
    assert status().backend == "anytext2"
    # convert: fp16 safetensors, same keys less the schedule buffers, still AnyText2, preferred
    assert main(["convert", "--src", str(wdir / "anytext2_tiny.ckpt")]) == 0
    capsys.readouterr()
    conv = wdir / "anytext2_tiny.fp16.safetensors"
    got = read_state_dict(conv)
    assert got["control_model.fuse_block_za.weight"].dtype == torch.float16
    assert set(got) == set(sd2) - set(load_manifest().anytext2.ignored_keys)
    assert check_state_dict(got, conv, model_check=check_keys).version == 2
    assert resolve().checkpoint == conv and status().backend == "anytext2"
    assert main(["status"]) == 0
    assert "kiosk backend: anytext2 (verified tiny AnyText2 weights anytext2_tiny.fp16.safetensors" \
        in capsys.readouterr().out
    (wdir / "anytext2_tiny.ckpt").unlink()
    conv.unlink()
    st = status()
    assert st.backend == "anytext" and "no verified AnyText2 weights (anytext_v2.0.ckpt)" in st.reason


def test_swap_base_and_lora_on_v2(wdir, usb, sd2, capsys):
    src = usb / "anytext2_tiny.ckpt"
    torch.save({"state_dict": sd2}, src)
    assert main(["import", str(src)]) == 0
    own = load_manifest().anytext2.own_unet_keys
    base = {k: v for k, v in sd15_base(sd2).items() if not any(o in k for o in own)}  # SD 1.5 has no AttnX
    bpath = usb / "heritage.safetensors"
    save_file({k: v.contiguous() for k, v in base.items()}, bpath)
    key = TEXT + "encoder.layers.0.self_attn.v_proj.weight"
    name = "lora_te_text_model_encoder_layers_0_self_attn_v_proj"
    lora = {name + ".lora_down.weight": torch.randn(2, sd2[key].shape[1]),
            name + ".lora_up.weight": torch.randn(sd2[key].shape[0], 2),
            name + ".alpha": torch.tensor(2.0)}
    lpath = usb / "bronze.safetensors"
    save_file(lora, lpath)
    capsys.readouterr()
    assert main(["swap-base", str(bpath), "--lora", str(lpath)]) == 0
    assert "merged LoRA bronze.safetensors x1 into 1 layers" in capsys.readouterr().out
    r = resolve()
    assert r.checkpoint.name == "anytext_v2.0+heritage+lora-bronze.safetensors"
    assert r.record.detail["version"] == 2 and status().backend == "anytext2"
    got = read_state_dict(r.checkpoint)
    u = UNET + "input_blocks.1.0.in_layers.2.weight"
    assert torch.equal(got[u], base[u])
    x = next(k for k in sd2 if ".attn1x." in k)
    assert torch.equal(got[x], sd2[x])                      # AnyText2's own layers stay
    want = base[key] + lora[name + ".lora_up.weight"] @ lora[name + ".lora_down.weight"]
    assert torch.allclose(got[key], want, atol=1e-5)


# ------------------------------------------------------------------ bad files: one line each

def test_truncated_v2(wdir, usb, sd2, capsys):
    src = usb / "anytext2_tiny.ckpt"
    torch.save({"state_dict": sd2}, src)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])
    assert main(["import", str(src)]) == 2
    assert "anytext2_tiny.ckpt: truncated or corrupt" in _one_line_error(capsys)
    official = usb / "anytext_v2.0.ckpt"
    official.write_bytes(data[: len(data) // 2])
    assert main(["import", str(official)]) == 2
    err = _one_line_error(capsys)
    assert "expected at least 5,986,760,668 (truncated copy?); nothing was copied" in err
    assert sorted(p.name for p in wdir.iterdir()) == [".lock"]


def test_wrong_version_under_an_official_name(wdir, sd, sd2, capsys):
    torch.save({"state_dict": sd}, wdir / "anytext_v2.0.ckpt")
    assert main(["verify"]) == 2
    assert ("anytext_v2.0.ckpt: is an AnyText v1 checkpoint, but AnyText2 is expected here"
            in _one_line_error(capsys))
    (wdir / "anytext_v2.0.ckpt").unlink()
    save_file({k: v.contiguous() for k, v in sd2.items()}, wdir / "anytext_v1.1.fp16.safetensors")
    assert main(["verify"]) == 2
    assert ("anytext_v1.1.fp16.safetensors: is an AnyText2 checkpoint, but AnyText v1 is "
            "expected here" in _one_line_error(capsys))
    assert status().backend == "procedural"


@pytest.mark.parametrize("zip_format", [True, False])
def test_v2_pickle_that_runs_code_is_refused(wdir, usb, sd2, capsys, tmp_path, zip_format):
    marker = tmp_path / "PWNED"
    src = usb / "anytext2_evil.ckpt"
    torch.save({"state_dict": sd2, "callbacks": Payload(marker)}, src,
               _use_new_zipfile_serialization=zip_format)
    pickle.loads(pickle.dumps(Payload(tmp_path / "PROBE")))      # the payload does run unsafely
    assert (tmp_path / "PROBE").exists()
    assert main(["import", str(src)]) == 2
    err = _one_line_error(capsys)
    assert "anytext2_evil.ckpt: refused: the file contains Python objects that would run code" in err
    assert "system" in err
    assert not marker.exists() and not (wdir / src.name).exists()


def test_status_names_kiosk_backend_override(wdir, usb, sd2, capsys, monkeypatch):
    src = usb / "anytext2_tiny.ckpt"
    torch.save({"state_dict": sd2}, src)
    assert main(["import", str(src)]) == 0
    monkeypatch.setenv("KIOSK_BACKEND", "procedural")
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "kiosk backend: anytext2 (verified tiny AnyText2 weights anytext2_tiny.ckpt" in out
    assert "KIOSK_BACKEND=procedural: the worker uses procedural instead" in out
