"""Motif adapters in the AnyText backend (the object one worker keeps for all its jobs): each
trained motif's adapter is loaded once and made the only active one for its jobs, with its token
in the prompt; switching motifs never reloads the model; a catalogue motif runs on the base
model; an adapter trained on other base weights is refused."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from base.errors import BackendError, MotifError
from weights.cli import main

DESIGN = {"backend": "anytext", "seed": 3, "lines": [{"text": "天路", "box": [0.1, 0.1, 0.8, 0.2]}]}


def make_adapter(model, folder, adapter_id, token, seed, base_sha, base_file):
    """A LoRA adapter file in the train-motif format with random (non-zero) weights, recorded in
    adapters.json: what a short training run writes, without the minutes of training."""
    from generator.anytext import adapters as ad
    from weights.adapters import AdapterRecord, record_adapter
    from weights.convert import save_safetensors
    from weights.store import sha256_file

    ad.add_lora(model, adapter_id, rank=4)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in ad.lora_parameters(model, adapter_id):
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    (folder / "adapters").mkdir(exist_ok=True)
    path = folder / "adapters" / f"{adapter_id}.safetensors"
    save_safetensors(ad.lora_state_dict(model, adapter_id), path,
                     {"method": "lora", "rank": "4", "alpha": "4", "text_encoder": "0",
                      "token": token, "base_sha256": base_sha or ""})
    return record_adapter(AdapterRecord(
        id=adapter_id, name_zh="铜器", name_en=f"Vessel {adapter_id}", file=f"adapters/{path.name}",
        sha256=sha256_file(path), base_file=base_file, base_sha256=base_sha, method="lora",
        token=token, steps=1, rank=4, photos=5), folder)


@pytest.fixture(scope="module")
def weights_folder(tmp_path_factory):
    from generator.anytext.convert import load_official
    from weights.store import read_state_dict, resolve

    d = tmp_path_factory.mktemp("adapters") / "weights"
    assert main(["make-tiny", str(d)]) == 0
    res = resolve(d)
    model = load_official(read_state_dict(res.checkpoint))
    for i, (aid, tok) in enumerate([("vessel_a", "xin"), ("vessel_b", "qor")]):
        make_adapter(model, d, aid, tok, i, res.record.sha256, res.checkpoint.name)
    make_adapter(model, d, "vessel_other", "vot", 7, "0" * 64, "someone_elses_sd15.safetensors")
    return d


@pytest.fixture
def backend(weights_folder, monkeypatch):
    from generator.anytext.backend import AnyTextBackend

    monkeypatch.setenv("KIOSK_WEIGHTS", str(weights_folder))
    be = AnyTextBackend(steps=2)
    loads = []
    real = be._load
    monkeypatch.setattr(be, "_load", lambda: loads.append(1) or real())
    be.loads = loads
    return be


def _job(be, motif):
    from generator.design import make_design

    art = be.generate(make_design(dict(DESIGN, motif=motif)), size=(256, 256), check=False)
    return np.asarray(art.candidates[0].image, dtype=np.int16), art.info


def test_two_motifs_switch_adapters_in_one_backend_without_reload(backend):
    a1, info_a = _job(backend, "vessel_a")
    b, info_b = _job(backend, "vessel_b")
    base, info_base = _job(backend, "sunbird")
    a2, _ = _job(backend, "vessel_a")
    assert backend.loads == [1]                                # one model load for four jobs
    assert set(backend._adapters.loaded) == {"vessel_a", "vessel_b"}
    # the trained motif's token is in its prompt, and only there
    assert info_a["prompt"].startswith("a photo of xin bronze, ") and info_a["adapter"] == "vessel_a"
    assert info_b["prompt"].startswith("a photo of qor bronze, ") and info_b["adapter"] == "vessel_b"
    assert "xin" not in info_base["prompt"] and info_base["adapter"] is None
    assert '"天路"' in info_a["prompt"]
    # different adapters draw differently; switching back draws the same again
    assert np.abs(a1 - b).max() > 0 and np.abs(a1 - base).max() > 0
    assert np.array_equal(a1, a2)
    assert backend._adapters.active == "vessel_a"


def test_catalogue_motif_runs_on_the_base_model(backend, weights_folder, monkeypatch):
    from generator.anytext.backend import AnyTextBackend

    base1, _ = _job(backend, "sunbird")
    _job(backend, "vessel_b")
    base2, _ = _job(backend, "sunbird")
    assert np.array_equal(base1, base2)              # the adapter is off again
    fresh = AnyTextBackend(steps=2)                  # a backend that never saw an adapter
    assert np.array_equal(_job(fresh, "sunbird")[0], base1)


def test_adapter_for_another_base_is_refused(backend):
    with pytest.raises(BackendError, match="trained on other base weights.*someone_elses_sd15"):
        _job(backend, "vessel_other")
    assert "vessel_other" not in backend._adapters.loaded
    _job(backend, "vessel_a")                        # the backend still serves other motifs


def test_changed_adapter_file_is_refused(weights_folder, tmp_path, monkeypatch):
    import shutil

    from generator.anytext.backend import AnyTextBackend

    d = tmp_path / "w"
    shutil.copytree(weights_folder, d)
    f = d / "adapters" / "vessel_a.safetensors"
    data = bytearray(f.read_bytes())
    data[-1] ^= 1
    f.write_bytes(bytes(data))
    monkeypatch.setenv("KIOSK_WEIGHTS", str(d))
    with pytest.raises(BackendError, match="missing or changed since training"):
        _job(AnyTextBackend(steps=2), "vessel_a")


def test_catalogue_entry_may_name_an_adapter(tmp_path):
    from generator.motifs import HERE, load_catalogue

    entries = json.loads((HERE / "catalogue.json").read_text(encoding="utf-8"))
    for e in entries:
        e["art"] = str(HERE / e["art"])
    entries[1]["adapter"] = "sacred_tree_photos"
    (tmp_path / "c.json").write_text(json.dumps(entries), encoding="utf-8")
    assert load_catalogue(tmp_path / "c.json")[entries[1]["id"]].adapter == "sacred_tree_photos"
    entries[1]["adapter"] = "Not An Id"
    (tmp_path / "c.json").write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(MotifError, match="'adapter'"):
        load_catalogue(tmp_path / "c.json")


def test_photo_only_motif_needs_a_diffusion_backend(weights_folder, monkeypatch):
    from generator import motifs
    from generator.design import make_design
    from generator.procedural import ProceduralBackend

    monkeypatch.setenv("KIOSK_WEIGHTS", str(weights_folder))
    m = motifs.get_motif("vessel_a")
    assert m.needs_diffusion and m.adapter == "vessel_a" and not m.enabled
    with pytest.raises(MotifError, match="only the AnyText backend can draw it"):
        ProceduralBackend().generate(make_design(dict(DESIGN, motif="vessel_a", backend="procedural")),
                                     size=(256, 256), check=False)


def test_one_worker_two_motif_jobs_switch_adapters_without_reload(weights_folder, tmp_path, monkeypatch):
    """The job system's worker (it owns the backend): two jobs for two trained motifs, one after
    the other, each with its own adapter and token; the model is loaded once."""
    from generator.anytext.backend import AnyTextBackend
    from jobs import store as q
    from jobs.runner import submit_design
    from jobs.worker import Worker

    monkeypatch.setenv("KIOSK_WEIGHTS", str(weights_folder))
    monkeypatch.setenv("KIOSK_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("KIOSK_ANYTEXT_STEPS", "2")
    for name in ("KIOSK_DB_URL", "KIOSK_PRINTER", "KIOSK_HOTFOLDER"):
        monkeypatch.delenv(name, raising=False)
    loads = []
    real = AnyTextBackend._load
    monkeypatch.setattr(AnyTextBackend, "_load", lambda self: loads.append(1) or real(self))
    store = q.Store()
    try:
        jobs = [submit_design(store, dict(DESIGN, motif=m, product="postcard"), n=1, size="384x256",
                              auto_choose=True, source="cli") for m in ("vessel_a", "vessel_b")]
        worker = Worker(store, backend="anytext")
        worker.run_until_idle()
        done = [store.get(j.id) for j in jobs]
    finally:
        store.dispose()
    assert loads == [1]
    for job, token, adapter in zip(done, ("xin", "qor"), ("vessel_a", "vessel_b")):
        assert job.state == q.READY, job.error
        details = job.generation.details
        assert details["adapter"] == adapter and f"a photo of {token} bronze" in details["prompt"]
    assert worker.backend._adapters.active == "vessel_b"


def test_status_lists_motif_adapters(weights_folder, capsys):
    assert main(["--dir", str(weights_folder), "status"]) == 0
    out = capsys.readouterr().out
    assert "motif adapter vessel_a: lora, 1 steps, token xin, not enabled\n" in out
    assert "motif adapter vessel_other: lora, 1 steps, token vot, not enabled, trained on other base" in out
    assert main(["--dir", str(weights_folder), "status", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {a["id"]: a["fits_base"] for a in data["adapters"]} == {
        "vessel_a": True, "vessel_b": True, "vessel_other": False}
