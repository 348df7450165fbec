"""The staff page in Debian Chromium: log in, open a job, approve, the PDF lands in the hot
folder. The queue is prepared in this process on the server's own var folder."""
from __future__ import annotations

import time

import pytest

from jobs.runner import submit_design
from jobs.worker import Worker
from jobs import staff_auth
from jobs import store as q
from tests.kiosk.conftest import SCREENSHOTS, chromium, start_streamlit  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser
PASSWORD = "counter password 7"


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_staff_login_approve_pdf_in_hot_folder(chromium, monkeypatch, tmp_path):
    var = tmp_path / "var"
    monkeypatch.setenv("KIOSK_VAR", str(var))
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)
    store = q.Store()
    design = {"motif": "sacred_tree", "product": "postcard", "seed": 5,
              "lines": [{"text": "吉祥如意", "box": [0.25, 0.06, 0.5, 0.14]}]}
    job = submit_design(store, design, n=1, size="768x512", auto_choose=True, source="cli")
    Worker(store, backend="procedural").run_until_idle()
    assert store.get(job.id).state == q.READY
    env = {"KIOSK_VAR": str(var), "KIOSK_BACKEND": "procedural", "KIOSK_WORKER": "external",
           "KIOSK_STAFF_PASSWORD_HASH": staff_auth.hash_password(PASSWORD, iterations=1000)}
    with start_streamlit(env=env) as url:
        context = chromium.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        try:
            page.goto(url + "/staff")
            page.locator(".st-key-s_login_name input").wait_for(state="visible", timeout=30_000)
            page.locator(".st-key-s_login_name input").fill("Ann")
            page.locator(".st-key-s_login_password input").fill("wrong one")
            page.get_by_role("button", name="登录 · Log in").click()
            page.get_by_text("Wrong password").wait_for(timeout=15_000)
            _shot(page, "staff_01_wrong_password")
            page.locator(".st-key-s_login_password input").fill(PASSWORD)
            page.get_by_role("button", name="登录 · Log in").click()
            page.get_by_text("印刷队列 · Print queue").wait_for(timeout=15_000)
            page.locator(f".st-key-s_open_{job.id} button").wait_for(timeout=15_000)
            # a job that becomes ready while the page is open appears without a click
            later = submit_design(store, {**design, "seed": 6}, n=1, size="768x512", auto_choose=True,
                                 source="cli")
            Worker(store, backend="procedural").run_until_idle()
            page.locator(f".st-key-s_open_{later.id} button").wait_for(timeout=30_000)
            _shot(page, "staff_02_queue")
            page.locator(f".st-key-s_open_{job.id} button").click()
            approve = page.locator(".st-key-s_approve_one button")
            approve.wait_for(timeout=15_000)
            page.wait_for_timeout(500)
            _shot(page, "staff_03_job")
            approve.click()
            page.get_by_text("已送热文件夹").first.wait_for(timeout=20_000)   # no printer: not "printed"
            page.wait_for_timeout(1500)  # let the audit table redraw before the screenshot
            _shot(page, "staff_04_printed")
        finally:
            context.close()
    end = time.monotonic() + 10
    while not list((var / "hotfolder").glob("*.pdf")) and time.monotonic() < end:
        time.sleep(0.1)
    (pdf,) = (var / "hotfolder").glob("*.pdf")
    assert job.ticket in pdf.name and pdf.read_bytes()[:5] == b"%PDF-"
    assert store.get(job.id).state == q.PRINTED
    assert store.audit_log(job_id=job.id, action="approved")[0].actor == "staff:Ann"
    store.dispose()
