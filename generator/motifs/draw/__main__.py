"""Write every motif SVG: `python -m generator.motifs.draw [id ...]`."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

from generator.motifs.draw import MOTIFS

ART = Path(__file__).resolve().parent.parent / "art"


def main(argv: list[str] | None = None) -> int:
    ids = (argv if argv is not None else sys.argv[1:]) or list(MOTIFS)
    for mid in ids:
        module = importlib.import_module(f"generator.motifs.draw.{mid}")
        out = ART / f"{mid}.svg"
        out.write_text(module.draw(), encoding="utf-8")
        print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
