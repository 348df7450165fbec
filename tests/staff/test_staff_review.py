"""Faster review on the staff page (select all ready, approve and next, one-tap reject reasons;
a job blocked by its checks is never batch-approved) and the statistics page (AppTest)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jobs import staff_auth
from jobs import store as q
from jobs.records import TextCheck
from jobs.runner import submit_design
from jobs.worker import Worker

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "review password 3"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_VAR", str(tmp_path / "var"))
    for name in ("KIOSK_DB_URL", "KIOSK_PRINTER", "KIOSK_HOTFOLDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KIOSK_BACKEND", "procedural")
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD_HASH", staff_auth.hash_password(PASSWORD, iterations=1000))
    s = q.Store()
    yield s
    s.dispose()


def _ready(store, n):
    jobs = [submit_design(store, {"motif": "sunbird", "product": "postcard", "seed": 30 + i,
                                  "lines": [{"text": "天路", "box": [0.3, 0.08, 0.4, 0.12]}]},
                          n=1, size="768x512", auto_choose=True, source="cli") for i in range(n)]
    Worker(store, backend="procedural").run_until_idle()
    return [store.get(j.id) for j in jobs]


def _page(path: str):
    at = AppTest.from_file(str(REPO / "kiosk" / path), default_timeout=30).run()
    assert not at.exception
    return at


def _login(at):
    at.text_input(key="s_login_name").input("Ann")
    at.text_input(key="s_login_password").input(PASSWORD)
    at.button[0].click().run()
    return at


def _block(store, job):
    with store.session_scope() as s:
        s.get(q.Job, job.id).ocr = [TextCheck(expected="天路", read="天", exact=False).model_dump()]


def test_select_all_ready_skips_blocked_jobs(store):
    jobs = _ready(store, 4)
    _block(store, jobs[3])
    at = _login(_page("staff.py"))
    at.button(key="s_select_all").click().run()
    assert "Approve selected (3)" in at.button(key="s_bulk_approve").label
    at.button(key="s_bulk_approve").click().run()
    assert not at.exception
    assert [store.get(j.id).state for j in jobs] == [q.PRINTED] * 3 + [q.READY]


def test_approve_next_and_quick_reject_walk_the_queue(store):
    jobs = _ready(store, 3)
    at = _login(_page("staff.py"))
    at.button(key=f"s_open_{jobs[0].id}").click().run()
    at.button(key="s_approve_next").click().run()
    assert store.get(jobs[0].id).state == q.PRINTED
    assert at.subheader[0].value.startswith(jobs[1].ticket)      # the next job is open
    at.button(key="s_reject_quick_0").click().run()
    assert not at.exception
    job = store.get(jobs[1].id)
    assert job.state == q.REJECTED and job.reject_reason == "text unreadable"
    assert at.subheader[0].value.startswith(jobs[2].ticket)
    at.button(key="s_approve_next").click().run()               # the last one: back to the queue
    assert store.get(jobs[2].id).state == q.PRINTED
    assert [t.value for t in at.title] == ["印刷队列 · Print queue"]


def test_stats_page_needs_login_then_draws_charts(store):
    jobs = _ready(store, 3)
    from jobs import staff
    staff.approve_and_print(store, jobs[0].id, actor="staff:Ann")
    store.reject(jobs[1].id, actor="staff:Ann", reason="blurred")
    at = _page("stats.py")
    assert any("Log in" in w.value for w in at.warning)
    assert not at.get("vega_lite_chart")
    at.session_state["s_actor"] = "staff:Ann"     # logged in on the staff page, same session
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["任务 · Jobs"] == "3" and metrics["已打印 · Printed"] == "1"
    charts = at.get("vega_lite_chart")
    assert len(charts) == 7                 # day, hour, motif, product, text, waits, rejects
    assert at.get("download_button")
