"""Approval respects the checks: a chosen picture whose text does not read back exactly, or a
product PDF with preflight errors, is approved only with an override reason (store, CLI, staff
page). All on a real SQLite store in tmp_path."""
from __future__ import annotations

from pathlib import Path

import pytest
from queue_helpers import DESIGN

from jobs import files, staff, staff_auth
from jobs import store as q
from jobs.cli import main as jobs_main
from jobs.runner import submit_design
from jobs.records import (BuildResult, Candidate, Override, PreflightFinding, PreflightSummary,
                          TextCheck)

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "kiosk" / "staff.py")
PASSWORD = "correct horse 12"

GOOD = [TextCheck(expected="天路", read="天路", exact=True, ned=1.0, confidence=0.9)]
WRONG = [TextCheck(expected="天路", read="天略", exact=False, ned=0.5, confidence=0.8)]
RARE = [TextCheck(expected="天𠀀", read="天", exact=False, ned=0.5, confidence=0.7,
                  unverifiable="𠀀")]
WARNING = PreflightFinding(severity="warning", code="low_res", page=1, message="art is 240 dpi")
ERROR = PreflightFinding(severity="error", code="rgb_image", page=1, message="RGB image")


def _ready(store, checks=GOOD, issues=(), seed=7, text="天路") -> q.JobInfo:
    """Drive one job through generate -> choose -> build to ready_for_review."""
    design = {**DESIGN, "seed": seed, "lines": [{"text": text, "box": [0.30, 0.08, 0.40, 0.12]}]}
    job = submit_design(store, design)
    c = store.claim_next("w")
    assert (c.job_id, c.step) == (job.id, "generate")
    other = Candidate(seed=seed + 1, path=f"jobs/{job.id}/c1.png", checks=GOOD, all_exact=True,
                      mean_ned=1.0)
    chosen = Candidate(seed=seed, path=f"jobs/{job.id}/c0.png", checks=list(checks),
                       all_exact=all(ch.exact for ch in checks),
                       mean_ned=sum(ch.ned for ch in checks) / max(len(checks), 1))
    assert store.finish_generation(job.id, "w", backend="procedural",
                                   candidates=[chosen, other]).state == q.AWAITING_CHOICE
    store.choose(job.id, 0)
    c = store.claim_next("w")
    assert (c.job_id, c.step) == (job.id, "build")
    pdf = files.write_bytes(job.id, "product.pdf", b"%PDF-1.4\n% test\n%%EOF\n")
    preflight = PreflightSummary(ok=not any(i.severity == "error" for i in issues), pages=2,
                                 mode="CMYK", issues=list(issues))
    done = store.finish_build(job.id, "w", BuildResult(pdf_path=pdf, preflight=preflight))
    assert done.state == q.READY
    return done


# -- the rule (JobInfo.approval_blocks) and Store.approve -----------------------------------------
def test_clean_job_is_approved_without_override(sqlite_store):
    job = _ready(sqlite_store)
    assert job.approval_blocks() == [] and job.ocr_ok is True
    approved = sqlite_store.approve(job.id, actor="ann")
    assert approved.state == q.APPROVED and approved.approval_override is None
    (entry,) = sqlite_store.audit_log(job_id=job.id, action="approved")
    assert entry.actor == "ann"
    assert sqlite_store.audit_log(job_id=job.id, action="approved_override") == []


def test_wrong_read_back_blocks_and_names_the_line(sqlite_store):
    job = _ready(sqlite_store, checks=WRONG)
    assert job.ocr_ok is False
    (block,) = job.approval_blocks()
    assert "'天路' read as '天略'" in block
    with pytest.raises(q.ApprovalBlocked) as ei:
        sqlite_store.approve(job.id, actor="ann")
    assert isinstance(ei.value, q.QueueError)
    assert "天路" in ei.value.en and "天略" in ei.value.en and job.ticket in ei.value.en
    assert ei.value.blocks == [block]
    after = sqlite_store.get(job.id)
    assert after.state == q.READY and after.approval_override is None
    assert [e.action for e in sqlite_store.audit_log(job_id=job.id)][0] == "built"


def test_only_the_wrong_lines_are_named(sqlite_store):
    checks = [TextCheck(expected="天路", read="天路", exact=True, ned=1.0),
              TextCheck(expected="吉祥", read="古祥", exact=False, ned=0.5)]
    job = _ready(sqlite_store, checks=checks)
    (block,) = job.approval_blocks()
    assert "'吉祥' read as '古祥'" in block and "天路" not in block


def test_the_chosen_candidate_decides_not_the_others(sqlite_store):
    """Candidate 1 reads back fine, but the visitor chose candidate 0, which does not."""
    job = _ready(sqlite_store, checks=WRONG)
    assert job.chosen == 0 and job.candidates[1].all_exact
    assert job.approval_blocks()


