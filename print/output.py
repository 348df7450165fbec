"""Printer outputs: a hot folder (default) or a CUPS printer. Knows PDFs, not jobs.

- Hot folder: the PDF is written under a temporary name and renamed, so a watcher (the print
  shop's RIP) never takes half a file.
- CUPS: `lp -d NAME` (package cups-client). A printer that is away gives a clear error.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from base.atomic import write_atomic
from print.errors import PrintError


class PrinterError(PrintError):
    """The print file could not be handed to the printer or the hot folder."""


def destination(printer: str, hotfolder: Path) -> str:
    return f"printer {printer}" if printer else f"hot folder {hotfolder}"


def send(pdf: Path, *, name: str, title: str, printer: str, hotfolder: Path) -> str:
    """Hand `pdf` to the printer (when `printer` is set) or copy it into `hotfolder` as
    `name`; returns where it went."""
    if printer:
        return _lp(printer, pdf, title)
    hotfolder.mkdir(parents=True, exist_ok=True)
    return str(write_atomic(hotfolder / name, pdf.read_bytes()))


def _lp(printer: str, pdf: Path, title: str) -> str:
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError("`lp` is not installed (apt-get install cups-client)",
                           "未安装打印命令 lp（apt-get install cups-client）")
    try:
        res = subprocess.run([lp, "-d", printer, "-t", title, str(pdf)],
                             capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        raise PrinterError(f"printer {printer} did not answer within 30 s",
                           f"打印机 {printer} 30 秒内无响应") from None
    if res.returncode != 0:
        why = (res.stderr or res.stdout).strip().splitlines()
        raise PrinterError(f"printer {printer} refused the job: {why[-1] if why else res.returncode}",
                           f"打印机 {printer} 无法接收任务")
    return f"printer {printer}: {res.stdout.strip()}"
