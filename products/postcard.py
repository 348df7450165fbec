"""Postcard: full-bleed art on the front; the address side has six postcode boxes top-left,
a stamp box top-right, address lines on the right half, a vertical divider, the sender's
postcode bottom-right, and the motif story, museum name and AI label on the left half.
Never 中国邮政 and never a postage indicium: the visitor sticks on a real stamp."""
from __future__ import annotations

from PIL import Image

from generator.design import Design
from generator.motifs import get_motif
from layouts.spec import LayoutSpec, MuseumSpec, TextSlot
from print.page import K, Ink, LineOp, RectOp, Side
from products import parts

POSTCODE_RED = Ink(0.0, 0.9, 0.85, 0.05)   # the red of Chinese postcode boxes (195%)


def postcode_boxes(x: float, y: float, w: float, h: float, n: int = 6,
                   ink: Ink = POSTCODE_RED, line_pt: float = 0.75) -> list[RectOp]:
    gap = w * 0.03
    bw = (w - gap * (n - 1)) / n
    return [RectOp((x + i * (bw + gap), y, bw, h), stroke=ink, line_pt=line_pt) for i in range(n)]


def compose(layout: LayoutSpec, design: Design, art: Image.Image, *, museum: MuseumSpec,
            notes: list[str], icc: str | None = None, ppi: float = 300, **_) -> list[Side]:
    motif = get_motif(design.motif)
    front = parts.new_side(layout, "front")
    front.add(parts.ImageOp(layout.front.art.as_tuple(), art, name="art"))

    spec = layout.back
    back = parts.new_side(layout, "back")
    ground = parts.ground_ink(spec.ground, motif, icc)
    if ground is not None:
        back.add(parts.ground_rect(layout, ground))
    pc = spec.postcode
    back.add(*postcode_boxes(pc.x, pc.y, pc.w, pc.h))
    st = spec.stamp
    back.add(RectOp(st.as_tuple(), stroke=K, line_pt=0.5, dash=(2, 1.5)))
    label = TextSlot(box=parts.Box(x=st.x, y=st.y + st.h / 2 - 1.6, w=st.w, h=3.5),
                     font="wenkai", size_pt=6.5, align="center")
    back.add(*parts.one_line("贴邮票处", label))
    al = spec.address_lines
    step = al.h / max(1, spec.address_count - 1) if spec.address_count > 1 else 0
    for i in range(spec.address_count):
        y = al.y + i * step
        back.add(LineOp(al.x, y, al.x + al.w, y, K, 0.5))
    top, bottom = layout.safe_mm + 12, layout.trim.height_mm - layout.safe_mm - 8
    back.add(LineOp(spec.divider_x_mm, top, spec.divider_x_mm, bottom, K, 0.5))
    sp = spec.sender_postcode
    lbl_w = sp.w * 0.34
    back.add(*parts.one_line("邮政编码", TextSlot(box=parts.Box(x=sp.x, y=sp.y + sp.h / 2 - 1.5,
                                                              w=lbl_w, h=3.5),
                                                  font="wenkai", size_pt=6.5)))
    back.add(*postcode_boxes(sp.x + lbl_w, sp.y, sp.w - lbl_w, sp.h, ink=K, line_pt=0.4))
    if spec.emblem is not None:
        back.add(parts.motif_picture(motif.id, spec.emblem, ppi, ground="motif"))
    back.add(*parts.one_line(museum.name_zh, spec.museum))
    en = spec.museum.model_copy(update={"box": spec.museum.box.model_copy(
        update={"y": spec.museum.box.y + spec.museum.size_pt * 0.5}), "size_pt": 6.5,
        "font": "wenkai"})
    back.add(*parts.one_line(museum.name_en, en))
    back.add(*parts.text_block([motif.story_zh, motif.story_en], spec.story, notes=notes,
                               what="story"))
    back.add(*parts.ai_label(layout, museum.ai_label))
    return [front, back]
