"""The staff page in AppTest: wrong password, lockout shared by sessions, approve -> hot folder,
reject with a reason, user text escaped."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jobs.runner import submit_design
from jobs.worker import Worker
from jobs import staff_auth
from jobs import store as q

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "kiosk" / "staff.py")
PASSWORD = "correct horse 12"


@pytest.fixture
def env(tmp_path, monkeypatch):
    var = tmp_path / "var"
    monkeypatch.setenv("KIOSK_VAR", str(var))
    for name in ("KIOSK_DB_URL", "KIOSK_PRINTER", "KIOSK_HOTFOLDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KIOSK_BACKEND", "procedural")
    # few iterations: the test checks the logic, not the hash's cost
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD_HASH", staff_auth.hash_password(PASSWORD, iterations=1000))
    store = q.Store()
    yield var, store
    store.dispose()


def _session():
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    return at


def _login(at, password, name="Ann"):
    at.text_input(key="s_login_name").input(name)
    at.text_input(key="s_login_password").input(password)
    at.button[0].click().run()
    assert not at.exception
    return at


def _ready_job(store, text="天路"):
    design = {"motif": "sunbird", "product": "postcard", "seed": 3,
              "lines": [{"text": text, "box": [0.3, 0.08, 0.4, 0.12]}]}
    job = submit_design(store, design, n=1, size="768x512", auto_choose=True, source="cli")
    Worker(store, backend="procedural").run_until_idle()
    job = store.get(job.id)
    assert job.state == q.READY, job.error
    return job


def test_wrong_password_is_refused_and_audited(env):
    _, store = env
    at = _login(_session(), "not the password")
    assert any("Wrong password" in e.value for e in at.error)
    assert not at.session_state["s_actor"] if "s_actor" in at.session_state else True
    (entry,) = store.audit_log(action="login_failed")
    assert entry.actor == "staff:Ann" and entry.detail["failures"] == 1


def test_lockout_after_repeated_failures_applies_to_every_session(env, monkeypatch):
    _, store = env
    monkeypatch.setenv("KIOSK_STAFF_MAX_FAILURES", "3")
    at = _session()
    for _ in range(3):
        _login(at, "guess")
    assert any("locked" in e.value for e in at.error)
    # another session (another desk, a rerun) with the RIGHT password is still locked out
    other = _login(_session(), PASSWORD, name="Bob")
    assert any("locked" in e.value for e in other.error)
    assert "s_actor" not in other.session_state
    assert store.audit_log(action="login_refused_locked")
    # once the lock has run out, the right password works
    with store.session_scope() as s:
        s.get(q.LoginThrottle, staff_auth.ACCOUNT).locked_until = q.utcnow()
    ok = _login(_session(), PASSWORD)
    assert ok.session_state["s_actor"] == "staff:Ann"


def test_approve_selected_puts_pdf_in_hot_folder(env):
    var, store = env
    jobs = [_ready_job(store), _ready_job(store, "吉祥")]
    at = _login(_session(), PASSWORD)
    assert [t.value for t in at.title] == ["印刷队列 · Print queue"]
    for job in jobs:
        at.checkbox(key=f"s_sel_{job.id}").check()
    at.run()
    at.button(key="s_bulk_approve").click().run()
    assert not at.exception
    assert len(at.success) == 2, [e.value for e in at.error]
    pdfs = sorted(p.name for p in (var / "hotfolder").glob("*.pdf"))
    assert len(pdfs) == 2 and all(j.ticket in " ".join(pdfs) for j in jobs)
    for job in jobs:
        assert store.get(job.id).state == q.PRINTED
        (entry,) = store.audit_log(job_id=job.id, action="approved")
        assert entry.actor == "staff:Ann"


def test_open_reject_with_reason_and_text_is_escaped(env):
    _, store = env
    tricky = "*福*[x](y)<b>"
    job = _ready_job(store, tricky)
    at = _login(_session(), PASSWORD)
    # the queue shows the raw text as plain text, never as markdown or HTML
    assert tricky in [t.value for t in at.text]
    assert all(tricky not in m.value for m in at.markdown)
    at.button(key=f"s_open_{job.id}").click().run()
    assert [s.value for s in at.subheader] == [f"{job.ticket} · 待审核 · Ready for review"]
    assert any("Preflight OK" in s.value for s in at.success), [e.value for e in at.error]
    at.button(key="s_reject").click().run()            # no reason, no reject: it says why
    assert store.get(job.id).state == q.READY
    assert any("needs a reason" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key=f"s_reason_{job.id}").input("text is blurred")
    at.button(key="s_reject").click().run()
    assert not at.exception
    job = store.get(job.id)
    assert job.state == q.REJECTED and job.reject_reason == "text is blurred"


def test_page_never_allows_raw_html():
    assert "unsafe_allow_html=True" not in (REPO / "kiosk" / "staff.py").read_text(encoding="utf-8")


def test_idle_staff_session_is_logged_out(env):
    at = _login(_session(), PASSWORD)
    assert at.session_state["s_actor"] == "staff:Ann"
    at.session_state["s_seen"] = at.session_state["s_seen"] - 10_000
    at.run()
    assert "s_actor" not in at.session_state
    assert any("idle" in e.value for e in at.error)


def test_workers_panel_shows_throughput_and_a_silent_worker(env):
    _, store = env
    _ready_job(store)
    job = submit_design(store, {"motif": "sunbird", "product": "postcard", "seed": 4,
                        "lines": [{"text": "天路", "box": [0.3, 0.08, 0.4, 0.12]}]})
    assert store.claim_next("gpu-host:999:dead").job_id == job.id
    with store.session_scope() as s:   # its heartbeat stopped 10 minutes ago
        s.get(q.Job, job.id).heartbeat_at = q.utcnow() - q.dt.timedelta(minutes=10)
    at = _login(_session(), PASSWORD)
    frames = [df.value for df in at.dataframe]
    leases = next(f for f in frames if "heartbeat_s" in f.columns)
    assert list(leases["worker"]) == ["gpu-host:999:dead"] and list(leases["ok"]) == ["no reply"]
    workers = next(f for f in frames if "steps/min" in f.columns)
    assert workers["generated"].sum() == 1 and workers["built"].sum() == 1
    assert any("not answering" in w.value for w in at.warning)


def test_job_page_shows_how_each_line_was_obtained(env):
    _, store = env
    job = _ready_job(store)
    with store.session_scope() as s:   # as the generate step records a repaired line
        row = s.get(q.Job, job.id)
        row.ocr = [{**row.ocr[0], "path": "repaired", "tries": 2}]
        cands = [dict(c) for c in row.candidates]
        cands[0]["checks"] = row.ocr
        row.candidates = cands
    at = _login(_session(), PASSWORD)
    at.button(key=f"s_open_{job.id}").click().run()
    assert not at.exception
    assert any("repaired ×2" in m.value for m in at.markdown), [m.value for m in at.markdown]
    table = next(df.value for df in at.dataframe if "path" in df.value.columns)
    assert list(table["path"]) == ["repaired"] and list(table["tries"]) == [2]


def test_detail_shows_line_styles_and_anytext_colour_warning(env):
    from sqlalchemy import text

    _, store = env
    design = {"motif": "sunbird", "product": "postcard", "seed": 3,
              "lines": [{"text": "天路", "box": [0.3, 0.08, 0.4, 0.12], "font": "kai", "color": "#C0392B"},
                        {"text": "金沙", "box": [0.3, 0.6, 0.4, 0.12], "font": "hei", "color": "#3E9C7E"}]}
    job = submit_design(store, design, n=1, size="768x512", auto_choose=True, source="cli")
    Worker(store, backend="procedural").run_until_idle()
    at = _login(_session(), PASSWORD)
    at.button(key=f"s_open_{job.id}").click().run()
    assert "1. 天路 · kai · #C0392B\n2. 金沙 · hei · #3E9C7E" in [t.value for t in at.text]
    assert not any("not guaranteed" in w.value for w in at.warning)   # procedural: exact colour
    with store.engine.begin() as con:       # as if AnyText had drawn it
        con.execute(text("UPDATE kiosk_jobs SET backend = 'anytext' WHERE id = :id"), {"id": job.id})
    at.run()
    assert any("Colour is not guaranteed" in w.value and "颜色不保证" in w.value for w in at.warning)


def test_a_picture_the_visitor_edited_is_marked(env):
    from jobs.runner import QueueRunner, submit_edit

    _, store = env
    design = {"motif": "sunbird", "product": "postcard", "seed": 3,
              "lines": [{"text": "天路", "box": [0.3, 0.08, 0.4, 0.12]}]}
    job = submit_design(store, design, n=1, size="768x512")
    Worker(store, backend="procedural").run_until_idle()
    submit_edit(store, job.id, 0, [{**design["lines"][0], "text": "平安"}])
    Worker(store, backend="procedural").run_until_idle()
    QueueRunner(store).submit_version(str(job.id), 1)
    Worker(store, backend="procedural").run_until_idle()
    assert store.get(job.id).state == q.READY
    at = _login(_session(), PASSWORD)
    assert any("edited by the visitor" in m.value for m in at.markdown)   # in the queue
    at.button(key=f"s_open_{job.id}").click().run()
    assert not at.exception
    assert any("edited by the visitor" in m.value for m in at.markdown)   # on the job page
    table = next(df.value for df in at.dataframe if "edit of" in df.value.columns)
    assert list(table["edit of"].fillna(-1)) == [-1, 0]


def test_wrong_password_says_how_many_tries_are_left(env, monkeypatch):
    monkeypatch.setenv("KIOSK_STAFF_MAX_FAILURES", "3")
    monkeypatch.setenv("KIOSK_STAFF_LOCK_SECONDS", "600")
    at = _login(_session(), "guess")
    assert any("2 more tries before the login locks for 10 min" in e.value
               and "再错 2 次" in e.value for e in at.error), [e.value for e in at.error]
    _login(at, "guess again")
    assert any("1 more try before" in e.value for e in at.error), [e.value for e in at.error]
    _login(at, "and again")
    assert any("locked" in e.value for e in at.error)


def test_search_by_ticket_shows_that_job_whatever_its_state(env):
    _, store = env
    first, second, third = (_ready_job(store, t) for t in ("天路", "吉祥", "金沙"))
    store.reject(third.id, actor="staff:Ann", reason="blurred")   # out of the default filter
    at = _login(_session(), PASSWORD)
    opened = lambda: sorted(b.key for b in at.button if str(b.key).startswith("s_open_"))  # noqa: E731
    assert opened() == sorted([f"s_open_{first.id}", f"s_open_{second.id}"])
    # as typed at the counter: any case, no dash, no leading zeros
    at.text_input(key="s_search").input(second.ticket.lower().replace("-", "").replace("0", "")).run()
    assert opened() == [f"s_open_{second.id}"]
    at.text_input(key="s_search").input(third.ticket).run()
    assert opened() == [f"s_open_{third.id}"]
    assert any("已拒绝 · Rejected" in m.value for m in at.markdown)
    at.text_input(key="s_search").input("Z-999").run()
    assert opened() == [] and any("No job with this ticket" in i.value for i in at.info)
    at.text_input(key="s_search").input("").run()
    assert len(opened()) == 2


def test_states_read_as_words_never_as_ids(env):
    _, store = env
    job = _ready_job(store)
    at = _login(_session(), PASSWORD)
    filt = at.multiselect(key="s_filter")
    assert "待审核 · Ready for review" in filt.options and "ready_for_review" not in filt.options
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert any("Ready for review" in v for v in shown), shown
    raw = [s for s in q.STATES if "_" in s]
    assert not [v for v in shown if any(s in v for s in raw)], shown
    at.button(key=f"s_open_{job.id}").click().run()
    assert [s.value for s in at.subheader] == [f"{job.ticket} · 待审核 · Ready for review"]


def test_hot_folder_job_reads_sent_not_printed(env):
    var, store = env
    job = _ready_job(store)
    at = _login(_session(), PASSWORD)
    at.button(key=f"s_open_{job.id}").click().run()
    at.button(key="s_approve_one").click().run()
    assert not at.exception
    assert store.get(job.id).state == q.PRINTED and list((var / "hotfolder").glob("*.pdf"))
    assert [s.value for s in at.subheader] == [f"{job.ticket} · 已送热文件夹 · Sent to hot folder"]
    flashes = [s.value for s in at.success]
    assert any("sent to hot folder" in f for f in flashes) and not any("已打印" in f for f in flashes)
    assert at.button(key="s_reprint").label == "再次送热文件夹 · Send to hot folder again"
    (entry,) = store.audit_log(job_id=job.id, action="printed")
    assert entry.detail["output"] == "hot_folder"
    audit = next(df.value for df in at.dataframe if "action" in df.value.columns)
    assert "sent to hot folder" in list(audit["action"]) and "printed" not in list(audit["action"])


def test_printed_means_a_printer_took_it(env):
    """shown_states reads where the PDF went from the audit log, old entries included."""
    from jobs import staff
    from print.output import HOT_FOLDER, PRINTER

    _, store = env
    jobs = [_ready_job(store, t) for t in ("天路", "吉祥", "金沙", "长乐")]
    for job, output, where in ((jobs[0], PRINTER, "printer shop: request id is shop-7"),
                               (jobs[1], HOT_FOLDER, "/var/hotfolder/a.pdf"),
                               (jobs[2], None, "printer shop: request id is shop-9"),  # before
                               (jobs[3], None, "/var/hotfolder/b.pdf")):               # `output`
        store.approve(job.id, actor="staff:Ann")
        store.mark_printed(job.id, actor="staff:Ann", destination=where, output=output)
    shown = staff.shown_states(store, [store.get(j.id) for j in jobs])
    assert [shown[j.id] for j in jobs] == [q.PRINTED, staff.SENT_TO_HOT_FOLDER, q.PRINTED,
                                           staff.SENT_TO_HOT_FOLDER]
    # a job sent to the hot folder, then printed again on a printer: the last one counts
    store.mark_printed(jobs[1].id, actor="staff:Ann", destination="printer shop", output=PRINTER)
    assert staff.shown_states(store, [store.get(jobs[1].id)])[jobs[1].id] == q.PRINTED


def test_every_state_has_words():
    from jobs.staff import SENT_TO_HOT_FOLDER
    from kiosk.staff_words import STATE_WORDS

    assert set(q.STATES) | {SENT_TO_HOT_FOLDER} == set(STATE_WORDS)
