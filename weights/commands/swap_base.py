from weights.commands.model_check import check_keys
from weights.lora import parse_lora_arg
from weights.swap import swap_and_merge


def swap_base_cmd(args) -> int:
    loras = [parse_lora_arg(t) for t in args.lora]
    rec = swap_and_merge(args.model, loras, args.dir, args.out, activate=not args.no_activate,
                         model_check=check_keys)
    d = rec["detail"]
    if "replaced" in d:
        print(f"replaced {d['replaced']} UNet and text-encoder tensors from {d['base']}")
    for lo in d["loras"]:
        print(f"merged LoRA {lo['file']} x{lo['ratio']:g} into {lo['layers']} layers")
    print(f"wrote {rec['file']} ({rec['size']:,} bytes)"
          + ("; the kiosk now uses it" if not args.no_activate else ""))
    return 0
