"""python -m bench [--gpu] [--only NAME]: run the benchmark modules and print their figures."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback
from pathlib import Path


def report(name: str, value: float, unit: str, target: str | None = None) -> None:
    line = f"{name:<60} {value:>10.3f} {unit}"
    if target:
        line += f"   (target {target})"
    print(line, flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench")
    ap.add_argument("--gpu", action="store_true", help="GPU figures only (needs CUDA)")
    ap.add_argument("--only", help="run only bench_<ONLY>.py")
    args = ap.parse_args(argv)
    failed = 0
    for mod in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if not mod.name.startswith("bench_") or (args.only and mod.name != f"bench_{args.only}"):
            continue
        print(f"# {mod.name}", flush=True)
        try:
            importlib.import_module(f"bench.{mod.name}").run(report, gpu=args.gpu)
        except Exception:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
