"""Editing the words of a chosen candidate, by touch in Debian Chromium (Playwright): change one
line, remove another, undo once, submit; the queued job's art and Design carry the result and
the proof on screen shows it. Screenshots of the edit screen (zh) go to var/screenshots/."""
from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from generator import ocr
from generator.design import make_design
from tests.kiosk.conftest import SCREENSHOTS, tap
from tests.kiosk.test_kiosk_browser import open_kiosk, shot

pytestmark = pytest.mark.browser

FIRST, SECOND, NEW = "天路", "如日中天", "吉祥如意"   # sunbird phrases 0, 1 and 5


def _job_store(server):
    from jobs.store import Store

    return Store(f"sqlite:///{server.var / 'kiosk.db'}", create=False)


def _inputs(page) -> list[str]:
    return page.eval_on_selector_all("[class*='st-key-w_text_'] input", "els => els.map(e => e.value)")


def _wait_inputs(page, values: list[str]) -> None:
    page.wait_for_function(
        """want => { const v = [...document.querySelectorAll("[class*='st-key-w_text_'] input")]
                                .map(e => e.value);
                     return JSON.stringify(v) === JSON.stringify(want)
                            && !document.querySelector('[data-stale="true"]'); }""",
        arg=values, timeout=60_000)


def _wait_versions(page, store, job_id: int, n: int) -> None:
    """The worker made the n-th picture of the job and the edit screen shows it again."""
    end = 600
    while len(store.get(job_id).candidates) < n and end:
        page.wait_for_timeout(200)
        end -= 1
    assert len(store.get(job_id).candidates) == n, store.get(job_id).error
    page.locator(".st-key-w_edit_apply button").wait_for(state="visible", timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)


def _proof_front(page) -> Image.Image:
    img = page.locator("[data-testid='stImage'] img").first
    img.wait_for(state="visible", timeout=30_000)
    data = page.request.get(img.get_attribute("src")).body()
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_change_remove_undo_submit_by_touch(kiosk_server, touch_page):
    page, store = touch_page, _job_store(kiosk_server)
    try:
        open_kiosk(page, kiosk_server)
        tap(page, page.locator(".st-key-v_start_btn button"))
        tap(page, page.locator(".st-key-v_motif_sunbird button"))
        tap(page, page.locator(".st-key-v_product_postcard button"))
        # two lines by touch, their boxes placed for us
        tap(page, page.locator(".st-key-w_phrase_0 button"))
        _wait_inputs(page, [FIRST])
        tap(page, page.locator(".st-key-w_add_line button"))
        _wait_inputs(page, [FIRST, ""])
        tap(page, page.locator(".st-key-w_phrase_1 button"))
        _wait_inputs(page, [FIRST, SECOND])
        tap(page, page.locator(".st-key-w_auto button"))
        page.get_by_text(re.compile("已画 2 个框")).wait_for(timeout=30_000)
        tap(page, page.locator(".st-key-w_generate button"))
        tap(page, page.locator(".st-key-w_choose_0 button"), timeout=90_000)
        job = store.list_jobs(newest_first=True, limit=1)[0]
        chosen = store.get(job.id).candidates[0]
        n = len(store.get(job.id).candidates)    # the generated ones; versions come after

        # the proof -> change the words
        tap(page, page.locator(".st-key-w_proof_edit button"))
        _wait_inputs(page, [FIRST, SECOND])
        assert page.locator(".st-key-w_edit_undo button").is_disabled()   # at the original
        shot(page, "edit_01_zh")

        # 1. change line 1: it is the current line; a phrase replaces its words
        tap(page, page.locator(".st-key-w_phrase_5 button"))
        _wait_inputs(page, [NEW, SECOND])
        tap(page, page.locator(".st-key-w_edit_apply button"))
        _wait_versions(page, store, job.id, n + 1)
        _wait_inputs(page, [NEW, SECOND])
        page.get_by_text("修改后的图案").wait_for(timeout=30_000)
        assert page.locator(".kiosk-badge-ok, .kiosk-badge-warn").count() == 1
        shot(page, "edit_02_changed_zh")

        # 2. remove line 2
        # (.first: the button's help tooltip renders a second, hidden copy of it)
        tap(page, page.locator(".st-key-w_del_1 button").first)
        _wait_inputs(page, [NEW])
        tap(page, page.locator(".st-key-w_edit_apply button"))
        _wait_versions(page, store, job.id, n + 2)
        _wait_inputs(page, [NEW])
        assert store.get(job.id).candidates[n + 1].parent == n
        shot(page, "edit_03_removed_zh")

        # 3. undo once: back to the version with both lines
        tap(page, page.locator(".st-key-w_edit_undo button"))
        _wait_inputs(page, [NEW, SECOND])
        assert not page.locator(".st-key-w_edit_undo button").is_disabled()  # 2 -> original

        # 4. back to the proof, submit
        tap(page, page.locator(".st-key-w_edit_next button"))
        page.locator(".st-key-w_consent").wait_for(state="visible", timeout=30_000)
        page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')",
                               timeout=30_000)
        front = _proof_front(page)
        shot(page, "edit_04_proof_zh")
        tap(page, page.locator(".st-key-w_consent label"))
        page.wait_for_function(
            "() => { const b = document.querySelector('.st-key-w_submit button'); "
            "return b && !b.disabled; }", timeout=30_000)
        tap(page, page.locator(".st-key-w_submit button"))
        ticket = page.locator(".kiosk-ticket")
        ticket.wait_for(state="visible", timeout=30_000)

        # the queued job carries the edited version: its picture and its words
        job = store.find(ticket.inner_text().strip())
        version = job.candidates[n]
        assert job.chosen == n and version.parent == 0
        assert job.art_path == version.path != chosen.path
        assert [ln["text"] for ln in job.design["lines"]] == [NEW, SECOND]
        assert [c.expected for c in job.ocr] == [NEW, SECOND] and job.ocr_ok
        # the proof on screen shows the changed words, and not the old ones
        # (the front is the art, trimmed: each line read back from its box)
        front.save(SCREENSHOTS / "edit_05_proof_front.png")
        checks = ocr.check_lines(front, make_design(job.design).lines)
        assert [c.read for c in checks] == [NEW, SECOND], checks
        assert SCREENSHOTS.joinpath("edit_02_changed_zh.png").exists()
    finally:
        store.dispose()
