"""Shared kiosk test fixtures: AppTest for the visitor flow, a real `streamlit run` server and
Debian Chromium driven by Playwright with touch input.

Reuse from other test folders (e.g. tests/staff/) by importing the helpers:
    from tests.kiosk.conftest import start_streamlit, launch_chromium, tap
or by putting `pytest_plugins = ["tests.kiosk.conftest"]` in your conftest.

Browser rules: Chromium is the Debian binary (shutil.which("chromium")), never
`playwright install` (it downloads a browser, and nothing may download). The server binds
127.0.0.1 on a free port and is stopped by its PID.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "streamlit_app.py"
SCREENSHOTS = REPO / "var" / "screenshots"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# AppTest runs the app in this process: give its queue a private var folder and SQLite database
# before anything (the store and worker are process-wide st.cache_resource objects created on
# first use), never the machine's real queue; generate in-process with the procedural backend.
os.environ["KIOSK_VAR"] = tempfile.mkdtemp(prefix="kiosk-test-var-")
os.environ["KIOSK_BACKEND"] = "procedural"
for _name in ("KIOSK_DB_URL", "KIOSK_WORKER", "KIOSK_PRINTER", "KIOSK_IDLE_SECONDS",
              "KIOSK_CANDIDATES"):
    os.environ.pop(_name, None)


# -- AppTest ---------------------------------------------------------------------------------
@pytest.fixture
def app():
    """A fresh visitor session (AppTest) already run once: the start screen."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=30)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# -- a real server ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerURL(str):
    """The server's base URL (a plain str) that also knows the server's var folder."""
    var: Path


@contextlib.contextmanager
def start_streamlit(env: dict | None = None, timeout: float = 60):
    """`streamlit run streamlit_app.py` on 127.0.0.1:<free port>; yields the base URL
    (`.var`: its private KIOSK_VAR folder, where the queue database and job files live)."""
    port = free_port()
    var = tempfile.mkdtemp(prefix="kiosk-server-var-")
    full_env = {**os.environ, "KIOSK_VAR": var, **(env or {})}
    log = open(Path(full_env["KIOSK_VAR"]) / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = ServerURL(f"http://127.0.0.1:{port}")
    url.var = Path(full_env["KIOSK_VAR"])
    try:
        end = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > end:
                raise RuntimeError(f"streamlit did not start in {timeout} s; see {log.name}")
            time.sleep(0.25)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # its own session: only its process group
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
        log.close()


def launch_chromium(playwright):
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    return playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS, headless=True)


@pytest.fixture(scope="session")
def kiosk_server():
    """One kiosk server for the browser tests of a run (base URL)."""
    with start_streamlit() as url:
        yield url


def _shared() -> types.ModuleType:
    # One Playwright + Chromium per test process, even when several test modules import this
    # file's `chromium` fixture (each import is its own session fixture, and two sync
    # Playwright instances in one process fail). sys.modules holds it: this conftest may itself
    # be loaded twice, as `conftest` and as `tests.kiosk.conftest`.
    return sys.modules.setdefault("_kiosk_test_browser", types.ModuleType("_kiosk_test_browser"))


@pytest.fixture(scope="session")
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    shared = _shared()
    if getattr(shared, "users", 0) == 0:
        shared.pw = sync_api.sync_playwright().start()
        try:
            shared.browser = launch_chromium(shared.pw)
        except BaseException:
            shared.pw.stop()
            raise
    shared.users = getattr(shared, "users", 0) + 1
    yield shared.browser
    shared.users -= 1
    if shared.users == 0:
        shared.browser.close()
        shared.pw.stop()


@pytest.fixture
def touch_page(chromium):
    """A portrait 1080x1920 touchscreen page (has_touch), screenshots folder ready."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True,
                                   device_scale_factor=1, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


# -- touch helpers ---------------------------------------------------------------------------
def tap(page, locator, timeout: float = 45_000) -> float:
    """A finger tap on the middle of an element (touch events, not a mouse click); returns
    time.perf_counter() at the touch (benchmarks time from there, not from the settling).
    The timeout is generous: on a loaded 2-core machine a cold page can take 15 s."""
    locator.wait_for(state="visible", timeout=timeout)
    end = time.monotonic() + timeout / 1000
    # A finger lands where the button is now: wait until the layout has settled (thumbnails
    # still loading push buttons down) and the element is what a touch there would hit.
    while True:
        locator.scroll_into_view_if_needed(timeout=timeout)
        box = locator.bounding_box()
        page.wait_for_timeout(120)
        again = locator.bounding_box()
        if box and box == again:
            x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
            if _hit(locator, x, y):
                break
            # on screen but under something (the sticky action bar): a finger scrolls it up
            with contextlib.suppress(Exception):
                locator.evaluate("e => e.scrollIntoView({block: 'center'})", timeout=1_000)
        if time.monotonic() > end:
            raise AssertionError(f"{locator} did not settle under the finger: {box} -> {again}")
    touched = time.perf_counter()
    page.touchscreen.tap(x, y)
    return touched


# elementFromPoint stops at a shadow host (components v2 render in shadow DOM): descend.
_HIT_JS = """(e, [x, y]) => {
  let t = document.elementFromPoint(x, y);
  while (t && t.shadowRoot) {
    const inner = t.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === t) break;
    t = inner;
  }
  return !!t && (t === e || e.contains(t));
}"""


def _hit(locator, x: float, y: float) -> bool:
    """Whether a touch at viewport (x, y) lands on the element. Elements inside an iframe are
    not checked (their document has its own coordinates)."""
    try:
        el = locator.element_handle(timeout=1_000)
        if el.owner_frame() != locator.page.main_frame:
            return True
        return bool(el.evaluate(_HIT_JS, [x, y]))
    except Exception:   # replaced by a rerun between the calls: look again
        return False


def touch_drag(page, start: tuple[float, float], end: tuple[float, float], steps: int = 8) -> None:
    """A one-finger drag with CDP Input.dispatchTouchEvent (viewport coordinates)."""
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = start, end
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]})
    for i in range(1, steps + 1):
        x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
        cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        time.sleep(0.02)
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
