from generator.anytext import convert
from generator.anytext.config import AnyTextConfig
from weights.keys import read_keys_tsv


def check_keys_cmd(args) -> int:
    """Map a key list (the official checkpoint's, as TSV) through our converter against the
    full-size configuration; exit 1 when anything is missing, unexpected or misshapen."""
    rows = [(r.key, r.shape, r.dtype) for r in read_keys_tsv(args.keys_tsv)]
    report = convert.check_keys(rows, AnyTextConfig.full())

    def n(name):
        return len(getattr(report, name, []) or [])
    print(f"keys in list {len(rows)}")
    print(f"mapped {n('mapped')}")
    print(f"missing {n('missing')}")
    print(f"unexpected {n('unexpected')}")
    print(f"shape mismatches {n('shape_mismatches')}")
    for name in ("missing", "unexpected", "shape_mismatches"):
        for item in (getattr(report, name, []) or [])[:10]:
            print(f"  {name}: {item}")
    ignored = getattr(report, "ignored", []) or []
    print(f"ignored {len(ignored)} (intentionally): {', '.join(map(str, ignored))}")
    ok = n("mapped") and not (n("missing") or n("unexpected") or n("shape_mismatches"))
    return 0 if ok else 1
