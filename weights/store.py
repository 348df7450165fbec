"""Reading weights safely, and deciding which files the kiosk uses.

- read_state_dict(path): .safetensors via safetensors; pickled .ckpt/.pt/.pth via
  torch.load(weights_only=True), so a file can never run code while loading. Every failure is a
  WeightsError naming the file and what is wrong.
- check_state_dict(sd, path): the names and shapes fit AnyText v1 or AnyText2, the version read
  from the keys (full size against the committed key list of that version; reduced sizes by the
  model's own key check when it is installed); a manifest file name must hold its version.
- resolve(dir) / status(dir): which file the kiosk will use, from state.json records; no torch
  import and no hashing, so the kiosk and the worker can call them at start-up.
"""
from __future__ import annotations

import hashlib
import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from weights.errors import WeightsError
from weights.keys import KeyRow, compare, read_keys_tsv
from weights.manifest import Manifest, load_manifest
from weights.state import FileRecord, load_state, weights_dir

if TYPE_CHECKING:  # torch only on the heavy path
    import torch

PICKLE_SUFFIXES = {".ckpt", ".pt", ".pth", ".bin"}
FULL_SIZE_PROBE = ("model.diffusion_model.time_embed.0.weight", (1280, 320))


def _err(path: Path, en: str, zh: str) -> WeightsError:
    return WeightsError(f"weights file {path}: {en}", f"权重文件 {path}：{zh}")


# --------------------------------------------------------------------------- reading

def read_state_dict(path: str | Path) -> dict[str, "torch.Tensor"]:
    """All tensors of a checkpoint, on the CPU, without executing anything from the file."""
    path = Path(path)
    if not path.exists():
        raise _err(path, "not found", "找不到文件")
    if path.is_dir():
        raise _err(path, "is a folder, not a weights file", "是文件夹，不是权重文件")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise _err(path, f"cannot read ({e.strerror})", "无法读取") from None
    if size == 0:
        raise _err(path, "is empty (0 bytes)", "是空文件（0 字节）")
    if path.suffix == ".safetensors":
        sd = _read_safetensors(path)
    elif path.suffix in PICKLE_SUFFIXES:
        sd = _read_pickle(path)
    else:
        raise _err(path, f"unknown weights format '{path.suffix}' (expected .ckpt, .pt, .pth "
                   ".bin or .safetensors)", f"不支持的格式“{path.suffix}”")
    if not sd:
        raise _err(path, "contains no tensors", "不含任何张量")
    return sd


def _read_safetensors(path: Path) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    try:
        return load_file(str(path), device="cpu")
    except SafetensorError as e:
        raise _err(path, f"not a valid safetensors file, truncated or corrupt ({e})",
                   "不是有效的 safetensors 文件（不完整或已损坏）") from None
    except OSError as e:
        raise _err(path, f"cannot read ({e.strerror or e})", "无法读取") from None


