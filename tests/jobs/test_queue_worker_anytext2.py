"""The generation worker with backend "anytext2" on a real SQLite queue and make-tiny --version 2
weights: generate, edit and erase (tiny sizes, 2 steps: the images mean nothing, the path is real)."""
from __future__ import annotations

import pytest
from PIL import Image
from queue_helpers import DESIGN

from jobs import files
from jobs import store as q
from jobs.runner import submit_design
from jobs.worker import Worker
from weights.cli import main


@pytest.fixture(scope="module")
def tiny2(tmp_path_factory):
    d = tmp_path_factory.mktemp("w2")
    assert main(["make-tiny", str(d), "--version", "2"]) == 0
    return d


@pytest.fixture
def worker(sqlite_store, tiny2, monkeypatch):
    monkeypatch.setenv("KIOSK_WEIGHTS", str(tiny2))
    monkeypatch.setenv("KIOSK_ANYTEXT_STEPS", "2")
    return Worker(sqlite_store, backend="anytext2")


def _run(store, worker, design):
    job = submit_design(store, {**DESIGN, "backend": "anytext2", **design}, n=1, size="256x256")
    assert worker.run_once()
    job = store.get(job.id)
    assert job.state == q.AWAITING_CHOICE, (job.state, job.error)
    assert job.backend == "anytext2" and len(job.candidates) == 1
    assert Image.open(files.resolve(job.candidates[0].path)).size == (256, 256)
    return job


def _source(tmp_path):
    src = tmp_path / "photo.png"
    Image.new("RGB", (256, 256), (90, 120, 150)).save(src)
    return str(src)


def test_worker_generate(sqlite_store, worker):
    _run(sqlite_store, worker, {"lines": [{"text": "天路", "box": [0.1, 0.1, 0.8, 0.2],
                                           "font": "wenkai", "color": "#C81E1E"}]})


def test_worker_edit(sqlite_store, worker, tmp_path):
    _run(sqlite_store, worker, {"mode": "edit", "source_image": _source(tmp_path),
                                "lines": [{"text": "丝路", "box": [0.1, 0.4, 0.8, 0.2]}]})


def test_worker_erase(sqlite_store, worker, tmp_path):
    _run(sqlite_store, worker, {"mode": "edit", "source_image": _source(tmp_path),
                                "lines": [{"text": "", "box": [0.1, 0.4, 0.8, 0.2]}]})
