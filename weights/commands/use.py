from weights.errors import WeightsError
from weights.state import load_state, save_state, weights_dir


def use_cmd(args) -> int:
    folder = weights_dir(args.dir)
    state = load_state(folder)
    if args.file == "auto":
        state.active = None
    else:
        rec = state.files.get(args.file)
        if rec is None or not rec.matches(folder / rec.file):
            known = ", ".join(state.files) or "none"
            raise WeightsError(f"{args.file} is not a verified weights file in {folder} "
                               f"(verified: {known})", f"{args.file} 不是已验证的权重文件")
        state.active = args.file
    save_state(state, folder)
    print(f"kiosk will use: {state.active or 'automatic choice'}")
    return 0
