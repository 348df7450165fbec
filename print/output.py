"""Printer outputs: a hot folder (default) or a CUPS printer. Knows PDFs, not jobs.

- Hot folder: the PDF is written under a temporary name and renamed, so a watcher (the print
  shop's RIP) never takes half a file.
- CUPS: `lp -d NAME` (package cups-client). First `lpstat` asks the server (CUPS_SERVER, else
  the local one) whether it runs and the printer is enabled and accepting, with a short timeout:
  a server that is down or a printer that is stopped gives a clear error at once, and no copy
  waits in a stopped queue to come out again when staff print the job a second time.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from base.atomic import write_atomic
from print.errors import PrintError


class PrinterError(PrintError):
    """The print file could not be handed to the printer or the hot folder."""


# What took the PDF: a printer printed it; a hot folder only holds it until the shop's RIP or a
# person prints it (staff must not read "printed" then).
PRINTER, HOT_FOLDER = "printer", "hot_folder"


def output_kind(printer: str) -> str:
    """Where `send` hands a PDF with this printer setting (PRINTER or HOT_FOLDER)."""
    return PRINTER if printer else HOT_FOLDER


def destination(printer: str, hotfolder: Path) -> str:
    return f"printer {printer}" if printer else f"hot folder {hotfolder}"


def send(pdf: Path, *, name: str, title: str, printer: str, hotfolder: Path) -> str:
    """Hand `pdf` to the printer (when `printer` is set) or copy it into `hotfolder` as
    `name`; returns where it went."""
    if printer:
        return _lp(printer, pdf, title)
    hotfolder.mkdir(parents=True, exist_ok=True)
    return str(write_atomic(hotfolder / name, pdf.read_bytes()))


CHECK_TIMEOUT = 5.0    # lpstat: answers at once from a running server
LP_TIMEOUT = 30.0


def printer_problem(printer: str) -> str | None:
    """Why `printer` cannot take a job now (None: the CUPS server runs and the printer is
    enabled and accepting). Never waits more than CHECK_TIMEOUT."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return "`lpstat` is not installed (apt-get install cups-client)"
    try:
        res = subprocess.run([lpstat, "-r", "-p", printer, "-a", printer], capture_output=True,
                             text=True, timeout=CHECK_TIMEOUT, env=_c_locale())
    except subprocess.TimeoutExpired:
        return f"the print server (CUPS) did not answer within {CHECK_TIMEOUT:.0f} s"
    out = f"{res.stdout}\n{res.stderr}"
    if "scheduler is not running" in out.lower():
        return "the print server (CUPS) is not running: start it (systemctl start cups)"
    if re.search(r"invalid destination|does not exist|unknown destination", out, re.I):
        return f"CUPS has no printer named {printer!r} (lpstat -p lists them)"
    if re.search(rf"^printer {re.escape(printer)} disabled", res.stdout, re.M):
        return f"printer {printer} is stopped (cupsenable {printer} starts it)"
    if re.search(rf"^{re.escape(printer)} not accepting", res.stdout, re.M):
        return f"printer {printer} is not accepting jobs (cupsaccept {printer})"
    if res.returncode != 0:
        why = out.strip().splitlines()
        return f"lpstat failed: {why[-1] if why else res.returncode}"
    return None


def _c_locale() -> dict:
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}   # lpstat's words, not translated


def _lp(printer: str, pdf: Path, title: str) -> str:
    lp = shutil.which("lp")
    if lp is None:
        raise PrinterError("`lp` is not installed (apt-get install cups-client)",
                           "未安装打印命令 lp（apt-get install cups-client）")
    problem = printer_problem(printer)
    if problem:
        raise PrinterError(problem, f"打印机 {printer} 现在不能打印：{problem}")
    try:
        res = subprocess.run([lp, "-d", printer, "-t", title, str(pdf)],
                             capture_output=True, text=True, timeout=LP_TIMEOUT, env=_c_locale())
    except subprocess.TimeoutExpired:
        raise PrinterError(f"printer {printer} did not answer within {LP_TIMEOUT:.0f} s",
                           f"打印机 {printer} {LP_TIMEOUT:.0f} 秒内无响应") from None
    if res.returncode != 0:
        why = (res.stderr or res.stdout).strip().splitlines()
        raise PrinterError(f"printer {printer} refused the job: {why[-1] if why else res.returncode}",
                           f"打印机 {printer} 无法接收任务")
    return f"printer {printer}: {res.stdout.strip()}"
