"""`python -m weights ...`: argparse dispatch to weights/commands/*; one error handler.

Every subcommand is a plain function returning an exit code; tests call main([...]).
A WeightsError (or any KioskError) prints one line and exits 2, never a traceback
(base/cli.py, the one handler).
"""
from __future__ import annotations

import argparse

from base.cli import finite, run
from weights.state import folder_lock

# commands that write into the weights folder take its lock (make-tiny writes its own folder)
CHANGING = {"import", "verify", "convert", "swap-base", "use", "glyph-font", "train-motif"}


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give 1 or more")
    return value


def positive_float(text: str) -> float:
    value = finite(text)
    if value == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number above 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m weights",
                                 description="AnyText model weights: import, verify, convert")
    ap.add_argument("--dir", help="weights folder (default: $KIOSK_WEIGHTS or weights/)")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("status", help="what is present and valid, which backend the kiosk uses")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("import", help="copy weights (a file or the model folder) from a disk")
    p.add_argument("path")

    p = sub.add_parser("verify", help="check and record weights files already in the folder")
    p.add_argument("files", nargs="*", help="default: every weights file in the folder")

    p = sub.add_parser("convert", help="official checkpoint -> fp16 safetensors (faster to load)")
    p.add_argument("--src", help="checkpoint to convert (default: the official one)")
    p.add_argument("--out", help="output file (default: the manifest's converted name)")

    p = sub.add_parser("swap-base", help="use a tuned SD 1.5 UNet + text encoder, merge LoRAs")
    p.add_argument("model", nargs="?", help="SD 1.5 checkpoint, LDM layout (.safetensors/.ckpt)")
    p.add_argument("--lora", action="append", default=[], metavar="FILE[:RATIO]",
                   help="kohya LoRA to merge (repeatable; ratio default 1.0)")
    p.add_argument("-o", "--out", help="output file name in the weights folder")
    p.add_argument("--no-activate", action="store_true", help="record it but keep the current choice")

    p = sub.add_parser("use", help="choose which verified file the kiosk loads ('auto' = default)")
    p.add_argument("file")

    p = sub.add_parser("glyph-font", help="font id for AnyText's glyph maps ('default' = manifest)")
    p.add_argument("font")

    p = sub.add_parser("check-keys", help="map a key list (TSV) through the model's converter")
    p.add_argument("keys_tsv")
    p.add_argument("--version", type=int, choices=[1, 2], help="AnyText version (default: read from the keys)")

    p = sub.add_parser("train-motif", help="teach the model a motif from 5-50 photos (LoRA or "
                       "textual inversion); writes adapters/<id>.safetensors + samples")
    p.add_argument("photos", help="folder of 5-50 photos of the object (short side >= 512 px)")
    p.add_argument("--id", required=True, help="motif id (lower-case letters, digits, _)")
    p.add_argument("--name-zh", required=True)
    p.add_argument("--name-en", required=True)
    p.add_argument("--method", choices=["lora", "ti"], default="lora")
    p.add_argument("--steps", type=positive_int, default=800)
    p.add_argument("--rank", type=positive_int, default=8, help="LoRA rank (default 8)")
    p.add_argument("--lr", type=positive_float, default=None,
                   help="learning rate (default 1e-4 LoRA, 5e-3 textual inversion)")
    p.add_argument("--resolution", type=positive_int, default=512)
    p.add_argument("--batch-size", type=positive_int, default=1)
    p.add_argument("--text-encoder", action="store_true", help="LoRA on the text encoder too")
    p.add_argument("--noun", default="bronze", help="class word after the token (default bronze)")
    p.add_argument("--prior", type=int, default=0, metavar="N",
                   help="N prior-preservation images drawn by the base model first")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--checkpoint-every", type=positive_int, default=100)
    p.add_argument("--samples", type=int, default=4)
    p.add_argument("--mixed-precision", choices=["auto", "fp16", "bf16", "no"], default="auto")
    p.add_argument("--restart", action="store_true", help="ignore a checkpoint of an earlier run")

    p = sub.add_parser("make-tiny", help="write tiny random weights in the official layout")
    p.add_argument("dir")
    p.add_argument("--format", choices=["ckpt", "safetensors"], default="ckpt")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--version", type=int, choices=[1, 2], default=1, help="AnyText version (default 1)")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from weights import commands

    handler = getattr(commands, args.command.replace("-", "_") + "_cmd")
    if args.command in CHANGING:
        return run(_locked, handler, args)
    return run(handler, args)


def _locked(handler, args) -> int:
    with folder_lock(args.dir):
        return handler(args)
