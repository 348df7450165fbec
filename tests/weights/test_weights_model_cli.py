"""check-keys and make-tiny: the CLI on top of the model's converter (generator/anytext)."""
from __future__ import annotations

import torch

from weights import read_state_dict, resolve, status
from weights.cli import main
from weights.manifest import load_manifest


def test_check_keys_full_list_and_a_broken_one(tmp_path, capsys):
    ref = load_manifest().key_list_path
    assert main(["check-keys", str(ref)]) == 0
    out = capsys.readouterr().out
    for line in ("mapped 1720", "missing 0", "unexpected 0", "shape mismatches 0"):
        assert line in out.splitlines()
    assert "ignored 14" in out and "position_ids" in out
    lines = ref.read_text().splitlines()
    broken = []
    for line in lines:
        if line.startswith("text_predictor.head.fc.bias"):
            continue                                           # a missing tensor
        if line.startswith("control_model.zero_convs.0.0.weight\t"):
            line = line.replace("320x320x1x1", "320x4x1x1")   # a wrong shape
        broken.append(line)
    broken.append("made.up.key\t3\tfloat32\t3")
    (tmp_path / "broken.tsv").write_text("\n".join(broken) + "\n")
    assert main(["check-keys", str(tmp_path / "broken.tsv")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "missing 1" in out and "unexpected 1" in out and "shape mismatches 1" in out
    assert any("control_model.zero_convs.0.0.weight" in line for line in out)


def test_make_tiny_runs_the_loading_path(tmp_path, monkeypatch, capsys):
    from generator.anytext.convert import load_official

    d = tmp_path / "tiny"
    assert main(["make-tiny", str(d)]) == 0
    assert "KIOSK_WEIGHTS=" in capsys.readouterr().out
    monkeypatch.setenv("KIOSK_WEIGHTS", str(d))
    st = status()
    assert st.backend == "anytext" and st.use == "anytext_tiny.ckpt"
    assert "reduced-size" in st.reason
    r = resolve()
    raw = torch.load(r.checkpoint, weights_only=True)
    assert set(raw) == {"state_dict"}                        # the official layout
    model = load_official(read_state_dict(r.checkpoint))
    assert sum(p.numel() for p in model.parameters()) > 1_000_000
