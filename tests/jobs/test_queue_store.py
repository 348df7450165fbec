"""The queue store on SQLite and PostgreSQL: tickets, FIFO claims, leases, guards, audit."""
from __future__ import annotations

import threading

import pytest
from queue_helpers import DESIGN

from generator.moderation import ModerationError
from jobs.runner import submit_design
from jobs.records import BuildResult, Candidate, TextCheck
from jobs import store as q


def _design(text="天路", seed=7):
    return {**DESIGN, "seed": seed, "lines": [{"text": text, "box": [0.30, 0.08, 0.40, 0.12]}]}


def test_submit_tickets_and_roundtrip(store):
    a = submit_design(store, _design(), n=3, size="768x512", session_id="sess-1")
    b = submit_design(store, _design("吉祥"))
    assert (a.ticket, b.ticket) == ("A-001", "A-002")
    assert a.state == q.QUEUED and a.n_candidates == 3 and a.size == "768x512"
    got = store.get(a.id)
    assert got.design["lines"][0]["text"] == "天路" and got.session_id == "sess-1"
    assert got.created_at.tzinfo is not None
    assert store.find("a-002").id == b.id and store.find(str(a.id)).id == a.id
    assert [e.action for e in store.audit_log(job_id=a.id)] == ["submitted"]


def test_ticket_labels():
    assert q.ticket_label(1) == "A-001" and q.ticket_label(999) == "A-999"
    assert q.ticket_label(1000) == "B-001"
    assert "I" not in q.TICKET_LETTERS and "O" not in q.TICKET_LETTERS


def test_refused_text_is_audited_and_not_queued(store):
    with pytest.raises(ModerationError) as ei:
        submit_design(store, _design("臺 獨"), actor="visitor")
    assert "台独" not in ei.value.en and "台独" not in ei.value.zh
    assert store.list_jobs() == []
    (entry,) = store.audit_log(action="refused")
    assert entry.actor == "visitor" and entry.detail["term"] == "台独" and entry.detail["line"] == 0


