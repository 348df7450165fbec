"""Touch and idle helpers: one small components-v2 script mounted once per page run.

What the script does in the visitor's browser, and why:
- `TouchEvent.prototype.button = 0`: streamlit-drawable-canvas adds a shape only when
  `event.button === 0`, and touch events have no `button`, so boxes could not be drawn by finger.
- Hides the canvas's hover toolbar (22 px icons, invisible but tappable on a touchscreen) by
  adding a style inside each canvas shadow root; the page offers big Undo / Clear buttons.
- Blocks pinch zoom, double-tap zoom and long-press menus.
- Idle: after `idle_s` seconds with no touch, key or pointer event it sends an `idle` trigger;
  the page then resets the session to the start screen.
"""
from __future__ import annotations

import streamlit as st

_JS = r"""
export default function (component) {
  const { data, setTriggerValue } = component;
  const w = window;
  // Keep the latest settings and trigger; listeners are installed only once per page.
  w.__kioskIdleMs = Math.max(1000, (data && data.idle_s ? data.idle_s : 120) * 1000);
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
  setInterval(() => {
    if (w.__kioskIdleActive && Date.now() - w.__kioskLast > w.__kioskIdleMs) {
      w.__kioskLast = Date.now();
      w.__kioskTrigger("idle", Date.now());
    }
  }, 1000);
}
"""

_component = st.components.v2.component("kiosk_touch", js=_JS)


def _on_idle() -> None:
    st.session_state["k_idle"] = True


def install_touch(idle_s: float, *, active: bool) -> None:
    """Mount the touch/idle script; `active` is False on the start screen (nothing to reset)."""
    _component(key="k_touch", data={"idle_s": idle_s, "active": active},
               on_idle_change=_on_idle, width="content", height="content")