def _read_pickle(path: Path) -> dict:
    import torch

    is_zip = zipfile.is_zipfile(path)
    if not is_zip and _looks_like_truncated_zip(path):
        raise _err(path, "truncated or corrupt: the zip archive is incomplete (copy it again)",
                   "文件不完整或已损坏（zip 归档不完整），请重新复制")
    if is_zip and not _zip_has_pickle(path):
        raise _err(path, "is a zip archive but not a PyTorch checkpoint (no data.pkl inside)",
                   "是 zip 压缩包，但不是 PyTorch 检查点")
    try:
        # mmap only works on the zip format; it keeps a 5 GB checkpoint off the heap
        with warnings.catch_warnings():   # legacy pickles warn about their protocol; noise here
            warnings.simplefilter("ignore", UserWarning)
            obj = torch.load(path, map_location="cpu", weights_only=True, mmap=is_zip)
    except pickle.UnpicklingError as e:
        text = str(e)
        found = _unsafe_globals(path, is_zip) + re.findall(r"GLOBAL ([\w.]+)", text)
        found = list(dict.fromkeys(found))
        if found and all(g.startswith(_INERT_OK) for g in found):
            obj = _load_with_inert(path, found, is_zip)
        elif found:
            raise _err(path, "refused: the file contains Python objects that would run code "
                       f"when loaded ({', '.join(found[:5])}); only plain tensors are accepted. "
                       "Get the official file again or convert it to .safetensors on a trusted "
                       "machine", "已拒绝：文件包含加载时会执行代码的 Python 对象，只接受纯张量") from None
        else:
            raise _err(path, f"not a PyTorch checkpoint ({_unpickler_detail(text)})",
                       "不是 PyTorch 检查点文件") from None
    except RuntimeError as e:
        text = str(e)
        if "data.pkl" in text or "archive/data" in text or "failed locating file" in text:
            raise _err(path, "is a zip archive but not a PyTorch checkpoint",
                       "是 zip 压缩包，但不是 PyTorch 检查点") from None
        if "zip" in text.lower() or "central directory" in text:
            raise _err(path, "truncated or corrupt: the zip archive is incomplete (copy it again)",
                       "文件不完整或已损坏，请重新复制") from None
        raise _err(path, f"cannot be loaded ({text.splitlines()[0]})", "无法加载") from None
    except (EOFError, ValueError, OSError, KeyError, IndexError, TypeError) as e:
        # random bytes can stop the unpickler anywhere (an empty stack, a bad index)
        raise _err(path, f"truncated or corrupt ({type(e).__name__}: {e})",
                   "文件不完整或已损坏") from None
    return _unwrap(obj, path)