def test_claims_are_fifo_and_each_job_is_claimed_once(store):
    ids = [submit_design(store, _design(seed=i)).id for i in range(6)]
    claimed, lock = [], threading.Lock()

    def grab(name):
        while (c := store.claim_next(name)) is not None:
            with lock:
                claimed.append(c.job_id)

    threads = [threading.Thread(target=grab, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(claimed) == ids            # every job once, none twice
    assert all(j.state == q.GENERATING and j.attempts == 1 for j in store.list_jobs())


def test_first_claim_is_oldest(store):
    first = submit_design(store, _design(seed=1))
    submit_design(store, _design(seed=2))
    c = store.claim_next("w")
    assert c.job_id == first.id and c.step == "generate" and c.job.state == q.GENERATING


def test_stale_lease_requeued_then_failed_after_max_attempts(store):
    job = submit_design(store, _design())
    for attempt in range(1, 3):
        c = store.claim_next(f"dead{attempt}")
        assert c.attempts == attempt
        # a lease of 60 s is still alive: nothing happens
        assert store.requeue_stale(lease_seconds=60, max_attempts=3) == []
        assert store.requeue_stale(lease_seconds=0, max_attempts=3) == [(job.id, "requeued")]
        assert store.get(job.id).state == q.QUEUED
    store.claim_next("dead3")
    assert store.requeue_stale(lease_seconds=0, max_attempts=3) == [(job.id, "failed")]
    failed = store.get(job.id)
    assert failed.state == q.FAILED and "3 attempts" in failed.error
    # the dead worker cannot write over the job any more
    assert store.set_progress(job.id, "dead3", 1, 1) is False
    assert store.finish_generation(job.id, "dead3", backend="x", candidates=[]) is None


def test_lease_owner_is_checked(store):
    job = submit_design(store, _design())
    store.claim_next("w1")
    assert store.heartbeat(job.id, "w1") and not store.heartbeat(job.id, "intruder")
    assert store.set_progress(job.id, "w1", 1, 2, "half")
    assert store.get(job.id).progress_message == "half"


def test_state_guards_and_review_path(store):
    job = submit_design(store, _design())
    with pytest.raises(q.QueueError):
        store.approve(job.id, actor="ann")       # not ready yet
    c = store.claim_next("w")
    cands = [Candidate(seed=7, path="jobs/x/c0.png", checks=[TextCheck(expected="天", exact=True)],
                       all_exact=True, mean_ned=1.0)]
    assert store.finish_generation(c.job_id, "w", backend="procedural", candidates=cands).state \
        == q.AWAITING_CHOICE
    with pytest.raises(q.QueueError):
        store.choose(job.id, 5)
    assert store.choose(job.id, 0).state == q.SUBMITTED
    c = store.claim_next("w")
    assert c.step == "build" and c.attempts == 1
    store.finish_build(job.id, "w", BuildResult(pdf_path="jobs/x/p.pdf"))
    with pytest.raises(q.QueueError):
        store.reject(job.id, actor="ann", reason="  ")
    assert store.approve(job.id, actor="ann").state == q.APPROVED
    assert store.mark_printed(job.id, actor="ann", destination="hot").print_count == 1
    actions = [e.action for e in store.audit_log(job_id=job.id)][::-1]
    assert actions == ["submitted", "claimed", "generated", "chosen", "claimed", "built",
                       "approved", "printed"]
    assert store.counts() == {q.PRINTED: 1}


def test_cancel_and_abandon(store):
    a = submit_design(store, _design(seed=1))
    b = submit_design(store, _design(seed=2))
    assert store.request_cancel(a.id, abandon=True).state == q.ABANDONED
    store.claim_next("w")                       # b is now generating
    assert store.request_cancel(b.id).cancel_requested and store.cancel_requested(b.id)
    assert store.cancelled(b.id, "w").state == q.CANCELLED


def test_login_throttle_persists(store):
    for i in range(2):
        assert store.login_failed("staff", max_failures=3, lock_seconds=60) is None
    until = store.login_failed("staff", max_failures=3, lock_seconds=60)
    assert until is not None and store.locked_until("staff") == until
    store.login_succeeded("staff", actor="x")
    assert store.locked_until("staff") is None


def test_unchosen_candidates_expire(store):
    job = submit_design(store, _design())
    store.claim_next("w")
    store.finish_generation(job.id, "w", backend="procedural",
                            candidates=[Candidate(seed=1, path="p")])
    assert store.expire_unchosen(max_age_seconds=60) == []
    assert store.expire_unchosen(max_age_seconds=0) == [job.id]
    assert store.get(job.id).state == q.ABANDONED


def test_dead_owner_requeued_before_lease_expires(store):
    from jobs.worker import dead_local_owners
    import socket

    job = submit_design(store, _design())
    dead = f"{socket.gethostname()}:999999:gone"
    store.claim_next(dead)
    assert store.lease_owners() == {dead}
    assert dead_local_owners([dead, f"otherhost:1:x", f"{socket.gethostname()}:1:init"]) == (dead,)
    assert store.requeue_stale(lease_seconds=600, dead_owners=(dead,)) == [(job.id, "requeued")]


def test_generation_goes_before_builds(store):
    older = submit_design(store, _design(seed=1))
    store.claim_next("w")
    store.finish_generation(older.id, "w", backend="procedural",
                            candidates=[Candidate(seed=1, path="p")])
    store.choose(older.id, 0)                    # submitted: waits for its build
    newer = submit_design(store, _design(seed=2))        # a visitor waiting at the screen
    first, second = store.claim_next("w"), store.claim_next("w")
    assert (first.job_id, first.step) == (newer.id, "generate")
    assert (second.job_id, second.step) == (older.id, "build")


def test_leases_use_the_database_clock_on_postgresql(pg_url, monkeypatch):
    """A GPU machine whose clock is 10 minutes behind must not look dead to the others: on
    PostgreSQL heartbeats and the stale cut-off are the database server's time."""
    store = q.Store(pg_url)
    job = submit_design(store, _design())
    real = q.utcnow
    monkeypatch.setattr(q, "utcnow", lambda: real() - q.dt.timedelta(minutes=10))
    assert store.claim_next("slow-clock").job_id == job.id
    assert store.heartbeat(job.id, "slow-clock")
    monkeypatch.setattr(q, "utcnow", real)
    assert store.requeue_stale(lease_seconds=60) == []           # alive by the database's clock
    (lease,) = store.stats()["leases"]
    assert 0 <= lease["heartbeat_age_s"] < 30
    assert store.requeue_stale(lease_seconds=0) == [(job.id, "requeued")]
    store.dispose()
