"""The staff page at the shop counter, in Debian Chromium at 1366x768: find a job by the ticket a
visitor shows, states in words, button labels whole, Reject usable while the reason is still
being typed, and a PDF copied to the hot folder reads "sent to hot folder", not "printed".
Screenshots: var/screenshots/staff_counter_*.png."""
from __future__ import annotations

import pytest

from jobs import staff_auth
from jobs import store as q
from jobs.runner import submit_design
from jobs.worker import Worker
from tests.kiosk.conftest import SCREENSHOTS, chromium, start_streamlit  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
PASSWORD = "counter password 9"
RAW_STATES = [s for s in q.STATES if "_" in s]   # ids no staff member should have to read


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / f"staff_counter_{name}.png"))


def _settled(page):
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=60_000)
    page.wait_for_timeout(300)


# Buttons whose label is clipped: the label's text is wider or taller than the box it is drawn in
# (Streamlit clips button labels), or it leaves the button.
_CLIPPED = """() => [...document.querySelectorAll('button')].filter(b => b.offsetParent).flatMap(b => {
  const out = [];
  for (const el of [b, ...b.querySelectorAll('*')]) {
    if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
      const cs = getComputedStyle(el);
      if (cs.overflow !== 'visible' || cs.overflowX !== 'visible' || cs.textOverflow === 'ellipsis')
        out.push(b.innerText.trim() + ' [' + el.tagName + ' ' + el.scrollWidth + '>' + el.clientWidth + ']');
    }
  }
  const r = b.getBoundingClientRect();
  for (const el of b.querySelectorAll('p, span, div')) {
    const t = el.getBoundingClientRect();
    if (t.width && (t.left < r.left - 1 || t.right > r.right + 1))
      out.push(b.innerText.trim() + ' [leaves its button]');
  }
  return out; })"""


def _no_raw_states(page):
    text = page.locator("[data-testid='stMain']").inner_text()
    assert not [s for s in RAW_STATES if s in text], text


def test_counter_search_words_labels_reject_while_typing(chromium, monkeypatch, tmp_path):
    var = tmp_path / "var"
    monkeypatch.setenv("KIOSK_VAR", str(var))
    for name in ("KIOSK_DB_URL", "KIOSK_PRINTER", "KIOSK_HOTFOLDER"):
        monkeypatch.delenv(name, raising=False)
    store = q.Store()
    jobs = [submit_design(store, {"motif": "sunbird", "product": "postcard", "seed": 50 + i,
                                  "lines": [{"text": "吉祥如意", "box": [0.25, 0.06, 0.5, 0.14]}]},
                          n=1, size="768x512", auto_choose=True, source="cli") for i in range(3)]
    Worker(store, backend="procedural").run_until_idle()
    first, second, third = [store.get(j.id) for j in jobs]
    assert first.state == second.state == third.state == q.READY
    env = {"KIOSK_VAR": str(var), "KIOSK_BACKEND": "procedural", "KIOSK_WORKER": "external",
           "KIOSK_STAFF_PASSWORD_HASH": staff_auth.hash_password(PASSWORD, iterations=1000)}
    with start_streamlit(env=env) as url:
        context = chromium.new_context(viewport={"width": 1366, "height": 768})
        page = context.new_page()
        try:
            page.goto(url + "/staff")
            page.locator(".st-key-s_login_name input").wait_for(state="visible", timeout=30_000)
            page.locator(".st-key-s_login_name input").fill("Ann")
            page.locator(".st-key-s_login_password input").fill(PASSWORD)
            page.get_by_role("button", name="登录 · Log in").click()
            page.locator(f".st-key-s_open_{third.id} button").wait_for(timeout=30_000)
            _settled(page)
            _shot(page, "01_queue")
            # states in words, labels whole
            page.get_by_text("Ready for review").first.wait_for(timeout=10_000)
            _no_raw_states(page)
            assert page.evaluate(_CLIPPED) == []

            # the visitor shows ticket 2: typing it leaves only that job in the queue
            search = page.locator(".st-key-s_search input")
            search.fill(second.ticket.lower())
            search.press("Enter")
            page.locator(f".st-key-s_open_{first.id}").wait_for(state="detached", timeout=30_000)
            _settled(page)
            assert page.locator("[class*='st-key-s_open_']").count() == 1
            assert page.locator(f".st-key-s_open_{second.id} button").is_visible()
            _shot(page, "02_search")

            # open it; Reject is usable while the reason is still being typed (no blur first)
            page.locator(f".st-key-s_open_{second.id} button").click()
            reason = page.locator(f".st-key-s_reason_{second.id} input")
            reason.wait_for(timeout=30_000)
            _settled(page)
            _no_raw_states(page)
            assert page.evaluate(_CLIPPED) == []
            reason.scroll_into_view_if_needed()
            _shot(page, "03_job")
            reason.click()
            page.keyboard.type("text is blurred")
            reject = page.locator(".st-key-s_reject button")
            assert reject.is_enabled()
            reject.click()
            page.get_by_text("已拒绝 · rejected").first.wait_for(timeout=30_000)
            assert store.get(second.id).state == q.REJECTED
            assert store.get(second.id).reject_reason == "text is blurred"

            # back to the queue, search cleared: approve the first; the hot folder took the PDF,
            # no printer: the page says so, and never "printed"
            page.locator(".st-key-s_back button").click()
            search = page.locator(".st-key-s_search input")
            search.fill("")
            search.press("Enter")
            page.locator(f".st-key-s_open_{first.id} button").click()
            approve = page.locator(".st-key-s_approve_one button")
            approve.wait_for(timeout=30_000)
            _settled(page)
            approve.click()
            page.get_by_text("sent to hot folder").first.wait_for(timeout=30_000)
            _settled(page)
            assert store.get(first.id).state == q.PRINTED
            page.get_by_text("已送热文件夹 · Sent to hot folder").first.wait_for(timeout=10_000)
            main = page.locator("[data-testid='stMain']").inner_text()
            assert "printed" not in main.lower() and "已打印" not in main, main
            _shot(page, "04_sent")
        finally:
            context.close()
    store.dispose()
