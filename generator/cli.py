"""`python -m generator render|motifs|fonts|eval|contact-sheet` (pre-commit style: main(argv) -> exit code)."""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from base.cli import main_of
from base.errors import KioskError

EVAL_BOXES = ([0.10, 0.07, 0.80, 0.16], [0.10, 0.42, 0.80, 0.16], [0.10, 0.77, 0.80, 0.16])
MATERIAL_COLOURS = {"gold": "#F5D27A", "bronze": "#E8C690", "cinnabar": "#FFF3DC", "jade": "#D8F0DC",
                    "ink": "#1A1A1A"}


def cmd_render(args) -> int:
    from generator.backends import generate, parse_size
    from generator.design import load_design

    design = load_design(args.design)
    if args.backend:
        design = design.model_copy(update={"backend": args.backend})
    size = parse_size(args.size)
    out = Path(args.output)
    if not out.parent.exists() or not os.access(out.parent, os.W_OK):
        raise KioskError(f"cannot write {out}: folder missing or not writable", f"无法写入 {out}")
    art = generate(design, size=size, n=args.n)
    paths = []
    for i, cand in enumerate(sorted(art.candidates, key=lambda c: (not c.all_exact, -c.mean_ned))):
        p = out if i == 0 else out.with_name(f"{out.stem}-{i}{out.suffix}")
        tmp = p.with_name(p.name + ".tmp")
        try:
            cand.image.save(tmp, format="PNG")
            os.replace(tmp, p)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise KioskError(f"cannot write {p}: {exc.strerror or exc}", f"无法写入 {p}") from None
        paths.append(p)
        checks = ", ".join(f"{c.expected}->{c.read}{'' if c.exact else ' (x)'}" for c in cand.checks)
        print(f"{p}  seed {cand.seed}  backend {art.backend}  OCR: {checks}")
    return 0


def cmd_motifs(args) -> int:
    from generator.motifs import list_motifs

    ms = list_motifs()
    if args.json:
        print(json.dumps([m.to_dict() for m in ms], ensure_ascii=False, indent=1))
    else:
        for m in ms:
            print(f"{m.id:<18} {m.name_zh}  {m.name_en}")
    return 0


def cmd_fonts(args) -> int:
    from base.fonts import REGISTRY, get_font

    rows = []
    for fid in REGISTRY:
        try:
            f = get_font(fid)
            rows.append(dict(id=f.id, label_zh=f.label_zh, label_en=f.label_en, path=f.path,
                             index=f.index, outlines=f.outlines, embeddable=f.embeddable,
                             installed=True))
        except KioskError as exc:
            rows.append(dict(id=fid, installed=False, error=exc.en))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for r in rows:
            if r["installed"]:
                how = "embeds as TrueType subset" if r["embeddable"] else "CFF: converted to outlines"
                print(f"{r['id']:<8} {r['label_zh']}  {r['label_en']}  ({how})  {r['path']}")
            else:
                print(f"{r['id']:<8} NOT INSTALLED: {r['error']}")
    return 0


