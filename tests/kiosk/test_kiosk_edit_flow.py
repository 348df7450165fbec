"""The edit screen without a browser (AppTest): a refused word or a line without a box is
said in the visitor's language and nothing is queued; undo is off at the original."""
from __future__ import annotations

from generator.moderation import REFUSED_EN, REFUSED_ZH
from kiosk.i18n import t
from tests.kiosk.test_kiosk_flow import assert_clean, errors, set_line, to_text_step, \
    wait_for_candidates

BOX_TOP = (0.1, 0.1, 0.8, 0.16)


def _to_edit(at):
    at = to_text_step(at)
    set_line(at, 0, "天路")
    at.session_state["v_boxes"] = [BOX_TOP]
    at.button(key="w_generate").click().run()
    first = wait_for_candidates(at)[0]
    at.button(key=first).click().run()
    at.button(key="w_proof_edit").click().run()
    assert_clean(at)
    assert at.session_state["v_step"] == "edit"
    return at


def test_refused_and_invalid_edits_are_said_and_not_queued(app):
    from kiosk.resources import get_store

    at = _to_edit(app)
    job_id = int(at.session_state["v_job"])
    assert at.button(key="w_edit_undo").disabled          # nothing to undo at the original
    assert at.text_input(key="w_text_0").value == "天路"   # the chosen version's words
    set_line(at, 0, "台独")
    at.button(key="w_edit_apply").click().run()
    assert_clean(at)
    assert errors(at) == [REFUSED_ZH]                     # Chinese first, names no word
    at.button(key="k_lang_btn").click().run()
    assert errors(at) == [REFUSED_EN]
    # a new line with no box drawn for it
    set_line(at, 0, "天路")
    at.button(key="w_add_line").click().run()
    set_line(at, 1, "吉祥")
    at.button(key="w_edit_apply").click().run()
    assert errors(at) == [t("need_box", "en", n=2)]
    job = get_store().get(job_id)
    assert job.state == "awaiting_choice" and job.edit_request is None
    assert not any(c.edited for c in job.candidates)
    # with its box, the edit goes to the worker and comes back as a version
    at.session_state["v_boxes"] = [BOX_TOP, (0.1, 0.7, 0.8, 0.16)]
    at.button(key="w_edit_apply").click().run()
    assert_clean(at)
    assert not errors(at)
    for _ in range(300):
        if not at.session_state["v_editing"]:
            break
        at.run()
    job = get_store().get(job_id)
    assert job.candidates[-1].edited and at.session_state["v_version"] == len(job.candidates) - 1
    assert not at.button(key="w_edit_undo").disabled
