"""Staff review speed: a scripted staff member in Debian Chromium clears N ready jobs (opens
some and walks them with "approve, next job", rejects a few with a one-tap reason, then
"select all ready" + "approve selected") and the figure is jobs per hour of screen time, from
the first click in the queue to the last job printed (target >= 150 an hour). The script
has no thinking time: it measures what the page costs a person, not the person.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import dataclass

N_JOBS = 50
OPEN, REJECT = 5, 3      # jobs walked one by one with approve-next, then rejected from there
PASSWORD = "bench review 42"


@dataclass(frozen=True)
class ReviewRun:
    jobs: int
    seconds: float
    clicks: int

    @property
    def per_hour(self) -> float:
        return self.jobs / self.seconds * 3600


def make_ready_jobs(store, n: int) -> list:
    """n jobs waiting for review, made the real way (procedural backend, real PDFs)."""
    from jobs.runner import submit_design
    from jobs.worker import Worker

    motifs = ("sunbird", "sacred_tree", "sunbird", "gold_mask")
    jobs = [submit_design(store, {"motif": motifs[i % len(motifs)], "product": "postcard",
                                  "seed": 100 + i,
                                  "lines": [{"text": "吉祥如意", "box": [0.25, 0.06, 0.5, 0.14]}]},
                          n=1, size="768x512", auto_choose=True, source="cli") for i in range(n)]
    Worker(store, backend="procedural").run_until_idle()
    return [store.get(j.id) for j in jobs]


def settled(page, timeout: float = 60_000) -> None:
    """Wait until the page's script run is over (a click during a run may be lost)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=timeout)


def review(page, url: str, store, jobs, *, open_n: int = OPEN, reject_n: int = REJECT,
           shot=None) -> ReviewRun:
    """Log in (not timed), then clear every job in `jobs` and wait until none is left."""
    from jobs import store as q

    page.goto(url + "/staff")
    page.locator(".st-key-s_login_name input").wait_for(state="visible", timeout=60_000)
    page.locator(".st-key-s_login_name input").fill("Bench")
    page.locator(".st-key-s_login_password input").fill(PASSWORD)
    page.get_by_role("button", name="登录 · Log in").click()
    page.locator(f".st-key-s_open_{jobs[-1].id} button").wait_for(timeout=60_000)
    settled(page)
    clicks = 0
    t0 = time.monotonic()
    # 1. open the first job and walk: approve-next a few, reject-next a few (one tap each)
    page.locator(f".st-key-s_open_{jobs[0].id} button").click()
    clicks += 1
    for i, job in enumerate(jobs[:open_n + reject_n]):
        page.get_by_text(f"{job.ticket} · 待审核 · Ready for review").wait_for(timeout=30_000)
        settled(page)
        if shot and i == 0:
            shot(page, "staff_review_01_job")
        key = "s_approve_next" if i < open_n else "s_reject_quick_0"
        page.locator(f".st-key-{key} button").click()
        clicks += 1
    # 2. back to the queue: select all ready, approve selected
    nxt = jobs[open_n + reject_n] if len(jobs) > open_n + reject_n else None
    if nxt is not None:
        page.get_by_text(f"{nxt.ticket} · 待审核 · Ready for review").wait_for(timeout=30_000)
    settled(page)
    page.locator(".st-key-s_back button").click()
    clicks += 1
    rest = len(jobs) - open_n - reject_n
    select_all = page.locator(".st-key-s_select_all button")
    select_all.wait_for(timeout=30_000)
    settled(page)
    select_all.click()
    clicks += 1
    approve = page.get_by_role("button", name=f"批准所选（{rest}） · Approve selected ({rest})")
    approve.wait_for(timeout=30_000)
    settled(page)
    if shot:
        shot(page, "staff_review_02_selected")
    approve.click()
    clicks += 1
    page.locator(".st-key-s_select_all button").wait_for(timeout=60_000)
    page.get_by_text("sent to").first.wait_for(timeout=120_000)
    ids = [j.id for j in jobs]
    while any(store.get(i).state == q.READY for i in ids):
        time.sleep(0.05)
    seconds = time.monotonic() - t0
    if shot:
        shot(page, "staff_review_03_done")
    return ReviewRun(len(jobs), seconds, clicks)


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    if shutil.which("chromium") is None:
        print("staff review figure skipped: Debian chromium not installed")
        return
    import os
    import tempfile

    from playwright.sync_api import sync_playwright

    from jobs import staff_auth
    from jobs import store as q
    from tests.kiosk.conftest import CHROMIUM_ARGS, start_streamlit

    var = tempfile.mkdtemp(prefix="kiosk-bench-staff-")
    old = os.environ.get("KIOSK_VAR")
    os.environ["KIOSK_VAR"] = var     # after importing tests.kiosk.conftest, which sets its own
    try:
        store = q.Store()
        t = time.monotonic()
        jobs = make_ready_jobs(store, N_JOBS)
        print(f"({N_JOBS} ready jobs made in {time.monotonic() - t:.0f} s)")
        env = {"KIOSK_VAR": var, "KIOSK_BACKEND": "procedural", "KIOSK_WORKER": "external",
               "KIOSK_STAFF_PASSWORD_HASH": staff_auth.hash_password(PASSWORD, iterations=1000)}
        with start_streamlit(env=env) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
            result = review(page, url, store, jobs)
            browser.close()
        states = [store.get(j.id).state for j in jobs]
        assert states.count(q.PRINTED) == N_JOBS - REJECT and states.count(q.REJECTED) == REJECT
        report(f"staff review: {N_JOBS} jobs, {result.clicks} clicks (screen time)",
               result.seconds, "s")
        report("staff review speed (jobs per hour of screen time)", result.per_hour, "jobs/h",
               ">= 150")
        store.dispose()
    finally:
        if old is None:
            os.environ.pop("KIOSK_VAR", None)
        else:
            os.environ["KIOSK_VAR"] = old
        shutil.rmtree(var, ignore_errors=True)
