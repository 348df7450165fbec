from generator.anytext import convert
from generator.anytext.config import AnyTextConfig
from generator.anytext2 import convert as convert2
from generator.anytext2.config import AnyText2Config
from weights.keys import read_keys_tsv


def check_keys_cmd(args) -> int:
    """Map a key list (the official checkpoint's, as TSV) through our converter against the
    full-size configuration of its version (read from the keys unless --version names it); exit 1
    when anything is missing, unexpected or misshapen."""
    rows = [(r.key, r.shape, r.dtype) for r in read_keys_tsv(args.keys_tsv)]
    version = getattr(args, "version", None) or convert2.detect_version([r[0] for r in rows])
    if version == 2:
        report = convert2.check_keys(rows, AnyText2Config.full())
    else:
        report = convert.check_keys(rows, AnyTextConfig.full())

    def n(name):
        return len(getattr(report, name, []) or [])
    print(f"version {version} (AnyText{'2' if version == 2 else ' v1'})")
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
