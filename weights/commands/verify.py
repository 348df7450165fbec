from pathlib import Path

from weights.errors import WeightsError
from weights.importing import WEIGHT_SUFFIXES
from weights.state import record_file, weights_dir
from weights.commands.progress import Progress
from weights.commands.model_check import check_keys
from weights.store import sha256_file, verify_file


def verify_cmd(args) -> int:
    """Check files already in the folder (copied by hand) and record them."""
    folder = weights_dir(args.dir)
    files = [folder / f if not Path(f).is_absolute() else Path(f) for f in args.files] or sorted(
        p for p in folder.glob("*") if p.is_file() and p.suffix in WEIGHT_SUFFIXES
        and not p.name.startswith("."))
    if not files:
        raise WeightsError(f"no weights files in {folder}", f"{folder} 中没有权重文件")
    progress = Progress()
    for path in files:
        if path.parent.resolve() != folder.resolve():
            raise WeightsError(f"{path} is not in the weights folder {folder}; use "
                               f"`python -m weights import {path}`", "文件不在权重文件夹中，请用 import")
        result, _ = verify_file(path, with_sha=False, model_check=check_keys)
        total, done = path.stat().st_size, 0

        def step(n, total=total, name=path.name):
            nonlocal done
            done += n
            progress(f"sha256 {name}", done, total)

        sha = sha256_file(path, step)
        kind = ("official" if result.size_class == "full" and path.suffix != ".safetensors"
                else "converted" if result.size_class == "full" else "tiny")
        record_file(path, kind=kind, sha256=sha, keys=result.keys, size_class=result.size_class,
                    source=str(path), detail={"version": result.version})
        label = "AnyText2" if result.version == 2 else "AnyText v1"
        print(f"verified {path.name}: {label}, {result.keys} tensors ({result.size_class} size), "
              f"sha256 {sha}")
    return 0