def test_preflight_errors_block(sqlite_store):
    job = _ready(sqlite_store, issues=[WARNING, ERROR])
    (block,) = job.approval_blocks()
    assert "preflight" in block and "1 error" in block and "rgb_image" in block
    assert "low_res" not in block
    with pytest.raises(q.ApprovalBlocked):
        sqlite_store.approve(job.id, actor="ann")
    assert sqlite_store.get(job.id).state == q.READY


def test_preflight_warnings_alone_do_not_block(sqlite_store):
    job = _ready(sqlite_store, issues=[WARNING])
    assert job.approval_blocks() == []
    assert sqlite_store.approve(job.id, actor="ann").state == q.APPROVED


def test_both_kinds_of_block_are_listed(sqlite_store):
    job = _ready(sqlite_store, checks=WRONG, issues=[ERROR])
    blocks = job.approval_blocks()
    assert len(blocks) == 2 and "read as" in blocks[0] and "preflight" in blocks[1]


def test_unverifiable_characters_do_not_block(sqlite_store):
    job = _ready(sqlite_store, checks=RARE)
    assert job.ocr[0].exact is False and job.ocr[0].passes
    assert job.approval_blocks() == []
    assert sqlite_store.approve(job.id, actor="ann").state == q.APPROVED
    assert sqlite_store.audit_log(job_id=job.id, action="approved_override") == []


def test_no_preflight_report_does_not_block(sqlite_store):
    """A build without a stored preflight (an older row) is not blocked by it."""
    job = _ready(sqlite_store)
    with sqlite_store.session_scope() as s:
        row = s.get(q.Job, job.id)
        row.build_info = {**row.build_info, "build": {"pdf_path": row.pdf_path}}
    assert sqlite_store.get(job.id).approval_blocks() == []


def test_override_with_a_reason_approves_and_is_recorded(sqlite_store):
    job = _ready(sqlite_store, checks=WRONG, issues=[ERROR])
    blocks = job.approval_blocks()
    approved = sqlite_store.approve(job.id, actor="ann", override="  visitor checked the proof  ")
    assert approved.state == q.APPROVED
    assert approved.approval_override == Override(actor="ann", reason="visitor checked the proof",
                                                  blocks=blocks)
    stored = sqlite_store.get(job.id)                       # read back from the database
    assert stored.approval_override == approved.approval_override
    assert stored.to_dict()["approval_override"]["reason"] == "visitor checked the proof"
    (entry,) = sqlite_store.audit_log(job_id=job.id, action="approved_override")
    assert entry.actor == "ann" and entry.detail["reason"] == "visitor checked the proof"
    assert entry.detail["blocks"] == blocks
    assert sqlite_store.audit_log(job_id=job.id, action="approved") == []


def test_override_on_a_clean_job_is_a_plain_approval(sqlite_store):
    job = _ready(sqlite_store)
    approved = sqlite_store.approve(job.id, actor="ann", override="not needed")
    assert approved.state == q.APPROVED and approved.approval_override is None
    assert [e.action for e in sqlite_store.audit_log(job_id=job.id)][0] == "approved"


@pytest.mark.parametrize("empty", ["", "   ", "\n\t"])
def test_empty_override_counts_as_none(sqlite_store, empty):
    job = _ready(sqlite_store, checks=WRONG)
    with pytest.raises(q.ApprovalBlocked):
        sqlite_store.approve(job.id, actor="ann", override=empty)
    after = sqlite_store.get(job.id)
    assert after.state == q.READY and after.approval_override is None
    assert sqlite_store.audit_log(job_id=job.id, action="approved_override") == []


def test_approve_and_print_respects_the_block(sqlite_store, var):
    job = _ready(sqlite_store, checks=WRONG)
    with pytest.raises(q.ApprovalBlocked):
        staff.approve_and_print(sqlite_store, job.id, actor="ann")
    assert not list((var / "hotfolder").glob("*.pdf"))
    printed, err = staff.approve_and_print(sqlite_store, job.id, actor="ann", override="ok'd")
    assert err is None and printed.state == q.PRINTED
    assert printed.approval_override.reason == "ok'd"
    assert len(list((var / "hotfolder").glob("*.pdf"))) == 1


# -- the command line ------------------------------------------------------------------------------
def test_cli_batch_approves_the_good_and_refuses_the_blocked(sqlite_store, var, capsys):
    good = _ready(sqlite_store, seed=1)
    bad = _ready(sqlite_store, checks=WRONG, seed=2)
    rc = jobs_main(["approve", str(good.id), str(bad.id)])
    out = capsys.readouterr().out
    assert rc == 1
    assert f"{good.id} {good.ticket} printed" in out
    assert f"{bad.id} {bad.ticket} not approved:" in out and "天略" in out
    assert sqlite_store.get(good.id).state == q.PRINTED
    assert sqlite_store.get(bad.id).state == q.READY
    pdfs = [p.name for p in (var / "hotfolder").glob("*.pdf")]
    assert len(pdfs) == 1 and good.ticket in pdfs[0]


