"""Touch and idle helpers: one small components-v2 script mounted once per page run.

What the script does in the visitor's browser, and why:
- `TouchEvent.prototype.button = 0`: streamlit-drawable-canvas adds a shape only when
  `event.button === 0`, and touch events have no `button`, so boxes could not be drawn by finger.
- Hides the canvas's hover toolbar (22 px icons, invisible but tappable on a touchscreen) by
  adding a style inside each canvas shadow root; the page offers big Undo / Clear buttons.
- Blocks pinch zoom, double-tap zoom and long-press menus.
- Idle: after `idle_s` seconds with no touch, key or pointer event it sends an `idle` trigger;
  the page then resets the session to the start screen. `warn_s` seconds before that it shows
  a full-screen warning with a countdown and a big "I'm still here" button: a visitor reading
  or thinking must not lose a design without notice. Only a tap on the warning dismisses it
  (a touch elsewhere could fall through to a button under it as the warning hides).
"""
from __future__ import annotations

import streamlit as st

from kiosk import state
from kiosk.i18n import t

_JS = r"""
export default function (component) {
  const { data, setTriggerValue } = component;
  const w = window;
  // Keep the latest settings and trigger; listeners are installed only once per page.
  w.__kioskIdleMs = Math.max(1000, (data && data.idle_s ? data.idle_s : 120) * 1000);
  w.__kioskWarnMs = Math.max(0, (data && data.warn_s ? data.warn_s : 0) * 1000);
  w.__kioskLabels = (data && data.labels) || {};
  w.__kioskIdleActive = !!(data && data.active);
  w.__kioskTrigger = setTriggerValue;
  w.__kioskLast = Date.now();
  if (w.__kioskTouchInstalled) return;
  w.__kioskTouchInstalled = true;

  if (w.TouchEvent && !("button" in w.TouchEvent.prototype)) {
    Object.defineProperty(w.TouchEvent.prototype, "button", { get() { return 0; }, configurable: true });
  }

  const HIDE = ".dc-toolbar{display:none!important}";
  const patchRoots = (root) => {
    root.querySelectorAll("*").forEach((el) => {
      const sr = el.shadowRoot;
      if (sr && !sr.__kioskStyled) {
        const s = document.createElement("style");
        s.textContent = HIDE;
        sr.appendChild(s);
        sr.__kioskStyled = true;
      }
    });
  };
  patchRoots(document);
  new MutationObserver(() => patchRoots(document)).observe(document.body, { childList: true, subtree: true });

  const noMulti = (e) => { if (e.touches && e.touches.length > 1) e.preventDefault(); };
  document.addEventListener("touchstart", noMulti, { passive: false });
  document.addEventListener("touchmove", noMulti, { passive: false });
  document.addEventListener("gesturestart", (e) => e.preventDefault(), { passive: false });
  document.addEventListener("contextmenu", (e) => e.preventDefault());
  document.addEventListener("dblclick", (e) => e.preventDefault(), { passive: false });
  let meta = document.querySelector('meta[name="viewport"]');
  if (!meta) { meta = document.createElement("meta"); meta.name = "viewport"; document.head.appendChild(meta); }
  meta.content = "width=device-width, initial-scale=1, maximum-scale=1, user-scalable=no";

  const touched = () => { w.__kioskLast = Date.now(); };
  ["touchstart", "pointerdown", "keydown", "wheel"].forEach((ev) =>
    document.addEventListener(ev, touched, { passive: true, capture: true }));

  const warn = document.createElement("div");
  warn.className = "kiosk-idle-warning";
  warn.setAttribute("data-testid", "kiosk-idle-warning");
  warn.setAttribute("role", "alertdialog");
  warn.style.cssText = "position:fixed;inset:0;z-index:1000000;display:none;align-items:center;" +
    "justify-content:center;background:rgba(20,12,8,.6)";
  const panel = document.createElement("div");
  panel.style.cssText = "background:#FFFDF6;color:#2B1D14;border-radius:28px;padding:3rem 3.5rem;" +
    "max-width:80vw;text-align:center;box-shadow:0 12px 48px rgba(0,0,0,.35)";
  const msg = document.createElement("p");
  msg.style.cssText = "font-size:2rem;line-height:1.4;margin:0 0 2rem";
  const still = document.createElement("button");
  still.type = "button";
  still.setAttribute("data-testid", "kiosk-still-here");
  still.style.cssText = "min-height:110px;min-width:60%;font-size:2.2rem;font-weight:700;" +
    "border:none;border-radius:20px;background:#A3322B;color:#fff;padding:0 2.5rem";
  panel.append(msg, still);
  warn.appendChild(panel);
  document.body.appendChild(warn);
  const hide = () => { warn.style.display = "none"; };
  // the whole warning is the target: a tap anywhere on it keeps the session
  warn.addEventListener("click", (e) => { e.preventDefault(); e.stopPropagation(); touched(); hide(); });

  setInterval(() => {
    const idle = Date.now() - w.__kioskLast;
    if (!w.__kioskIdleActive) { hide(); return; }
    if (idle > w.__kioskIdleMs) {
      w.__kioskLast = Date.now();
      hide();
      w.__kioskTrigger("idle", Date.now());
    } else if (w.__kioskWarnMs && (warn.style.display === "flex" || idle > w.__kioskIdleMs - w.__kioskWarnMs)) {
      const s = Math.max(1, Math.ceil((w.__kioskIdleMs - idle) / 1000));
      msg.textContent = (w.__kioskLabels.warning || "{s}").replace("{s}", s);
      still.textContent = w.__kioskLabels.still_here || "OK";
      warn.style.display = "flex";
    }
  }, 250);
}
"""

_component = st.components.v2.component("kiosk_touch", js=_JS)


def _on_idle() -> None:
    st.session_state["k_idle"] = True


def warn_seconds(idle_s: float) -> float:
    """How long before the idle reset the warning shows: 20 s, less on short test timeouts."""
    return min(20.0, idle_s / 2)


def install_touch(idle_s: float, *, active: bool) -> None:
    """Mount the touch/idle script; `active` is False on the start screen (nothing to reset)."""
    lang = state.lang()
    labels = {"warning": t("idle_warning", lang, s="{s}"), "still_here": t("still_here", lang)}
    _component(key="k_touch", data={"idle_s": idle_s, "warn_s": warn_seconds(idle_s),
                                    "active": active, "labels": labels},
               on_idle_change=_on_idle, width="content", height="content")
