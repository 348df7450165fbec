"""python -m textinput build-index|pinyin|recognize

  build-index [--if-missing] [--path P]   build the pinyin index under $KIOSK_VAR/textinput/
                                          (--if-missing: unless one of this version is there)
  pinyin LETTERS [-n N]                   ranked candidates for letters typed without spaces
  recognize IMAGE [-n N] [--latin]        handwriting candidates for a drawing (PNG, any ground)
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from base.cli import run
from base.errors import KioskError


def cmd_build(args) -> int:
    from textinput.pinyin import INDEX_VERSION, build_index, default_index_path, index_version

    path = Path(args.path) if args.path else default_index_path()
    if args.if_missing and path.exists() and index_version(path) == INDEX_VERSION:
        print(f"pinyin index present: {path}")
        return 0
    t0 = time.perf_counter()
    build_index(path)
    print(f"pinyin index built in {time.perf_counter() - t0:.1f} s: {path}")
    return 0


def cmd_pinyin(args) -> int:
    from textinput.pinyin import PinyinIndex

    for c in PinyinIndex().candidates(args.letters, limit=args.n):
        print(f"{c.text}\t{c.consumed}{'  museum' if c.museum else ''}")
    return 0


def cmd_recognize(args) -> int:
    from PIL import Image

    from textinput.handwriting import Recognizer

    try:
        img = Image.open(args.image).convert("RGBA")
    except OSError as err:
        raise KioskError(f"cannot read image {args.image}: {err}",
                         f"无法读取图片 {args.image}：{err}") from None
    for c in Recognizer().recognize(img, k=args.n, allow_non_chinese=args.latin):
        print(f"{c.text}\t{c.score:.4f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m textinput", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("build-index", help="build the pinyin candidate index")
    p.add_argument("--if-missing", action="store_true")
    p.add_argument("--path")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("pinyin", help="candidates for typed letters")
    p.add_argument("letters")
    p.add_argument("-n", type=int, default=10)
    p.set_defaults(func=cmd_pinyin)
    p = sub.add_parser("recognize", help="handwriting candidates for an image")
    p.add_argument("image")
    p.add_argument("-n", type=int, default=8)
    p.add_argument("--latin", action="store_true", help="allow Latin letters and digits")
    p.set_defaults(func=cmd_recognize)
    args = ap.parse_args(argv)
    return run(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