def test_cli_blocked_order_does_not_stop_the_rest(sqlite_store, capsys):
    bad = _ready(sqlite_store, issues=[ERROR], seed=1)
    good = _ready(sqlite_store, seed=2)
    assert jobs_main(["approve", bad.ticket, good.ticket]) == 1
    assert sqlite_store.get(good.id).state == q.PRINTED
    assert sqlite_store.get(bad.id).state == q.READY
    assert "rgb_image" in capsys.readouterr().out


def test_cli_override_approves_the_blocked_job(sqlite_store, var, capsys):
    bad = _ready(sqlite_store, checks=WRONG)
    rc = jobs_main(["approve", str(bad.id), "--override", "checked by hand", "--actor", "bob"])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"{bad.id} {bad.ticket} printed" in out
    job = sqlite_store.get(bad.id)
    assert job.state == q.PRINTED
    assert job.approval_override.actor == "bob" and job.approval_override.reason == "checked by hand"
    (entry,) = sqlite_store.audit_log(job_id=bad.id, action="approved_override")
    assert entry.detail["reason"] == "checked by hand"
    assert len(list((var / "hotfolder").glob("*.pdf"))) == 1


def test_cli_blank_override_is_no_override(sqlite_store, capsys):
    bad = _ready(sqlite_store, checks=WRONG)
    assert jobs_main(["approve", str(bad.id), "--override", "  "]) == 1
    assert "not approved" in capsys.readouterr().out
    assert sqlite_store.get(bad.id).state == q.READY


def test_cli_show_lists_the_blocks(sqlite_store, capsys):
    import json

    bad = _ready(sqlite_store, checks=WRONG, issues=[ERROR])
    assert jobs_main(["show", str(bad.id)]) == 0
    out = capsys.readouterr().out
    assert "blocked: text does not read back exactly" in out and "blocked: preflight" in out
    assert jobs_main(["show", str(bad.id), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["approval_blocks"] == bad.approval_blocks()


# -- the staff page ------------------------------------------------------------------------------
@pytest.fixture
def page_store(var, monkeypatch):
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD_HASH",
                       staff_auth.hash_password(PASSWORD, iterations=1000))
    s = q.Store()
    yield s
    s.dispose()


def _logged_in():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(PAGE, default_timeout=30).run()
    assert not at.exception
    at.text_input(key="s_login_name").input("Ann")
    at.text_input(key="s_login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception and at.session_state["s_actor"] == "staff:Ann"
    return at


def _keys(elements) -> set:
    return {e.key for e in elements}


def test_staff_queue_shows_the_block_and_no_checkbox(page_store):
    good = _ready(page_store, seed=1)
    bad = _ready(page_store, checks=WRONG, seed=2)
    at = _logged_in()
    boxes = _keys(at.checkbox)
    assert f"s_sel_{good.id}" in boxes and f"s_sel_{bad.id}" not in boxes
    warnings = [w.value for w in at.warning]
    assert any("Blocked by the checks" in w and "天略" in w for w in warnings), warnings


def test_staff_override_approves_from_the_job_page(page_store, var):
    bad = _ready(page_store, checks=WRONG, issues=[ERROR])
    at = _logged_in()
    at.button(key=f"s_open_{bad.id}").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("Blocked by the checks" in e and "天略" in e and "rgb" in e for e in errors), errors
    assert "s_approve_one" not in _keys(at.button)          # no plain approve button
    # a form: its button works while the reason is being typed; no reason, no approval
    for reason in ("", "   "):                              # whitespace is no reason
        at.text_input(key=f"s_override_{bad.id}").input(reason)
        at.button(key="s_approve_override").click().run()
        assert page_store.get(bad.id).state == q.READY
        assert any("override reason" in e.value for e in at.error), [e.value for e in at.error]
    at.text_input(key=f"s_override_{bad.id}").input("visitor accepts the blur")
    at.button(key="s_approve_override").click().run()
    assert not at.exception
    assert len(at.success) >= 1, [e.value for e in at.error]
    job = page_store.get(bad.id)
    assert job.state == q.PRINTED
    assert job.approval_override == Override(actor="staff:Ann", reason="visitor accepts the blur",
                                             blocks=bad.approval_blocks())
    (entry,) = page_store.audit_log(job_id=bad.id, action="approved_override")
    assert entry.actor == "staff:Ann" and entry.detail["reason"] == "visitor accepts the blur"
    assert len(list((var / "hotfolder").glob("*.pdf"))) == 1
    # the job's page now says who overrode it and why
    assert any("overridden by" in w.value and "Ann" in w.value and "blur" in w.value
               for w in at.warning), [w.value for w in at.warning]


def test_staff_clean_job_has_the_plain_approve_button(page_store):
    good = _ready(page_store)
    at = _logged_in()
    at.button(key=f"s_open_{good.id}").click().run()
    keys = _keys(at.button)
    assert "s_approve_one" in keys and "s_approve_override" not in keys
    at.button(key="s_approve_one").click().run()
    assert not at.exception
    assert page_store.get(good.id).state == q.PRINTED
