"""The CLIP ViT-L/14 tokenizer, built offline.

The official model folder ships `clip-vit-large-patch14/` beside the checkpoint; when it is there
we load it (local files only). Otherwise the exact vocabulary is rebuilt from the BPE merges file
that the open_clip_torch wheel ships (`bpe_simple_vocab_16e6.txt.gz`), following CLIP's own
construction: 256 byte symbols, the same with `</w>`, the first 48,894 merges joined, then
`<|startoftext|>`, `<|endoftext|>` (49,408 entries), in memory. Nothing is downloaded.
"""
from __future__ import annotations

import functools
import gzip
from pathlib import Path

N_MERGES = 49152 - 256 - 2  # CLIP uses the first 48,894 merges


def _bytes_to_unicode() -> dict[int, str]:
    # CLIP/GPT-2 reversible byte -> printable unicode table
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def _bpe_file() -> Path:
    import importlib.util

    # locate the package without importing it (its __init__ needs torchvision)
    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("open_clip_torch is not installed: no CLIP BPE file to build the tokenizer from")
    return Path(list(spec.submodule_search_locations)[0]) / "bpe_simple_vocab_16e6.txt.gz"


def build_vocab() -> tuple[dict[str, int], list[tuple[str, str]]]:
    """(vocab, merges) of CLIP ViT-L/14 from open_clip's BPE file."""
    lines = gzip.open(_bpe_file(), "rt", encoding="utf-8").read().split("\n")
    merges = [tuple(m.split()) for m in lines[1:1 + N_MERGES]]
    vocab = list(_bytes_to_unicode().values())
    vocab += [v + "</w>" for v in vocab]
    vocab += ["".join(m) for m in merges]
    vocab += ["<|startoftext|>", "<|endoftext|>"]
    return {t: i for i, t in enumerate(vocab)}, merges


@functools.lru_cache(maxsize=4)
def load_tokenizer(folder: str | None = None):
    """CLIPTokenizer from `folder` (a clip-vit-large-patch14 directory) or built offline in memory."""
    from transformers import CLIPTokenizer

    if folder and Path(folder, "vocab.json").exists():
        return CLIPTokenizer.from_pretrained(folder, local_files_only=True)
    vocab, merges = build_vocab()
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=77)
