import json

from base.settings import settings

from weights.store import status


def _size(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n:,} B"


def status_cmd(args) -> int:
    st = status(args.dir)
    if args.json:
        print(json.dumps(st.as_dict(), indent=2, ensure_ascii=False))
        return 0
    print(f"weights folder: {st.dir}")
    for f in st.files:
        mark = "ok" if f.verified else ("--" if not f.present else "!!")
        line = f"  [{mark}] {f.file:<44} {f.role:<10} {_size(f.size):>12}"
        if f.problem:
            line += f"  {f.problem}"
        elif f.sha256:
            line += f"  sha256 {f.sha256[:16]}…"
        print(line)
    print(f"glyph font: {st.glyph_font}")
    print(f"kiosk backend: {st.backend} ({st.reason})")
    asked = settings().backend
    if asked != "auto":
        print(f"KIOSK_BACKEND={asked}: the worker uses {asked} instead (unset it, or set it to "
              f"auto, to use {st.backend})")
    return 0