def _zip_has_pickle(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            return any(n == "data.pkl" or n.endswith("/data.pkl") for n in z.namelist())
    except (zipfile.BadZipFile, OSError):
        return True   # let torch.load report what is wrong with it


def _looks_like_truncated_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


# Training checkpoints (PyTorch Lightning) often carry callback objects and numpy scalars beside
# "state_dict". Globals from these modules are bound to an inert stand-in: the unpickler builds
# an _Inert instead of the real class, so nothing of theirs runs either. Any other global
# (os.system, builtins.eval, ...) is still refused outright.
_INERT_OK = ("pytorch_lightning.", "lightning.", "lightning_fabric.", "numpy.", "omegaconf.")


# (key rows, config) -> a report with .ok, .missing, .unexpected, .shape_mismatches
ModelCheck = Callable[[list, object], object]

class _Inert:
    """Stands in for a class or function named by a checkpoint's extras; accepts and ignores."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass


def _load_with_inert(path: Path, names: list[str], is_zip: bool):
    import torch

    try:
        with torch.serialization.safe_globals([(_Inert, n) for n in names]), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(path, map_location="cpu", weights_only=True, mmap=is_zip)
    except Exception as e:
        raise _err(path, f"refused: it holds Python objects ({', '.join(names[:5])}) that could "
                   f"not be read as plain data ({_unpickler_detail(str(e))})",
                   "已拒绝：文件包含无法作为纯数据读取的 Python 对象") from None


_BOILERPLATE = ("Weights only load failed", "In PyTorch 2.6", "Please file an issue",
                "Check the documentation", "Re-running")


def _unpickler_detail(text: str) -> str:
    """The one useful line of torch's weights_only error, without its boilerplate."""
    for line in text.splitlines():
        line = line.replace("WeightsUnpickler error:", "").strip()
        if line and not line.startswith(_BOILERPLATE):
            return line
    return "unreadable pickle"


# modules a plain tensor checkpoint may name; anything else is code we refuse to import
_SAFE_MODULES = ("torch", "collections", "_codecs")


def _unsafe_globals(path: Path, is_zip: bool) -> list[str]:
    """Names of the globals a refused pickle wants, found by reading opcodes, never executing."""
    try:
        if is_zip:
            from torch.serialization import get_unsafe_globals_in_checkpoint

            return list(get_unsafe_globals_in_checkpoint(path))
        return _scan_legacy_pickle(path)
    except Exception:  # diagnostics only; the refusal stands either way
        return []


def _scan_legacy_pickle(path: Path, limit: int = 64 << 20) -> list[str]:
    import io
    import pickletools

    with open(path, "rb") as f:
        data = io.BytesIO(f.read(limit))
    found, strings = [], []
    # a legacy torch file is several pickles in a row, then raw storage bytes
    while data.tell() < len(data.getbuffer()):
        try:
            for op, arg, _ in pickletools.genops(data):
                if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
                    strings.append(arg)
                elif op.name == "GLOBAL":
                    found.append(arg.replace(" ", "."))
                elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                    found.append(f"{strings[-2]}.{strings[-1]}")
        except Exception:
            break
    return [g for g in dict.fromkeys(found) if not g.startswith(_SAFE_MODULES)]


def _unwrap(obj, path: Path) -> dict:
    import torch

    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise _err(path, f"not a checkpoint (holds a {type(obj).__name__}, not a dict of tensors)",
                   "不是检查点（内容不是张量字典）")
    bad = [k for k, v in obj.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise _err(path, f"not a state dict: '{bad[0]}' is a {type(obj[bad[0]]).__name__}, not a "
                   f"tensor ({len(bad)} such entries)", "不是状态字典：包含非张量条目")
    return dict(obj)


def sha256_file(path: str | Path, progress: Callable[[int], None] | None = None,
                chunk: int = 8 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
            if progress:
                progress(len(block))
    return h.hexdigest()


# --------------------------------------------------------------------------- checking

class CheckResult(NamedTuple):
    keys: int
    size_class: str    # "full" (real AnyText size) or "reduced" (make-tiny and the like)
    version: int = 1   # 1: AnyText v1, 2: AnyText2


def check_state_dict(sd: dict, path: str | Path, manifest: Manifest | None = None, *,
                     model_check: ModelCheck | None = None,
                     expect_version: int | None = None) -> CheckResult:
    """Raise WeightsError unless the tensors fit AnyText v1 or AnyText2 (names, shapes, float
    dtypes). The version is read from the keys (the manifest's probe); `expect_version`, or the
    version a manifest file name stands for (anytext_v2.0.ckpt), must agree with it."""
    path = Path(path)
    m = manifest or load_manifest()
    if not sd:
        raise _err(path, "contains no tensors", "不含任何张量")
    version = m.detect_version(sd)
    spec = m.spec(version)
    want = expect_version or m.version_of_name(path.name)
    if want is not None and want != version:
        other = m.spec(want)
        raise _err(path, f"is an {spec.label} checkpoint, but {other.label} is expected here "
                   f"({other.checkpoint.file} or {other.converted.file} hold {other.label}; "
                   f"rename the file or get the right one)",
                   f"是 {spec.label} 检查点，此处需要 {other.label}")
    absent = [p for p in spec.prefixes if not any(k.startswith(p) for k in sd)]
    if absent:
        if "control_model." in absent and "model.diffusion_model." not in absent:
            hint = ("it looks like a plain Stable Diffusion checkpoint, not AnyText; a base model "
                    "is used with `python -m weights swap-base`")
        else:
            hint = f"no keys under {', '.join(absent)}"
        raise _err(path, f"not an {spec.label} checkpoint: {hint}", f"不是 {spec.label} 检查点")
    key, full_shape = FULL_SIZE_PROBE
    if key in sd and tuple(sd[key].shape) == full_shape:
        diff = compare({k: tuple(v.shape) for k, v in sd.items()}, reference_rows(m, version),
                       spec.ignored_keys)
        if not diff.ok:
            raise _err(path, f"does not fit {spec.label}: {diff.summary()}",
                       f"与 {spec.label} 的键或形状不符")
        size_class = "full"
    else:
        if model_check is not None:
            _model_check(sd, path, model_check, spec.label)
        size_class = "reduced"
    ints = [k for k, v in sd.items() if not v.is_floating_point()
            and not k.endswith(("num_batches_tracked", "position_ids"))]
    if ints:
        raise _err(path, f"'{ints[0]}' holds {sd[ints[0]].dtype} values, expected floats",
                   "张量类型不是浮点数")
    return CheckResult(len(sd), size_class, version)


def reference_rows(manifest: Manifest | None = None, version: int = 1) -> list[KeyRow]:
    m = manifest or load_manifest()
    return read_keys_tsv(m.spec(version).key_list_path)


def _model_check(sd: dict, path: Path, model_check: ModelCheck, label: str = "AnyText v1") -> None:
    """Reduced-size checkpoints (make-tiny and the like): map every key through the model's own
    converter (`model_check`, weights.commands.model_check.check_keys: the v1 or AnyText2
    converter by the keys, passed in by the weights commands, which sit above the model code)
    with the size inferred from the shapes."""
    rows = [(k, tuple(v.shape), str(v.dtype).removeprefix("torch.")) for k, v in sd.items()]
    try:
        report = model_check(rows, None)
    except KeyError as e:
        raise _err(path, f"does not fit {label}: lacks {e.args[0]}",
                   f"与 {label} 不符：缺少必需的键") from None
    except Exception as e:  # config inference on a malformed file: name the file, not a traceback
        raise _err(path, f"does not fit {label} ({type(e).__name__}: {e})",
                   f"与 {label} 不符") from None
    if not report.ok:
        parts = []
        if report.shape_mismatches:
            k, theirs, ours = report.shape_mismatches[0]
            parts.append(f"{len(report.shape_mismatches)} wrong shapes (first: {k} is "
                         f"{'x'.join(map(str, theirs))}, the model needs {'x'.join(map(str, ours))})")
        if report.missing:
            parts.append(f"{len(report.missing)} tensors missing (first: {report.missing[0]})")
        if report.unexpected:
            parts.append(f"{len(report.unexpected)} unexpected keys (first: {report.unexpected[0]})")
        raise _err(path, f"does not fit {label}: {'; '.join(parts)}",
                   f"与 {label} 的键或形状不符")


def verify_file(path: str | Path, manifest: Manifest | None = None, with_sha: bool = True, *,
                model_check: ModelCheck | None = None,
                expect_version: int | None = None) -> tuple[CheckResult, str | None]:
    """Load (safely), check names and shapes, and hash one file."""
    sd = read_state_dict(path)
    result = check_state_dict(sd, path, manifest, model_check=model_check,
                              expect_version=expect_version)
    del sd
    return result, sha256_file(path) if with_sha else None


# --------------------------------------------------------------------------- resolving

class Resolved(NamedTuple):
    """The files the AnyText backend will load."""
    checkpoint: Path
    kind: str
    record: FileRecord
    tokenizer: Path | None
    glyph_font: str


class FileStatus(NamedTuple):
    file: str
    role: str          # checkpoint | converted | swapped | tiny | other | tokenizer
    present: bool
    size: int | None
    verified: bool
    sha256: str | None
    problem: str | None

    def as_dict(self) -> dict:
        return self._asdict()


class Status(NamedTuple):
    dir: str
    backend: str       # "anytext2", "anytext" or "procedural"
    reason: str
    use: str | None    # the weights file the kiosk will load
    files: list[FileStatus]
    glyph_font: str

    def as_dict(self) -> dict:
        d = self._asdict()
        d["files"] = [f.as_dict() for f in self.files]
        return d


def _valid(folder: Path, rec: FileRecord | None) -> bool:
    return rec is not None and rec.matches(folder / rec.file)


def file_version(rec: FileRecord) -> int:
    """The AnyText version of a verified file (recorded in its detail; v1 unless it says 2)."""
    return int(rec.detail.get("version", 1))


def resolve(dir: str | Path | None = None, version: int | None = None) -> Resolved | None:
    """The weights the kiosk will use: the active choice, else converted, else the official
    checkpoint, else the newest other verified file. With both versions present an AnyText2 file
    wins; `version` (1 or 2) keeps only files of that version. None when nothing valid is present."""
    folder = weights_dir(dir)
    m = load_manifest()
    state = load_state(folder)
    order = [state.active] + [f.file for s in m.specs for f in (s.converted, s.checkpoint)]
    # Newest first; verified_at has 1 s resolution, so on a tie a file made from another
    # present file (a conversion, a swap) wins over its source.
    others = sorted((r for r in state.files.values() if r.file not in order),
                    key=lambda r: (r.verified_at, r.source in state.files), reverse=True)
    names = [n for n in order if n] + [r.file for r in others]
    recs = [state.files[n] for n in dict.fromkeys(names) if n in state.files]
    recs.sort(key=lambda r: -file_version(r))   # stable: AnyText2 first, the order above within
    for rec in recs:
        if version is not None and file_version(rec) != version:
            continue
        if _valid(folder, rec):
            return Resolved(folder / rec.file, rec.kind, rec, _tokenizer(folder, m),
                            state.glyph_font or m.glyph_font)
    return None


def _tokenizer(folder: Path, m: Manifest) -> Path | None:
    tok = folder / m.tokenizer.folder
    return tok if all((tok / f).is_file() for f in m.tokenizer.files) else None


def status(dir: str | Path | None = None) -> Status:
    """What is present and valid, and which backend the kiosk will use (and why).
    Never raises for a damaged installation: the kiosk falls back to procedural and says why."""
    folder = weights_dir(dir)
    m = load_manifest()
    try:
        return _status(folder, m, load_state(folder))
    except WeightsError as e:
        return Status(str(folder), "procedural", e.en, None, [], m.glyph_font)


def _status(folder: Path, m: Manifest, state) -> Status:
    files: list[FileStatus] = []
    named = []
    for ms in reversed(m.specs):   # v1's files first, then AnyText2's
        for role, spec in (("checkpoint", ms.checkpoint), ("converted", ms.converted)):
            named.append(spec.file)
            files.append(_file_status(folder, spec.file, role, state.files.get(spec.file),
                                      spec.size_problem))
    for rec in state.files.values():
        if rec.file not in named:
            files.append(_file_status(folder, rec.file, rec.kind, rec, None))
    tok = folder / m.tokenizer.folder
    missing = [f for f in m.tokenizer.files if not (tok / f).is_file()]
    files.append(FileStatus(m.tokenizer.folder + "/", "tokenizer", tok.is_dir(), None,
                            not missing, None,
                            None if not missing else
                            f"missing {', '.join(missing)} (optional: a built-in copy is used)"))
    chosen = resolve(folder)
    if chosen:
        v2 = file_version(chosen.record) == 2
        backend, use = ("anytext2" if v2 else "anytext"), chosen.checkpoint.name
        reason = f"verified {chosen.kind} {'AnyText2' if v2 else 'AnyText v1'} weights {use}"
        if chosen.record.size_class == "reduced":
            reason += " (reduced-size test weights: images carry no meaning)"
        other = resolve(folder, version=1) if v2 else None
        if other is not None:
            reason += (f"; AnyText v1 weights {other.checkpoint.name} are verified too: AnyText2 "
                       f"wins unless KIOSK_BACKEND=anytext")
        elif not v2:
            reason += f"; no verified AnyText2 weights ({m.anytext2.checkpoint.file})"
    else:
        backend, use = "procedural", None
        bad = [f for f in files if f.present and f.problem and f.role != "tokenizer"]
        if bad:
            reason = f"{bad[0].file}: {bad[0].problem}"
        else:
            reason = (f"no AnyText weights in {folder}: copy {m.anytext2.checkpoint.file} "
                      f"(AnyText2) or {m.checkpoint.file} (v1) with `python -m weights import PATH`")
    return Status(str(folder), backend, reason, use, files, state.glyph_font or m.glyph_font)


def _file_status(folder: Path, name: str, role: str, rec: FileRecord | None,
                 size_problem) -> FileStatus:
    path = folder / name
    if not path.is_file():
        problem = "recorded but missing" if rec else None
        return FileStatus(name, role, False, None, False, None, problem)
    size = path.stat().st_size
    if _valid(folder, rec):
        return FileStatus(name, role, True, size, True, rec.sha256, None)
    problem = size_problem(size) if size_problem else None
    if problem is None:
        problem = ("changed since it was verified: run `python -m weights verify`" if rec else
                   "not verified yet: run `python -m weights verify`")
    return FileStatus(name, role, True, size, False, None, problem)