def read_phrases(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KioskError(f"cannot read phrases file {path}: {exc.__class__.__name__}",
                         f"无法读取短语文件 {path}") from None
    phrases = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not phrases:
        raise KioskError(f"phrases file {path} has no phrases", f"短语文件 {path} 中没有短语")
    return phrases


def evaluate(phrases: list[str], backend: str = "procedural", motif_ids=None, font_ids=None,
             size=(512, 512), seed: int = 0, repair=None) -> dict:
    """Render each phrase on each motif in each font; sentence accuracy and mean NED. With a
    `repair` policy (generator.repair.RepairPolicy), each line that does not read back is
    repaired as the generate step does, and the figures after repair come too."""
    from generator.backends import get_backend
    from generator.design import make_design
    from base.fonts import REGISTRY
    from generator.motifs import get_motif, motif_ids as all_motifs
    from generator.repair import Budget, RepairStats, repair_candidate

    engine = get_backend(backend)
    rows, stats = [], RepairStats(budget_s=repair.seconds if repair else 0.0)
    for mi, motif in enumerate(motif_ids or all_motifs()):
        colour = MATERIAL_COLOURS.get(get_motif(motif).material, "#F5D27A")
        for fi, font in enumerate(font_ids or list(REGISTRY)):
            for pi, phrase in enumerate(phrases):
                box = EVAL_BOXES[(mi + fi + pi) % len(EVAL_BOXES)]
                design = make_design({"motif": motif, "backend": backend, "seed": seed + pi, "lines": [
                    {"text": phrase, "box": box, "font": font, "color": colour}]})
                cand = engine.generate(design, size=size).candidates[0]
                check = cand.checks[0]
                row = dict(motif=motif, font=font, phrase=phrase, read=check.read,
                           exact=check.exact, ned=check.ned, unverifiable=check.unverifiable)
                if repair is not None:
                    after = check
                    if not check.passes:  # one job's budget per render
                        after = repair_candidate(engine, design, cand, repair,
                                                 budget=Budget(repair.seconds),
                                                 stats=stats).checks[0]
                    row.update(read_after=after.read, exact_after=after.exact, path=after.path,
                               tries=after.tries)
                rows.append(row)
    n = len(rows)
    judged = [r for r in rows if not r["unverifiable"]]
    out = {"n": n, "sentence_accuracy": sum(r["exact"] for r in rows) / n,
           "mean_ned": sum(r["ned"] for r in rows) / n, "misses": [r for r in rows if not r["exact"]],
           "judged": len(judged), "exact": sum(r["exact"] for r in judged),
           "unverifiable": n - len(judged)}
    if repair is not None:
        out.update(exact_after=sum(r["exact_after"] for r in judged),
                   paths={p: sum(r["path"] == p for r in rows) for p in ("model", "repaired", "typeset")},
                   repair=stats.to_dict(),
                   misses_after=[r for r in judged if not r["exact_after"]])
    return out


def cmd_eval(args) -> int:
    from generator.repair import RepairPolicy

    phrases = read_phrases(args.phrases)
    if args.limit:
        phrases = phrases[:args.limit]
    from generator.backends import parse_size

    policy = RepairPolicy(tries=args.tries, seconds=args.seconds) if args.repair else None
    res = evaluate(phrases, args.backend, motif_ids=args.motifs, font_ids=args.fonts,
                   size=parse_size(args.size), seed=args.seed, repair=policy)
    for r in res["misses"]:
        print(f"miss  {r['motif']:<16} {r['font']:<7} {r['phrase']} -> {r['read']}")
    judged = max(1, res["judged"])
    print(f"before repair: sentence accuracy {res['exact'] / judged:.4f} ({res['exact']}/{res['judged']})")
    if policy is not None:
        for r in res["misses_after"]:
            print(f"still wrong  {r['motif']:<16} {r['font']:<7} {r['phrase']} -> {r['read_after']}")
        rep, paths = res["repair"], res["paths"]
        print(f"repair: model {paths['model']}, repaired {paths['repaired']}, typeset "
              f"{paths['typeset']}; {rep['tries']} edit tries, {rep['seconds_per_try'] or 0:.3f} s "
              f"per try, {rep['seconds_per_typeset'] or 0:.3f} s per typesetting")
        print(f"after repair: sentence accuracy {res['exact_after'] / judged:.4f} "
              f"({res['exact_after']}/{res['judged']}), unverifiable {res['unverifiable']}")
    print(f"renders {res['n']}  sentence accuracy {res['sentence_accuracy']:.4f}  "
          f"mean NED {res['mean_ned']:.4f}")
    return 0


def cmd_contact_sheet(args) -> int:
    import io

    from base.atomic import write_atomic
    from generator.contact_sheet import contact_sheet

    if args.cell < 64 or args.cell % 64:
        raise KioskError(f"--cell must be a multiple of 64, at least 64 (got {args.cell})",
                         f"--cell 须为 64 的倍数（现为 {args.cell}）")
    out = Path(args.output)
    if not out.parent.exists() or not os.access(out.parent, os.W_OK):
        raise KioskError(f"cannot write {out}: folder missing or not writable", f"无法写入 {out}")
    buf = io.BytesIO()
    contact_sheet(args.cell, args.text).save(buf, format="PNG")
    write_atomic(out, buf.getvalue())
    print(f"{out}  every motif x every style")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m generator", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="render a Design JSON to PNG")
    r.add_argument("design")
    r.add_argument("-o", "--output", required=True)
    r.add_argument("--backend")
    r.add_argument("--size", default="512x512")
    r.add_argument("-n", type=int, default=1, help="number of candidates (extra ones get -1, -2...)")
    r.set_defaults(func=cmd_render)
    m = sub.add_parser("motifs", help="list the motif catalogue")
    m.add_argument("--json", action="store_true")
    m.set_defaults(func=cmd_motifs)
    f = sub.add_parser("fonts", help="list the font registry")
    f.add_argument("--json", action="store_true")
    f.set_defaults(func=cmd_fonts)
    e = sub.add_parser("eval", help="OCR accuracy of a backend over phrases x motifs x fonts")
    e.add_argument("--phrases", required=True)
    e.add_argument("--backend", default="procedural")
    e.add_argument("--seed", type=int, default=0, help="first seed (phrase i uses seed + i)")
    e.add_argument("--repair", action="store_true",
                   help="repair lines that do not read back, as the generate step does")
    e.add_argument("--tries", type=int, default=2, help="edit-mode tries per line (with --repair)")
    e.add_argument("--seconds", type=float, default=60.0,
                   help="time budget per render for the edit tries (with --repair)")
    e.add_argument("--motifs", nargs="+", help="only these motifs (default: all)")
    e.add_argument("--fonts", nargs="+", help="only these fonts (default: all)")
    e.add_argument("--limit", type=int, help="only the first N phrases")
    e.add_argument("--size", default="512x512")
    e.set_defaults(func=cmd_eval)
    c = sub.add_parser("contact-sheet", help="every motif x every style on one PNG")
    c.add_argument("-o", "--output", required=True)
    c.add_argument("--cell", type=int, default=256, help="side of one picture in pixels")
    c.add_argument("--text", default="天路")
    c.set_defaults(func=cmd_contact_sheet)
    return ap


main = main_of(build_parser)
