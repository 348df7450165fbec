"""`python -m weights import PATH`: copy weights from a USB disk, verify, record.

The copy goes to a hidden temp name in the weights folder, is hashed while it is written,
loaded (safely) and checked, and only then renamed over the final name with os.replace: a
pulled USB stick, a full disk or a wrong file never leaves half a checkpoint under a real name.
"""
from __future__ import annotations

import errno
import os
import shutil
import hashlib
from pathlib import Path
from typing import Callable

from weights.errors import WeightsError
from weights.manifest import Manifest, load_manifest
from weights.state import record_file, weights_dir
from weights.store import PICKLE_SUFFIXES, ModelCheck, check_state_dict, read_state_dict

Progress = Callable[[str, int, int], None]   # (file name, bytes done, bytes total)
CHUNK = 8 << 20
WEIGHT_SUFFIXES = PICKLE_SUFFIXES | {".safetensors"}


def temp_name(final: Path) -> Path:
    # keeps the real suffix (the loader picks the format by suffix) and stays git-ignored
    return final.with_name(f".{final.stem}.partial{final.suffix}")


def copy_file(src: Path, dst: Path, progress: Progress | None = None,
              opener: Callable = open) -> str:
    """Copy src to dst (a temp path) in chunks; returns the sha256 of the bytes written.

    `opener` opens the destination; tests pass one whose write fails like a full disk."""
    total = src.stat().st_size
    h = hashlib.sha256()
    done = 0
    try:
        with open(src, "rb") as fin, opener(dst, "wb") as fout:
            while block := fin.read(CHUNK):
                fout.write(block)
                h.update(block)
                done += len(block)
                if progress:
                    progress(src.name, done, total)
            fout.flush()
            os.fsync(fout.fileno())
    except BaseException:
        dst.unlink(missing_ok=True)
        raise
    if done != total:
        dst.unlink(missing_ok=True)
        raise WeightsError(f"{src}: read {done:,} of {total:,} bytes (was the disk removed?)",
                           f"{src}：只读到 {done:,} / {total:,} 字节（磁盘是否被拔出？）")
    return h.hexdigest()


def _os_error(e: OSError, src: Path, folder: Path) -> WeightsError:
    if e.errno == errno.ENOSPC:
        return WeightsError(f"not enough free space in {folder} to import {src.name}; nothing "
                            "was written", f"{folder} 空间不足，无法导入 {src.name}；未写入任何内容")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        where = e.filename or folder
        return WeightsError(f"cannot write {where}: {e.strerror}; nothing was written",
                            f"无法写入 {where}：{e.strerror}；未写入任何内容")
    return WeightsError(f"cannot copy {src}: {e.strerror or e}; nothing was written",
                        f"无法复制 {src}：{e.strerror or e}；未写入任何内容")


