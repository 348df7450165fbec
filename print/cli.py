"""`python -m print COMMAND ...`: prepress (impose, preflight).

    python -m print impose IN.pdf -o SHEETS.pdf --sheet a4|a3|sra3|WxH [--duplex turn|tumble]
        [--pages auto|alternate|fronts|shared-back] [--copies N] [--fill] [--no-label] [--json]
    python -m print preflight FILE.pdf [FILE.pdf ...] [--json] [--mode auto|cmyk|rgb]
        [--ink-limit 300] [--safe-mm N] [--no-render]

Like pre-commit: `main(argv=None) -> int`; every command is a plain function `cmd_x(args) -> int`
set as the subparser's `func`. Exit codes are base/cli.py's (1: preflight found errors).
The job queue's commands are `python -m jobs ...`.
"""
from __future__ import annotations

import argparse
import json

from base.cli import finite, main_of
from print.impose import impose
from print.preflight import format_report, inspect_pdf, report_json


def cmd_impose(args) -> int:
    res = impose(args.input, args.output, sheet=args.sheet, duplex=args.duplex,
                 pages=args.pages, bleed_mm=args.bleed, margin_mm=args.margin,
                 copies=args.copies, fill=args.fill, label=not args.no_label)
    g = res.grid
    summary = {
        "output": str(res.path), "sheets": res.sheets, "pages": res.pages, "pieces": res.pieces,
        "per_sheet": g.per_sheet, "cols": g.cols, "rows": g.rows, "rotated": g.rotated,
        "sheet_mm": [g.sheet_w, g.sheet_h], "piece_mm": [g.trim_w, g.trim_h],
        "duplex": res.duplex, "pairing": res.pairing, "notes": list(res.notes),
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    sides = f", backs work-and-{res.duplex}" if res.duplex else ", fronts only"
    print(f"{res.pieces} piece(s) {g.trim_w:g} x {g.trim_h:g} mm, {g.per_sheet}-up "
          f"({g.cols} x {g.rows}{', turned 90' if g.rotated else ''}) on "
          f"{g.sheet_w:g} x {g.sheet_h:g} mm: {res.sheets} sheet(s){sides}, "
          f"{res.pages} page(s) -> {res.path}")
    for note in res.notes:
        print(f"note: {note}")
    return 0


def cmd_preflight(args) -> int:
    reports = [inspect_pdf(f, mode=args.mode, ink_limit=args.ink_limit, safe_mm=args.safe_mm,
                           render=not args.no_render) for f in args.files]
    if args.json:
        data = [json.loads(report_json(r)) for r in reports]
        print(json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(format_report(r) for r in reports))
    return 0 if all(r.ok for r in reports) else 1


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m print",
                                 description="prepress commands")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("impose", help="n-up a product PDF on press sheets for the cutter")
    p.add_argument("input", help="product PDF (pages front/back alternating, or fronts only)")
    p.add_argument("-o", "--output", required=True, help="sheets PDF to write")
    p.add_argument("--sheet", default="sra3", help="a4, a3, sra4, sra3 or WIDTHxHEIGHT in mm")
    p.add_argument("--duplex", choices=("turn", "tumble"),
                   help="how the sheet is turned for the backs (default turn when there are backs)")
    p.add_argument("--pages", default="auto",
                   choices=("auto", "alternate", "fronts", "shared-back"),
                   help="how input pages pair up (auto: the writer's record, else even = pairs)")
    p.add_argument("--bleed", type=finite, default=3.0, help="bleed kept around each piece, mm")
    p.add_argument("--margin", type=finite, default=10.0, help="clear sheet margin, mm")
    p.add_argument("--copies", type=int, default=1, help="each piece this many times")
    p.add_argument("--fill", action="store_true",
                   help="repeat the pieces until the last sheet is full")
    p.add_argument("--no-label", action="store_true",
                   help="no slug line (file, sheet, side) in the top margin")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=cmd_impose)

    p = sub.add_parser("preflight", help="check a product PDF before it goes to the printer")
    p.add_argument("files", nargs="+", metavar="FILE.pdf")
    p.add_argument("--json", action="store_true",
                   help="JSON report instead of text (a list when several files)")
    p.add_argument("--mode", default="auto", choices=("auto", "cmyk", "rgb"),
                   help="colour mode (auto: from the output intent)")
    p.add_argument("--ink-limit", type=finite, default=300.0, help="total ink limit in %%")
    p.add_argument("--safe-mm", type=finite, default=None,
                   help="safe margin inside the trim (default: the layout's, else 3)")
    p.add_argument("--no-render", action="store_true",
                   help="skip the Ghostscript checks (ink limit, art in the bleed)")
    p.set_defaults(func=cmd_preflight)

    return ap


main = main_of(build_parser)
