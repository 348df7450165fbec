"""In Debian Chromium: a staff member clears a small queue the fast way (bench/bench_staff.py's
script: approve-next, one-tap reject, select all ready), then opens the statistics page from
the staff page (same session, no second login) and its Altair charts render."""
from __future__ import annotations

import pytest

from bench import bench_staff
from jobs import staff_auth
from jobs import store as q
from tests.kiosk.conftest import SCREENSHOTS, chromium, start_streamlit  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def _shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_fast_review_then_statistics_charts(chromium, monkeypatch, tmp_path):
    var = tmp_path / "var"
    monkeypatch.setenv("KIOSK_VAR", str(var))
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)
    store = q.Store()
    jobs = bench_staff.make_ready_jobs(store, 10)
    env = {"KIOSK_VAR": str(var), "KIOSK_BACKEND": "procedural", "KIOSK_WORKER": "external",
           "KIOSK_STAFF_PASSWORD_HASH": staff_auth.hash_password(bench_staff.PASSWORD,
                                                                 iterations=1000)}
    with start_streamlit(env=env) as url:
        context = chromium.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        try:
            run = bench_staff.review(page, url, store, jobs, open_n=3, reject_n=2, shot=_shot)
            states = [store.get(j.id).state for j in jobs]
            assert states.count(q.PRINTED) == 8 and states.count(q.REJECTED) == 2
            assert run.clicks == 9
            page.get_by_text("统计图表 · Statistics").click()
            page.get_by_text("Jobs per day").first.wait_for(timeout=30_000)
            charts = page.locator("[data-testid='stVegaLiteChart']")
            charts.nth(6).wait_for(timeout=30_000)
            assert charts.count() == 7
            page.locator("[data-testid='stVegaLiteChart'] canvas, "
                         "[data-testid='stVegaLiteChart'] svg").first.wait_for(timeout=30_000)
            page.get_by_text("Export CSV").wait_for()
            page.wait_for_timeout(1500)   # let Vega finish drawing before the screenshot
            _shot(page, "staff_stats_01_charts")
        finally:
            context.close()
    store.dispose()
