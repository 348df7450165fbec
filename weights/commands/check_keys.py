import importlib

from weights.errors import WeightsError
from weights.keys import read_keys_tsv


def model_convert():
    """The model engineer's converter module (generator/anytext/convert.py)."""
    try:
        return importlib.import_module("generator.anytext.convert")
    except ImportError as e:
        raise WeightsError(f"the AnyText model code is not installed ({e})",
                           "AnyText 模型代码未安装") from None


def check_keys_cmd(args) -> int:
    rows = [(r.key, r.shape, r.dtype) for r in read_keys_tsv(args.keys_tsv)]
    conv = model_convert()
    report = conv.check_keys(rows, _full_config(conv))
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


def _full_config(conv):
    """The full-size AnyText v1 configuration (SD 1.5 size): the key list is checked against it."""
    from generator.anytext.config import AnyTextConfig

    return AnyTextConfig.full()
