"""Bookmark: full-bleed art on the front (vertical text suits it); the back carries a small
motif picture, the motif story (zh, then en), the museum name, the AI label and a brocade band
at the foot. The tassel hole (per layout) is kept clear of ink on both sides."""
from __future__ import annotations

from PIL import Image

from generator.design import Design
from generator.motifs import get_motif
from layouts.spec import Box, LayoutSpec, MuseumSpec
from print.page import Side
from products import parts


def compose(layout: LayoutSpec, design: Design, art: Image.Image, *, museum: MuseumSpec,
            notes: list[str], icc: str | None = None, ppi: float = 300, **_) -> list[Side]:
    motif = get_motif(design.motif)
    front = parts.new_side(layout, "front")
    front.add(parts.ImageOp(layout.front.art.as_tuple(), art, name="art"), *parts.hole_clear(layout))

    back = parts.new_side(layout, "back", back=True)
    spec = layout.back
    ground = parts.ground_ink(spec.ground, motif, icc)
    if ground is not None:
        back.add(parts.ground_rect(layout, ground))
    if spec.emblem is not None:
        back.add(parts.motif_picture(motif.id, spec.emblem, ppi, ground="motif"))
    back.add(*parts.text_block([motif.story_zh, motif.story_en], spec.story, notes=notes,
                               what="story"))
    back.add(*parts.text_block([museum.name_zh], spec.museum, notes=notes, what="museum name"))
    en = spec.museum.model_copy(update={"box": spec.museum.box.model_copy(
        update={"y": spec.museum.box.y + spec.museum.size_pt * 0.48}), "size_pt": 6.5,
        "font": "wenkai"})
    back.add(*parts.one_line(museum.name_en, en))
    back.add(*parts.ai_label(layout, museum.ai_label))
    if spec.band_mm > 0:
        b = layout.trim.bleed_mm
        back.add(parts.band(Box(x=-b, y=layout.trim.height_mm - spec.band_mm,
                                w=layout.trim.width_mm + 2 * b, h=spec.band_mm + b), ppi))
    back.add(*parts.hole_clear(layout, back=True))
    return [front, back]