def import_file(src: str | Path, dir: str | Path | None = None, *,
                progress: Progress | None = None, opener: Callable = open,
                manifest: Manifest | None = None, model_check: ModelCheck | None = None) -> dict:
    """Copy one weights file into the folder, verify it, record it. Returns the record."""
    src = Path(src)
    folder = weights_dir(dir)
    m = manifest or load_manifest()
    if not src.is_file():
        raise WeightsError(f"{src}: not found or not a file", f"找不到文件 {src}")
    if src.suffix not in WEIGHT_SUFFIXES:
        raise WeightsError(f"{src}: not a weights file (expected .ckpt or .safetensors)",
                           f"{src} 不是权重文件（应为 .ckpt 或 .safetensors）")
    try:
        size = src.stat().st_size
        with open(src, "rb") as f:
            f.read(1)
    except OSError as e:
        raise WeightsError(f"cannot read {src}: {e.strerror or e}",
                           f"无法读取 {src}：{e.strerror or e}") from None
    spec = m.file_spec(src.name)
    if spec and (problem := spec.size_problem(size)):
        raise WeightsError(f"{src}: {problem}; nothing was copied",
                           f"{src} 大小不对，可能不完整；未复制")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(folder).free
    except OSError as e:
        raise _os_error(e, src, folder) from None
    if free < size:
        raise WeightsError(f"not enough free space in {folder}: {src.name} needs {size:,} bytes, "
                           f"{free:,} free; nothing was written",
                           f"{folder} 空间不足：需要 {size:,} 字节，剩余 {free:,}；未写入任何内容")
    final = folder / src.name
    tmp = temp_name(final)
    try:
        sha = copy_file(src, tmp, progress, opener)
    except OSError as e:
        raise _os_error(e, src, folder) from None
    try:
        try:
            sd = read_state_dict(tmp)
        except WeightsError as e:   # name the file IT knows, not our temp copy
            raise WeightsError(e.en.replace(str(tmp), str(src)), e.zh.replace(str(tmp), str(src)))
        result = check_state_dict(sd, src, m, model_check=model_check)
        del sd
        if spec and spec.sha256 and spec.sha256 != sha:
            raise WeightsError(f"{src}: sha256 {sha} differs from the manifest's {spec.sha256}",
                               f"{src} 的 sha256 与清单不符")
        os.chmod(tmp, 0o644)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    kind = ("official" if result.size_class == "full" and final.suffix != ".safetensors"
            else "converted" if final.name in (m.converted.file, m.anytext2.converted.file)
            else "tiny" if result.size_class == "reduced" else "other")
    rec = record_file(final, kind=kind, sha256=sha, keys=result.keys,
                      size_class=result.size_class, source=str(src.resolve()),
                      detail={"version": result.version})
    return rec.model_dump()


def import_tokenizer(src: Path, dir: str | Path | None = None,
                     manifest: Manifest | None = None) -> Path:
    """Copy the CLIP tokenizer folder (small files) into place atomically."""
    m = manifest or load_manifest()
    folder = weights_dir(dir)
    missing = [f for f in m.tokenizer.files if not (src / f).is_file()]
    if missing:
        raise WeightsError(f"tokenizer folder {src} lacks {', '.join(missing)}",
                           f"分词器文件夹 {src} 缺少 {'、'.join(missing)}")
    final = folder / m.tokenizer.folder
    tmp = folder / f".{m.tokenizer.folder}.partial"
    old = folder / f".{m.tokenizer.folder}.old"
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(src, tmp)
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not final.exists():
            os.replace(old, final)
        raise _os_error(e, src, folder) from None
    return final


def import_path(src: str | Path, dir: str | Path | None = None, *,
                progress: Progress | None = None, opener: Callable = open,
                model_check: ModelCheck | None = None) -> list[str]:
    """A file, or a model folder (weights files + the tokenizer folder). Returns what was done."""
    src = Path(src)
    m = load_manifest()
    if not src.exists():
        raise WeightsError(f"{src}: not found", f"找不到 {src}")
    if src.is_file():
        rec = import_file(src, dir, progress=progress, opener=opener, manifest=m,
                          model_check=model_check)
        return [f"imported {rec['file']} ({rec['size']:,} bytes, sha256 {rec['sha256']})"]
    try:
        entries = sorted(src.iterdir())
    except OSError as e:
        raise WeightsError(f"cannot read folder {src}: {e.strerror or e}",
                           f"无法读取文件夹 {src}") from None
    done = []
    for p in entries:
        if p.is_file() and p.suffix in WEIGHT_SUFFIXES and not p.name.startswith("."):
            rec = import_file(p, dir, progress=progress, opener=opener, manifest=m,
                              model_check=model_check)
            done.append(f"imported {rec['file']} ({rec['size']:,} bytes, sha256 {rec['sha256']})")
    tok = src / m.tokenizer.folder
    if tok.is_dir():
        done.append(f"imported tokenizer {import_tokenizer(tok, dir, m).name}/")
    if not done:
        raise WeightsError(f"{src}: no weights files (.ckpt, .safetensors) or "
                           f"{m.tokenizer.folder}/ folder in it",
                           f"{src} 中没有权重文件或分词器文件夹")
    return done
