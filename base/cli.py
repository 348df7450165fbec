"""The one error handler of every command-line entry point and of the Streamlit app.

Exit codes, everywhere the same:
    0  done                 1  done, with findings (preflight errors, a job that failed...)
    2  bad input or a service that cannot be reached (one line, never a traceback)
    3  unexpected failure (one line; the traceback goes to the log)
"""
from __future__ import annotations

import argparse
import contextlib
import logging
import math
import sys
from typing import Callable, Iterator, Sequence

from sqlalchemy.exc import DBAPIError, OperationalError

from base.errors import KioskError

OK, FINDINGS, BAD_INPUT, UNEXPECTED = 0, 1, 2, 3

log = logging.getLogger("kiosk")


class Failure(Exception):
    """Raised by `handled` after it has printed its line; carries the exit code."""

    def __init__(self, code: int, line: str):
        super().__init__(line)
        self.code = code
        self.line = line


def _unreachable(exc: BaseException) -> str | None:
    """One line for a database or service that cannot be reached, else None."""
    if isinstance(exc, (OperationalError, DBAPIError)):
        reason = str(getattr(exc, "orig", exc)).strip().splitlines() or [exc.__class__.__name__]
        return f"cannot reach the job database: {reason[0][:300]}"
    if isinstance(exc, ConnectionError):
        return f"cannot reach a service: {exc}"
    return None


def describe(exc: BaseException, lang: str = "en") -> tuple[int, str]:
    """(exit code, one line) for any exception: the same words at the shell and on a page."""
    if isinstance(exc, KioskError):
        return BAD_INPUT, exc.message(lang)
    down = _unreachable(exc)
    if down:
        return BAD_INPUT, down
    first = (str(exc).strip().splitlines() or [exc.__class__.__name__])[0]
    return UNEXPECTED, f"unexpected {exc.__class__.__name__}: {first}"


@contextlib.contextmanager
def handled(lang: str = "en") -> Iterator[None]:
    """Turn any exception into Failure(code, line), logging the traceback of unexpected ones."""
    try:
        yield
    except Failure:
        raise
    except Exception as exc:  # KeyboardInterrupt and Streamlit's rerun signals pass through
        code, line = describe(exc, lang)
        if code == UNEXPECTED:
            log.error("%s", line, exc_info=exc)
        raise Failure(code, line) from exc


def run(func: Callable[..., int], *args) -> int:
    """Call a command function; print `error: <line>` and return the exit code on failure."""
    try:
        with handled():
            return func(*args)
    except Failure as f:
        print(f"error: {f.line}", file=sys.stderr)
        return f.code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def finite(text: str) -> float:
    """argparse type for a number option: NaN, Infinity and negative values are refused with
    argparse's own one-line usage error (exit 2)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a finite number, 0 or more")
    return value


def main_of(build_parser: Callable[[], argparse.ArgumentParser]) -> Callable[[Sequence[str] | None], int]:
    """`main(argv=None) -> int` for a parser whose subcommands set `func(args) -> int`."""

    def main(argv: Sequence[str] | None = None) -> int:
        args = build_parser().parse_args(argv)
        return run(args.func, args)

    return main

