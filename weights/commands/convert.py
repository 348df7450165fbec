from weights.commands.model_check import check_keys
from weights.convert import convert


def convert_cmd(args) -> int:
    rec = convert(args.dir, args.src, args.out, model_check=check_keys)
    d = rec["detail"]
    print(f"wrote {rec['file']} ({rec['size']:,} bytes, {rec['keys']} tensors, fp16; dropped "
          f"{len(d['dropped'])} keys; kept fp32: {len(d['kept_fp32'])}); sha256 {rec['sha256']}")
    return 0
