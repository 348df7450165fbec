from pathlib import Path

from generator.anytext import convert
from generator.anytext2 import convert as convert2
from weights.convert import save_safetensors
from weights.errors import WeightsError
from weights.state import record_file
from weights.store import check_state_dict, sha256_file


def make_tiny_cmd(args) -> int:
    import os

    import torch

    folder = Path(args.dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise WeightsError(f"cannot create {folder}: {e.strerror}", f"无法创建 {folder}") from None
    v2 = getattr(args, "version", 1) == 2
    conv = convert2 if v2 else convert
    sd = conv.make_tiny_state_dict(seed=args.seed)
    out = folder / f"{'anytext2' if v2 else 'anytext'}_tiny.{args.format}"
    check = check_state_dict(sd, out, model_check=conv.check_keys)
    if args.format == "safetensors":
        save_safetensors({k: v.contiguous() for k, v in sd.items()}, out, {"format": "pt"})
    else:
        tmp = out.with_name(f".{out.stem}.partial{out.suffix}")
        try:
            torch.save({"state_dict": sd}, tmp)   # the official layout: keys under "state_dict"
            os.replace(tmp, out)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise WeightsError(f"cannot write {out}: {e.strerror or e}", f"无法写入 {out}") from None
    rec = record_file(out, kind="tiny", sha256=sha256_file(out), keys=check.keys,
                      size_class=check.size_class,
                      source=f"make-tiny{' --version 2' if v2 else ''} seed {args.seed}",
                      detail={"version": check.version},
                      activate=True, dir=folder)
    print(f"wrote {out} ({rec.size:,} bytes, {rec.keys} tensors); "
          f"run with KIOSK_WEIGHTS={folder}")
    return 0
