"""Text moderation: every visitor line is checked against word lists kept as data.

The lists live in generator/wordlists/ (deny.txt, allow.txt; format documented at the top of
each file). Text and terms go through the same normalisation so that width, script and
inserted separators cannot dodge the list:

1. NFKC (folds full-width Latin/digits, compatibility forms, circled letters...),
2. traditional -> simplified Chinese (OpenCC `t2s`, Apache-2.0),
3. confusables skeleton (Unicode UTS #39, data in unicode_confusables.txt): a non-ASCII
   look-alike of an ASCII letter or digit becomes that letter (Cyrillic с -> c, Greek Κ -> K),
   so a Latin deny term also matches its Cyrillic/Greek/... look-alikes. Restricted on purpose:
   ASCII itself is never remapped (UTS #39 would turn m into rn, so "Pompeii" would contain a
   deny term) and CJK ideographs are never folded (丨 -> l, 〇 -> O are left out). Because
   confusables.txt is case-sensitive and we match case-insensitively, a character without an
   entry uses the entry of its other-case form (Greek κ -> Κ -> K), and an upper-case I-like
   letter whose prototype is l maps to i (Cyrillic І, Greek Ι look like I, not l),
4. case folding,
5. every character that is not a letter or a digit is dropped (spaces, punctuation,
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

import opencc

from base.errors import KioskError

WORDLIST_DIR = Path(__file__).with_name("wordlists")
CONFUSABLES_FILE = Path(__file__).with_name("unicode_confusables.txt")

# CJK ideographs, radicals, CJK symbols (〇) and bopomofo: never remapped by the skeleton.
_CJK_RANGES = ((0x2E80, 0x303F), (0x3100, 0x312F), (0x31A0, 0x31BF), (0x3400, 0x4DBF),
               (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))

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


def _is_cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


@functools.lru_cache(maxsize=1)
def _confusables() -> dict[str, str]:
    """{look-alike: ASCII letter/digit} from a UTS #39 confusables.txt (full file or our subset).

    Kept: a single non-ASCII, NFKC-stable, non-CJK source whose target is a single ASCII letter
    or digit (the same filter that produced unicode_confusables.txt).
    """
    table: dict[str, str] = {}
    for raw in CONFUSABLES_FILE.read_text(encoding="utf-8-sig").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [f.strip() for f in line.split(";")]
        if len(fields) < 2:
            continue
        src, tgt = fields[0].split(), fields[1].split()
        if len(src) != 1 or len(tgt) != 1:
            continue
        cp, target = int(src[0], 16), chr(int(tgt[0], 16))
        ch = chr(cp)
        if cp < 0x80 or _is_cjk(cp) or not (target.isascii() and target.isalnum()):
            continue
        if unicodedata.normalize("NFKC", ch) != ch:
            continue
        table[ch] = target
    return table


@functools.lru_cache(maxsize=1)
def _converter():
    return opencc.OpenCC("t2s")


def _skeleton_char(ch: str, table: dict[str, str]) -> str:
    if ch.isascii() or _is_cjk(ord(ch)):
        return ch
    target = table.get(ch)
    src = ch
    if target is None:  # no entry: try the other-case form (case is folded afterwards anyway)
        for other in (ch.upper(), ch.lower()):
            if len(other) == 1 and other != ch and other in table:
                src, target = other, table[other]
                break
    if target is None:
        return ch
    if target == "l" and src.isupper():  # І (Cyrillic), Ι (Greek) look like I, not l
        return "i"
    return target


def skeleton(text: str) -> str:
    """Map look-alikes of ASCII letters/digits to them (see step 3 of the module docstring)."""
    table = _confusables()
    return "".join(_skeleton_char(ch, table) for ch in text)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _converter().convert(text)
    text = skeleton(text)
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
           "find_denied", "skeleton", "check_lines", "check_design", "ensure_allowed",
           "REFUSED_EN", "REFUSED_ZH"]
