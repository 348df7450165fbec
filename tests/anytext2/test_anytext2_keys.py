"""The AnyText2 converter: the official key list maps strictly (version read from the keys), the
tiny fixture's key list equals what we would write, and make-tiny --version 2 loads strictly."""
import torch

from generator.anytext.convert import read_keys_tsv
from generator.anytext2 import convert
from generator.anytext2.config import AnyText2Config
from weights.cli import main


def test_check_keys_full_v2_cli(keys_v2, capsys):
    assert main(["check-keys", str(keys_v2)]) == 0          # version detected from the keys
    out = capsys.readouterr().out.splitlines()
    for line in ("version 2 (AnyText2)", "keys in list 2048", "mapped 2034", "missing 0", "unexpected 0",
                 "shape mismatches 0"):
        assert line in out
    assert main(["check-keys", str(keys_v2), "--version", "2"]) == 0
    capsys.readouterr()
    assert main(["check-keys", str(keys_v2), "--version", "1"]) == 1   # not a v1 layout


def test_detect_version(keys_v2, tiny2_dir):
    KEYS_V1 = keys_v2.parent / "anytext_v1_keys.tsv"
    assert convert.detect_version([r[0] for r in read_keys_tsv(keys_v2)]) == 2
    assert convert.detect_version([r[0] for r in read_keys_tsv(tiny2_dir / "keys.tsv")]) == 2
    if KEYS_V1.exists():
        assert convert.detect_version([r[0] for r in read_keys_tsv(KEYS_V1)]) == 1


def test_tiny_key_list_is_ours(tiny2_dir):
    rows = read_keys_tsv(tiny2_dir / "keys.tsv")
    cfg = AnyText2Config.from_state_dict({k: torch.empty(s, device="meta") for k, s, _ in rows})
    assert cfg == AnyText2Config.tiny()
    rep = convert.check_keys(rows)
    assert rep.ok and len(rep.mapped) == 1874
    ours = set(convert.official_key_names(cfg))
    assert ours == {r[0] for r in rows} - set(rep.ignored)


def test_make_tiny_v2_loads_strictly(tmp_path, capsys):
    assert main(["make-tiny", str(tmp_path), "--version", "2", "--seed", "3"]) == 0
    path = tmp_path / "anytext2_tiny.ckpt"
    sd = torch.load(path, map_location="cpu", weights_only=True)["state_dict"]
    assert convert.detect_version(sd) == 2
    model = convert.load_official(sd)
    assert len(list(model.unet.modules())) > 0
    assert torch.equal(model.writenet.controlnet_cond_embedding.fuse_block_za.bias,
                       sd["control_model.fuse_block_za.bias"])
    bad = dict(sd)
    bad.pop("embedding_manager.color_proj.0.bias")
    try:
        convert.load_official(bad)
    except ValueError as e:
        assert "1 missing" in str(e)
    else:
        raise AssertionError("a missing tensor must be refused")
