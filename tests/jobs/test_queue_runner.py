"""kiosk/resources.QueueRunner: the visitor pages' start/poll/submit/abandon on the real queue
(KIOSK_WORKER=external, so the test drives the worker itself)."""
from __future__ import annotations

import pytest

from generator.design import make_design
from generator.moderation import ModerationError
from jobs.worker import Worker
from jobs import store as q
from queue_helpers import DESIGN


@pytest.fixture
def runner(sqlite_store, monkeypatch):
    monkeypatch.setenv("KIOSK_WORKER", "external")
    from kiosk.resources import QueueRunner

    return QueueRunner(sqlite_store)


def test_start_poll_submit(runner, sqlite_store):
    design = make_design({**DESIGN, "product": "bookmark"})
    job_id = runner.start(design, 2)
    view = runner.poll(job_id)
    assert view.state == "queued" and not view.finished
    Worker(sqlite_store, backend="procedural").run_until_idle()
    view = runner.poll(job_id)
    assert view.state == "awaiting_choice" and len(view.candidates) == 2
    from jobs.runner import art_size   # the kiosk's art size for a bookmark (portrait)

    w, h = art_size("bookmark")
    assert view.candidates[0].image.size == (w, h) and h > w and view.candidates[0].checked
    ticket = runner.submit(job_id, 1)
    assert ticket == runner.submit(job_id, 1)           # a double tap makes one order
    assert runner.poll(job_id).state == "submitted" and runner.poll(job_id).ticket == ticket
    assert sqlite_store.get(int(job_id)).state == q.SUBMITTED


def test_refused_text_raises_before_queueing(runner, sqlite_store):
    bad = make_design({**DESIGN, "lines": [{"text": "去 死", "box": [0.3, 0.1, 0.4, 0.1]}]})
    with pytest.raises(ModerationError):
        runner.start(bad, 2)
    assert sqlite_store.list_jobs() == []


def test_abandon_and_unknown(runner, sqlite_store):
    job_id = runner.start(make_design(DESIGN), 1)
    runner.abandon(job_id)
    assert sqlite_store.get(int(job_id)).state == q.ABANDONED
    assert runner.poll(job_id).state == "failed"
    assert runner.poll("999").state == "unknown"
