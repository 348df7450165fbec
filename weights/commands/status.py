import json

from base.settings import settings
from weights.adapters import load_adapters
from weights.errors import WeightsError
from weights.store import status


def _size(n: int | None) -> str:
    return "-" if n is None else f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n:,} B"


def _adapters(st, dir) -> list[dict]:
    """Trained motif adapters, each marked whether it fits the weights the kiosk uses."""
    try:
        records = load_adapters(dir).adapters.values()
    except WeightsError as e:
        return [{"problem": e.en}]
    used = next((f.sha256 for f in st.files if f.file == st.use), None)
    return [{"id": r.id, "method": r.method, "steps": r.steps, "token": r.token,
             "enabled": r.enabled, "fits_base": r.base_sha256 == used} for r in records]


def status_cmd(args) -> int:
    st = status(args.dir)
    adapters = _adapters(st, args.dir)
    if args.json:
        print(json.dumps(dict(st.as_dict(), adapters=adapters), indent=2, ensure_ascii=False))
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
    for a in adapters:
        if "problem" in a:
            print(f"motif adapters: {a['problem']}")
            continue
        print(f"  motif adapter {a['id']}: {a['method']}, {a['steps']} steps, token {a['token']}, "
              f"{'enabled' if a['enabled'] else 'not enabled'}"
              + ("" if a["fits_base"] else ", trained on other base weights: train it again"))
    return 0
