"""A contact sheet: every motif (rows) in every style (columns), for art direction reviews."""
from __future__ import annotations

from PIL import Image, ImageDraw

from generator import textrender
from generator.design import make_design
from generator.motifs import list_motifs
from generator.procedural import render
from generator.styles import styles

LABEL_FONT = "hei"


def contact_sheet(cell: int = 192, text: str = "天路", box=(0.1, 0.07, 0.8, 0.16)) -> Image.Image:
    """Column j is drawn with seed j, which is the style j picks (styles walk with the seed)."""
    all_styles, all_motifs = styles(), list_motifs()
    head, side = max(24, cell // 8), max(96, cell // 2)
    sheet = Image.new("RGB", (side + cell * len(all_styles), head + cell * len(all_motifs)), "#F4F0E6")
    draw = ImageDraw.Draw(sheet)
    font = textrender.pil_font(LABEL_FONT, max(10, head // 2))
    for j, s in enumerate(all_styles):
        draw.text((side + j * cell + cell / 2, head / 2), s.id, font=font, fill="#222222", anchor="mm")
    for i, m in enumerate(all_motifs):
        draw.text((6, head + i * cell + cell / 2), m.id, font=font, fill="#222222", anchor="lm")
        design = make_design({"motif": m.id, "seed": 0, "lines": [{"text": text, "box": list(box)}]})
        for j in range(len(all_styles)):
            sheet.paste(render(design, (cell, cell), j), (side + j * cell, head + i * cell))
    return sheet
