"""Scripts that draw the catalogue's motif art as SVG (`python -m generator.motifs.draw`).

Each module here has `draw() -> str` returning one SVG document; `__main__` writes them to
`generator/motifs/art/<id>.svg`. The SVGs are committed, so the kiosk never runs these scripts;
they exist so the geometry (counts, radii, proportions from MOTIFS.md) stays editable as numbers.
"""
MOTIFS = ("sunbird", "sacred_tree", "eye_mask", "gold_mask", "standing_figure", "brocade",
          "pearl_roundel", "bird_head")
