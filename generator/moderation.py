"""Text moderation: every visitor line is checked against word lists kept as data.

The lists live in generator/wordlists/ (deny.txt, allow.txt; format documented at the top of
each file). Text and terms go through the same normalisation so that width, script and
inserted separators cannot dodge the list:

1. NFKC (folds full-width Latin/digits, compatibility forms, circled letters...),
2. traditional -> simplified Chinese (zhconv),
3. case folding,
4. every character that is not a letter or a digit is dropped (spaces, punctuation,
   zero-width and format characters, symbols such as ★ inserted between characters).

An occurrence of a denied term is forgiven only when it lies inside an occurrence of an
allowed term (舞台独白 contains 台独), so a line that also holds the term elsewhere is still
refused. The result is plain data; the matched term is for the audit log only: the visitor
message never names it.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import zhconv

from base.errors import KioskError

WORDLIST_DIR = Path(__file__).with_name("wordlists")

REFUSED_EN = ("Sorry, this text cannot be printed on a souvenir here. Please choose different "
              "words or pick a phrase from the list.")
REFUSED_ZH = "抱歉，这段文字不能印在纪念品上。请换一种说法，或从推荐短语中选择。"


class ModerationError(KioskError):
    """A line of visitor text was refused. `.line` and `.term` are for staff, not visitors."""

    def __init__(self, line: int, term: str):
        super().__init__(REFUSED_EN, REFUSED_ZH, field=f"lines[{line}].text")
        self.line = line
        self.term = term


@dataclass(frozen=True)
class ModerationResult:
    ok: bool
    line: int | None = None   # index of the first refused line
    term: str | None = None   # the normalised deny term that matched (audit log only)
    text: str | None = None   # the normalised text it matched in (audit log only)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "line": self.line, "term": self.term, "text": self.text}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = zhconv.convert(text, "zh-cn")
    text = text.casefold()
    # keep letters (L*) and digits (N*) only; marks (M*) are kept too so that decomposed
    # Latin accents do not split a word
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNM")


def read_wordlist(path: Path) -> tuple[str, ...]:
    terms: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if " #" in line:  # trailing comment
            line = line.split(" #", 1)[0].strip()
        term = normalise(line)
        if term:
            terms.append(term)
    # longest first: the audit log names the most specific term
    return tuple(sorted(set(terms), key=lambda t: (-len(t), t)))


@dataclass(frozen=True)
class WordLists:
    deny: tuple[str, ...]
    allow: tuple[str, ...]


@functools.lru_cache(maxsize=4)
def load_wordlists(directory: str | None = None) -> WordLists:
    """Read (once per process) deny.txt and allow.txt from `directory` (default: ours)."""
    d = Path(directory) if directory else WORDLIST_DIR
    allow = d / "allow.txt"
    return WordLists(read_wordlist(d / "deny.txt"), read_wordlist(allow) if allow.exists() else ())


def _spans(text: str, term: str):
    start = text.find(term)
    while start != -1:
        yield start, start + len(term)
        start = text.find(term, start + 1)


def find_denied(text: str, lists: WordLists | None = None) -> tuple[str, str] | None:
    """(term, normalised text) of the first denied occurrence not covered by an allowed word."""
    lists = lists or load_wordlists()
    norm = normalise(text)
    if not norm:
        return None
    allowed = [span for term in lists.allow if term in norm for span in _spans(norm, term)]
    for term in lists.deny:
        for s, e in _spans(norm, term):
            if not any(a <= s and e <= b for a, b in allowed):
                return term, norm
    return None


def check_lines(texts: list[str], lists: WordLists | None = None) -> ModerationResult:
    for i, text in enumerate(texts):
        hit = find_denied(text, lists)
        if hit:
            return ModerationResult(False, i, hit[0], hit[1])
    return ModerationResult(True)


def check_design(design, lists: WordLists | None = None) -> ModerationResult:
    return check_lines([ln.text for ln in design.lines], lists)


def ensure_allowed(texts: list[str], lists: WordLists | None = None) -> None:
    """Raise ModerationError (bilingual, naming no word) when a line is refused."""
    result = check_lines(texts, lists)
    if not result.ok:
        raise ModerationError(result.line, result.term)


__all__ = ["ModerationError", "ModerationResult", "WordLists", "normalise", "load_wordlists",
           "find_denied", "check_lines", "check_design", "ensure_allowed", "REFUSED_EN", "REFUSED_ZH"]
