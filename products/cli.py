"""python -m products build DESIGN.json -o OUT.pdf [--deck] [--rgb] [--sheet SIZE] ...
python -m products layouts [--json]
python -m products proof DESIGN.json -o PREFIX [--dpi N] [--art IMG]

Bad input exits 2 with one line (never a traceback): an invalid design, an unknown product or
layout, a layout file with errors, an unwritable output path, a full disk.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from base.cli import finite, run
from print.impose import impose
from base.errors import KioskError


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m products", description="print products")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="make the print-ready PDF of a design")
    b.add_argument("design", help="Design JSON file (or a JSON string)")
    b.add_argument("-o", "--out", required=True, help="output PDF")
    b.add_argument("--deck", action="store_true", help="poker: the 54-card deck")
    b.add_argument("--rgb", action="store_true", help="RGB for desktop printers (no PDF/X)")
    b.add_argument("--sheet", help="also impose on sheets (a4, a3, sra3 or WxH mm): OUT.<sheet>.pdf")
    b.add_argument("--duplex", choices=("turn", "tumble"), help="with --sheet: how backs are printed")
    b.add_argument("--icc", help="CMYK output profile (default: $KIOSK_CMYK_ICC or Ghostscript SWOP)")
    b.add_argument("--art", help="use this image as the art instead of generating it")
    b.add_argument("--layout", help="layout variant id (overrides the design's)")
    b.add_argument("--json", action="store_true", help="print the result as JSON")
    p = sub.add_parser("proof", help="front/back proof PNGs (PIL, no PDF)")
    p.add_argument("design")
    p.add_argument("-o", "--out", required=True, help="prefix: writes PREFIX-front.png, PREFIX-back.png")
    p.add_argument("--dpi", type=finite, default=150)
    p.add_argument("--art")
    p.add_argument("--no-guides", action="store_true")
    ls = sub.add_parser("layouts", help="list layout variants")
    ls.add_argument("--json", action="store_true")
    return ap


def _design(text: str, layout: str | None):
    from generator.design import load_design, make_design

    d = load_design(text)
    if layout:
        d = make_design({**d.model_dump(), "layout": layout})
    return d


def _art(path: str | None):
    if not path:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(path)
        img.load()
        return img
    except (OSError, UnidentifiedImageError) as exc:
        raise KioskError(f"cannot read art image {path}: {exc.__class__.__name__}",
                         f"无法读取图片 {path}", field="art") from None


def cmd_build(args) -> int:
    from products import build

    design = _design(args.design, args.layout)
    res = build(design, deck=args.deck, rgb=args.rgb, art=_art(args.art), out=args.out, icc=args.icc)
    out = {"pdf": str(res.path), "pages": res.pages, "layout": res.layout.id,
           "content_id": res.content_id, "art": res.art_info, "notes": res.notes}
    if args.sheet:
        out["sheets"] = str(_impose(res.path, args.sheet, args.duplex))
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"wrote {res.path} ({res.pages} pages, layout {res.layout.id}, "
              f"art {res.art_info.get('effective_ppi')} ppi)")
        if args.sheet:
            print(f"wrote {out['sheets']}")
        for n in res.notes:
            print(f"note: {n}")
    return 0


def _impose(pdf: Path, sheet: str, duplex: str | None) -> Path:
    target = pdf.with_name(f"{pdf.stem}.{sheet.lower()}.pdf")
    impose(str(pdf), str(target), sheet=sheet.lower(), duplex=duplex)
    return target


def cmd_proof(args) -> int:
    from products import proof_images

    front, back = proof_images(_design(args.design, None), art=_art(args.art), dpi=args.dpi,
                               guides=not args.no_guides)
    for name, img in (("front", front), ("back", back)):
        path = Path(f"{args.out}-{name}.png")
        try:
            img.save(path)
        except OSError as exc:
            raise KioskError(f"cannot write {path}: {exc.strerror or exc}", f"无法写入 {path}",
                             field="output") from None
        print(f"wrote {path}")
    return 0


def cmd_layouts(args) -> int:
    import layouts

    specs = layouts.list_layouts()
    if args.json:
        print(json.dumps([s.model_dump() for s in specs], ensure_ascii=False))
        return 0
    for s in specs:
        t = s.trim
        print(f"{s.id:<20} {s.product:<9} {t.width_mm:g} x {t.height_mm:g} mm, bleed "
              f"{t.bleed_mm:g}{'  (default)' if s.default else ''}  {s.name_zh}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run({"build": cmd_build, "proof": cmd_proof, "layouts": cmd_layouts}[args.cmd], args)
