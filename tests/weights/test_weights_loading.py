"""Safe loading: every bad file gets a WeightsError naming the file and the problem."""
from __future__ import annotations

import os
import pickle
import zipfile

import pytest
import torch
from safetensors.torch import save_file

from weights import WeightsError, check_state_dict, read_state_dict
from weights.keys import read_keys_tsv
from weights.manifest import load_manifest


class Payload:
    """Unpickling this would create the marker file (a stand-in for any code)."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_reads_official_layout_and_plain_dicts(tmp_path, sd):
    wrapped, plain, st = tmp_path / "a.ckpt", tmp_path / "b.pt", tmp_path / "c.safetensors"
    torch.save({"state_dict": sd, "global_step": 10}, wrapped)
    torch.save(sd, plain)
    save_file({k: v.contiguous() for k, v in sd.items()}, st)
    for path in (wrapped, plain, st):
        got = read_state_dict(path)
        assert set(got) == set(sd)
        assert all(torch.equal(got[k], sd[k]) for k in sd)


def test_missing_empty_folder_and_unknown_suffix(tmp_path):
    with pytest.raises(WeightsError, match=r"nope\.ckpt: not found"):
        read_state_dict(tmp_path / "nope.ckpt")
    (tmp_path / "empty.ckpt").write_bytes(b"")
    with pytest.raises(WeightsError, match=r"empty\.ckpt: is empty"):
        read_state_dict(tmp_path / "empty.ckpt")
    with pytest.raises(WeightsError, match="is a folder"):
        read_state_dict(tmp_path)
    (tmp_path / "w.onnx").write_bytes(b"x")
    with pytest.raises(WeightsError, match="unknown weights format"):
        read_state_dict(tmp_path / "w.onnx")


@pytest.mark.parametrize("suffix", [".ckpt", ".safetensors"])
def test_truncated_file(tmp_path, sd, suffix):
    path = tmp_path / f"cut{suffix}"
    if suffix == ".ckpt":
        torch.save({"state_dict": sd}, path)
    else:
        save_file({k: v.contiguous() for k, v in sd.items()}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match=rf"cut\{suffix}: .*(truncated|corrupt)") as e:
        read_state_dict(path)
    assert "Traceback" not in str(e.value)


@pytest.mark.parametrize("how", ["torch.save", "pickle"])
def test_pickle_that_runs_code_is_refused_and_did_not_run(tmp_path, sd, how):
    marker = tmp_path / "PWNED"
    path = tmp_path / "evil.ckpt"
    obj = {"state_dict": sd, "callbacks": Payload(marker)}
    if how == "torch.save":
        torch.save(obj, path)
    else:
        with open(path, "wb") as f:
            pickle.dump(obj, f)
    # sanity: the payload really runs under an unsafe loader
    unsafe = tmp_path / "PROBE"
    pickle.loads(pickle.dumps(Payload(unsafe)))
    assert unsafe.exists()
    with pytest.raises(WeightsError, match=r"evil\.ckpt: refused: .*run code") as e:
        read_state_dict(path)
    assert not marker.exists()
    if how == "torch.save":
        assert "system" in str(e.value)        # names the global it wanted


def test_zip_that_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "photos.ckpt"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "holiday photos")
    with pytest.raises(WeightsError, match=r"photos\.ckpt: is a zip archive but not a PyTorch"):
        read_state_dict(path)


def test_random_bytes_and_wrong_content(tmp_path):
    junk = tmp_path / "junk.ckpt"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(WeightsError, match=r"junk\.ckpt: "):
        read_state_dict(junk)
    bad_st = tmp_path / "junk.safetensors"
    bad_st.write_bytes(os.urandom(4096))
    with pytest.raises(WeightsError, match=r"junk\.safetensors: not a valid safetensors"):
        read_state_dict(bad_st)
    lst = tmp_path / "list.ckpt"
    torch.save([torch.zeros(2)], lst)
    with pytest.raises(WeightsError, match="not a checkpoint .*list"):
        read_state_dict(lst)
    mixed = tmp_path / "mixed.ckpt"
    torch.save({"a": torch.zeros(1), "note": "hello"}, mixed)
    with pytest.raises(WeightsError, match="'note' is a str"):
        read_state_dict(mixed)
    nothing = tmp_path / "nothing.ckpt"
    torch.save({"state_dict": {}}, nothing)
    with pytest.raises(WeightsError, match="contains no tensors"):
        read_state_dict(nothing)


def test_check_plain_sd15_is_not_anytext(tmp_path, sd):
    plain = {k: v for k, v in sd.items() if not k.startswith(("control_model.", "text_predictor.",
                                                              "embedding_manager."))}
    with pytest.raises(WeightsError, match="plain Stable Diffusion checkpoint"):
        check_state_dict(plain, tmp_path / "sd15.ckpt")
    assert check_state_dict(sd, tmp_path / "ok.ckpt").size_class == "reduced"


def _full_meta():
    """Full-size AnyText v1 on the meta device: real names and shapes, no memory."""
    dtypes = {"float32": torch.float32, "int64": torch.int64}
    return {r.key: torch.empty(r.shape, dtype=dtypes[r.dtype], device="meta")
            for r in read_keys_tsv(load_manifest().key_list_path)}


def test_full_size_names_and_shapes(tmp_path):
    full = _full_meta()
    assert len(full) == 1734
    res = check_state_dict(full, tmp_path / "anytext_v1.1.ckpt")
    assert res == (1734, "full", 1)
    key = "control_model.zero_convs.3.0.weight"
    full[key] = torch.empty(640, 320, 1, 1, device="meta")
    with pytest.raises(WeightsError, match=rf"1 wrong shapes \(first: {key} is 640x320x1x1, "
                                           r"expected 320x320x1x1\)"):
        check_state_dict(full, tmp_path / "anytext_v1.1.ckpt")
    full = _full_meta()
    del full["text_predictor.head.fc.weight"]
    full["extra.weight"] = torch.empty(1, device="meta")
    with pytest.raises(WeightsError, match=r"1 missing keys \(first: text_predictor.head.fc"
                                           r".weight\); 1 unexpected keys \(first: extra.weight"):
        check_state_dict(full, tmp_path / "anytext_v1.1.ckpt")
    # schedule buffers and position_ids may be dropped (as convert does)
    full = {k: v for k, v in _full_meta().items() if k not in load_manifest().ignored_keys}
    assert check_state_dict(full, tmp_path / "x.safetensors").size_class == "full"


def test_text_file_is_not_called_code(tmp_path):
    path = tmp_path / "notes.ckpt"
    path.write_text("garbage\n")
    with pytest.raises(WeightsError, match=r"notes\.ckpt: not a PyTorch checkpoint \(") as e:
        read_state_dict(path)
    assert "refused" not in str(e.value)


@pytest.fixture
def lightning(monkeypatch):
    """A stand-in `pytorch_lightning` module, so a checkpoint can carry its callback objects."""
    import sys
    import types

    mod = types.ModuleType("pytorch_lightning.callbacks.model_checkpoint")

    class ModelCheckpoint:
        def __init__(self):
            self.monitor, self.best_k_models = "loss", {"a": 1.0}

    ModelCheckpoint.__module__ = mod.__name__
    ModelCheckpoint.__qualname__ = "ModelCheckpoint"
    mod.ModelCheckpoint = ModelCheckpoint
    for name in ("pytorch_lightning", "pytorch_lightning.callbacks", mod.__name__):
        monkeypatch.setitem(sys.modules, name, mod if name == mod.__name__ else types.ModuleType(name))
    return ModelCheckpoint


@pytest.mark.parametrize("legacy", [False, True])
def test_training_extras_load_inert_but_code_is_still_refused(tmp_path, sd, lightning, legacy):
    import numpy as np

    opts = {"_use_new_zipfile_serialization": False} if legacy else {}
    path = tmp_path / "trained.ckpt"
    torch.save({"state_dict": sd, "global_step": np.int64(5), "epoch": 3,
                "callbacks": {"ModelCheckpoint": lightning()}}, path, **opts)
    got = read_state_dict(path)
    assert set(got) == set(sd) and all(torch.equal(got[k], sd[k]) for k in sd)
    # the same extras next to a payload: refused, and the payload did not run
    marker = tmp_path / "PWNED"
    torch.save({"state_dict": sd, "callbacks": {"ModelCheckpoint": lightning()},
                "x": Payload(marker)}, path, **opts)
    with pytest.raises(WeightsError, match="refused: .*system"):
        read_state_dict(path)
    assert not marker.exists()


def test_any_random_bytes_give_one_clear_message(tmp_path):
    """Random bytes stop the unpickler in many ways (about 6 in 100 used to escape as an
    IndexError traceback): every one must be a WeightsError naming the file."""
    import random

    rng = random.Random(20261206)
    junk = tmp_path / "junk.ckpt"
    for _ in range(300):
        junk.write_bytes(rng.randbytes(4096))
        with pytest.raises(WeightsError, match=r"junk\.ckpt: "):
            read_state_dict(junk)
