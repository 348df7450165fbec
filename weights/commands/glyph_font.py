from weights.errors import WeightsError
from weights.manifest import load_manifest
from weights.state import load_state, save_state, weights_dir


def glyph_font_cmd(args) -> int:
    """Font the glyph maps are drawn in (AnyText was trained on Arial Unicode MS, not free)."""
    from base.fonts import REGISTRY

    folder = weights_dir(args.dir)
    state = load_state(folder)
    if args.font == "default":
        state.glyph_font = None
    elif args.font not in REGISTRY:
        raise WeightsError(f"unknown font '{args.font}'; allowed: {', '.join(REGISTRY)}, default",
                           f"未知字体“{args.font}”")
    else:
        state.glyph_font = args.font
    save_state(state, folder)
    print(f"glyph font: {state.glyph_font or load_manifest().glyph_font}")
    return 0
