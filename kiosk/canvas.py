"""The box canvas: the visitor drags one rectangle per text line over the motif.

The canvas (streamlit-drawable-canvas, labeled_rect mode so each box shows its line number)
reports boxes in canvas pixels; we keep them as fractions of the art in `v_boxes`, the single
source of truth. Undo / Clear rebuild the canvas under a new key with `initial_drawing`, since
the canvas's own toolbar is hidden (too small for fingers); so does coming back to the step,
since a remounted canvas shows only its initial drawing.
"""
from __future__ import annotations

import streamlit as st

from kiosk import preview
from kiosk.boxes import canvas_size, default_boxes, objects_to_boxes  # noqa: F401 (re-exported)

def boxes_to_initial(boxes, width: int, height: int) -> dict | None:
    if not boxes:
        return None
    # imported here: the component registers itself only inside a running Streamlit app
    from streamlit_drawable_canvas import boxes_to_drawing

    return boxes_to_drawing(
        [{"label": str(i + 1), "left": b[0] * width, "top": b[1] * height,
          "width": b[2] * width, "height": b[3] * height} for i, b in enumerate(boxes)],
        stroke_color="#FF5A36", stroke_width=3, fill_color="rgba(255, 90, 54, 0.12)")


def rebuild(boxes) -> None:
    """Show `boxes` on a fresh canvas (the old canvas's drawing is dropped with its key)."""
    ss = st.session_state
    ss["v_boxes"] = list(boxes)
    w, h = canvas_size(ss["v_product"])
    ss["v_canvas_init"] = boxes_to_initial(ss["v_boxes"], w, h)
    ss["v_canvas_n"] += 1


def undo_box() -> None:
    rebuild(st.session_state["v_boxes"][:-1])


def clear_boxes() -> None:
    rebuild([])


def _component_drawing(key: str) -> dict | None:
    """The Fabric JSON the canvas `key` last sent (its component state in session_state)."""
    state = st.session_state.get(key)
    try:
        drawing = state["drawing"]
    except (KeyError, TypeError, IndexError):
        drawing = getattr(state, "drawing", None)
    return (drawing or {}).get("raw")


def _drawn(key: str) -> None:
    """on_change: the visitor drew or moved a box. Read it before the page redraws, so the
    number stamped on the next box and everything below the canvas already count it."""
    ss = st.session_state
    if key != f"w_canvas_{ss['v_canvas_n']}":
        return  # a canvas that Undo/Clear replaced still reports its last drawing once
    w, h = canvas_size(ss["v_product"])
    ss["v_boxes"] = objects_to_boxes(_component_drawing(key), w, h)


def box_canvas(background: bytes | None = None) -> None:
    """Draw the canvas over the motif, or over `background` (PNG bytes: a chosen candidate
    being edited); what the visitor draws reaches v_boxes through `_drawn`."""
    from streamlit_drawable_canvas import st_canvas

    ss = st.session_state
    key = f"w_canvas_{ss['v_canvas_n']}"
    if ss["v_canvas_shown"] == key and key not in ss:
        # The drawing area appears again (back from another step, which dropped the canvas's
        # state): a canvas mounts with only its initial drawing, so show the saved boxes on a
        # fresh one, or the visitor would see none and the next drag would replace them all.
        rebuild(ss["v_boxes"])
        key = f"w_canvas_{ss['v_canvas_n']}"
    ss["v_canvas_shown"] = key
    w, h = canvas_size(ss["v_product"])
    st_canvas(
        drawing_mode="labeled_rect",
        label=str(len(ss["v_boxes"]) + 1),
        stroke_width=3, stroke_color="#FF5A36", fill_color="rgba(255, 90, 54, 0.12)",
        background_image=background or preview.canvas_background(ss["v_motif"], ss["v_product"],
                                                                  w, h),
        background_image_fit="stretch",
        width=w, height=h, font_size=22,
        initial_drawing=ss["v_canvas_init"],
        key=key, on_change=lambda: _drawn(key),
    )
