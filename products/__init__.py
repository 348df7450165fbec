"""Print products: bookmark, poker card (single or 54-card deck), postcard.

    from products import build, proof_images
    res = build(design, deck=False, rgb=False, art=None, out=None)   # -> BuildResult
    front, back = proof_images(design, art=None, dpi=100, guides=True)  # PIL images

Layouts come from layouts/ (data files); the PDF from print.writer.
"""
from products.build import (BuildResult, art_plan, build, compose, content_id, preview_size,
                            proof_images, safe_box_fraction)

__all__ = ["build", "BuildResult", "art_plan", "compose", "content_id", "proof_images",
           "safe_box_fraction", "preview_size"]
