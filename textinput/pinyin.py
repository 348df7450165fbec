"""Pinyin candidate index: letters typed without spaces -> ranked phrases and characters.

Built offline from permissive data already installed: word frequencies from jieba's dict.txt
(MIT) and readings from pypinyin (MIT), plus the museum's own phrase list and the motif names,
which always rank first. The index is a small SQLite file under var/ (KIOSK_VAR), built once at
first start under a temporary name and swapped in with os.replace, so a crash never leaves
half an index.

Initials work as on every pinyin keyboard: one letter a syllable (`jxry` -> 吉祥如意,
`tl` -> 天路), the museum's phrases first, offered after what reads as full pinyin.
"""
from __future__ import annotations

import os
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from base.settings import settings

INDEX_VERSION = 3              # 3: the `abbr` table (initials) and `meta` (version)
MAX_WORD_LEN = 6
MAX_ABBR_LEN = 4               # dictionary words get initials up to this length (museum: any)
ABBR_PER_KEY = 12              # dictionary words kept per initials key (the most frequent)
MUSEUM_FILE = Path(__file__).with_name("museum_phrases.txt")
MUSEUM, DICT = 0, 1            # source ranks: lower ranks first


@dataclass(frozen=True)
class PinyinCandidate:
    text: str
    consumed: int       # how many typed letters this candidate uses up (from the start)
    museum: bool = False


def rest_after(typed: str, consumed: int) -> str:
    """What is left of the typed keys after a candidate used `consumed` letters (candidates
    count letters only; the typed string may also hold apostrophes between syllables)."""
    seen = 0
    for i, ch in enumerate(typed):
        if seen == consumed:
            return typed[i:].lstrip("'")
        if ch.isalpha():
            seen += 1
    return ""


def var_dir() -> Path:
    return settings().var


def default_index_path() -> Path:
    return var_dir() / "textinput" / f"pinyin_index.v{INDEX_VERSION}.sqlite"


def _plain(reading: str) -> str:
    """'lǜ' -> 'lv', 'tiān' -> 'tian': tone marks off, ü typed as v (as on every pinyin IME)."""
    s = unicodedata.normalize("NFD", reading.lower()).replace("u\u0308", "v")
    return "".join(c for c in s if not unicodedata.combining(c))


def _is_han(text: str) -> bool:
    return bool(text) and all(0x3400 <= ord(c) <= 0x9FFF for c in text)


def in_gb2312(ch: str) -> bool:
    """An everyday simplified character (the 6763 of GB 2312)."""
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def museum_phrases(path: Path = MUSEUM_FILE) -> list[tuple[str, str | None]]:
    """(phrase, pinyin or None) from the data file, then the motif names."""
    out: list[tuple[str, str | None]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        text, _, py = line.partition("\t")
        out.append((text.strip(), py.strip() or None))
    try:
        from generator.motifs import list_motifs
        for m in list_motifs():
            out.append((m.name_zh, None))
            for ph in m.phrases:
                if isinstance(ph, dict) and ph.get("zh"):
                    out.append((ph["zh"], ph.get("pinyin")))
    except Exception:  # a broken catalogue must not take the keyboard down with it
        pass
    return out


def _syllables(word: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s.lower() for s in lazy_pinyin(word, style=Style.NORMAL, v_to_u=False, errors="ignore")]


def initials(syllables: list[str]) -> str:
    """'ji xiang ru yi' -> 'jxry': the first letter of each syllable."""
    return "".join(s[0] for s in syllables if s)


def _all_spellings(text: str, cap: int = 64) -> list[list[str]]:
    """Every way a visitor might spell a short phrase, as syllables: pypinyin's reading in
    context first, then each heteronym combination (似 is read shi in 似的 but si in 前程似锦;
    visitors type si)."""
    import itertools

    from pypinyin import Style, pinyin

    per_char = pinyin(text, style=Style.NORMAL, heteronym=True, v_to_u=False, errors="ignore")
    out = [_syllables(text)]
    for combo in itertools.islice(itertools.product(*per_char), cap):
        spelling = [s.lower() for s in combo]
        if spelling not in out:
            out.append(spelling)
    return out



def build_index(path: Path | None = None, museum_file: Path = MUSEUM_FILE,
                dict_file: Path | None = None) -> Path:
    """Build the SQLite index (about 10 s on one free core). Returns its path.

    dict_file: a word-frequency list in jieba's dict.txt format ("word freq [tag]" a line);
    jieba's own by default.
    """
    import jieba
    from pypinyin.pinyin_dict import pinyin_dict

    path = Path(path or default_index_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    if tmp.exists():
        tmp.unlink()
    con = sqlite3.connect(tmp)
    con.execute("CREATE TABLE entry (key TEXT NOT NULL, word TEXT NOT NULL, src INTEGER NOT NULL,"
                " freq REAL NOT NULL)")
    con.execute("CREATE TABLE abbr (key TEXT NOT NULL, word TEXT NOT NULL, src INTEGER NOT NULL,"
                " freq REAL NOT NULL)")
    con.execute("CREATE TABLE syllable (s TEXT PRIMARY KEY)")
    con.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    rows: dict[tuple[str, str], tuple[int, float]] = {}
    abbr: dict[tuple[str, str], tuple[int, float]] = {}

    def put(key, word, src, freq, table=rows):
        if not key or not re.fullmatch(r"[a-z]+", key):
            return
        old = table.get((key, word))
        if old is None or (src, -freq) < (old[0], -old[1]):
            table[(key, word)] = (src, freq)

    char_freq: dict[str, float] = {}
    dict_txt = Path(dict_file or Path(jieba.__file__).parent / "dict.txt")
    for line in dict_txt.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) < 2:
            continue
        word, freq = parts[0], float(parts[1])
        if len(word) == 1:
            char_freq[word] = freq
        if 2 <= len(word) <= MAX_WORD_LEN and _is_han(word):
            syl = _syllables(word)
            put("".join(syl), word, DICT, freq)
            if len(word) <= MAX_ABBR_LEN and len(syl) == len(word):
                put(initials(syl), word, DICT, freq, abbr)
    syllables = set()
    for cp, readings in pinyin_dict.items():
        ch = chr(cp)
        if not _is_han(ch) or not (ch in char_freq or in_gb2312(ch)):
            continue        # rare characters nobody asks a kiosk for would crowd the list
        for n, r in enumerate(readings.split(",")):
            key = _plain(r)
            if re.fullmatch(r"[a-z]+", key):
                syllables.add(key)
                # every reading is offered, but a secondary one (不 fou, 见 xian) must not push
                # the everyday characters of that syllable off the first row
                put(key, ch, DICT, char_freq.get(ch, 0.0) * (1.0 if n == 0 else 0.002))
    for i, (text, py) in enumerate(museum_phrases(museum_file)):
        spellings = [py.lower().split()] if py else _all_spellings(text)
        for syl in spellings:
            put("".join(syl), text, MUSEUM, 1e12 - i)       # file order inside the museum list
            if len(syl) >= 2:
                put(initials(syl), text, MUSEUM, 1e12 - i, abbr)
    con.executemany("INSERT INTO entry VALUES (?,?,?,?)",
                    [(k, w, s, f) for (k, w), (s, f) in rows.items()])
    # only the first ABBR_PER_KEY dictionary words of an initials key are ever shown: keep
    # those (the table stays small and the build quick); the museum's phrases all stay
    by_key: dict[str, list[tuple[int, float, str]]] = {}
    for (k, w), (src, f) in abbr.items():
        by_key.setdefault(k, []).append((src, -f, w))
    con.executemany("INSERT INTO abbr VALUES (?,?,?,?)",
                    [(k, w, src, -nf) for k, ws in by_key.items()
                     for n, (src, nf, w) in enumerate(sorted(ws))
                     if src == MUSEUM or n < ABBR_PER_KEY])
    con.execute("INSERT INTO meta VALUES ('version', ?)", (str(INDEX_VERSION),))
    con.executemany("INSERT INTO syllable VALUES (?)", [(s,) for s in sorted(syllables)])
    con.execute("CREATE INDEX entry_key ON entry (key, src, freq DESC)")
    con.execute("CREATE INDEX abbr_key ON abbr (key, src, freq DESC)")
    con.execute("CREATE INDEX abbr_src ON abbr (src, key)")      # museum phrases by prefix
    con.commit()
    con.close()
    os.replace(tmp, path)
    return path


def index_version(path: Path) -> int | None:
    """The INDEX_VERSION a built index file was made with (None: not an index, or older than
    the version stamp)."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE name = 'version'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return int(row[0]) if row and str(row[0]).isdigit() else None


class PinyinIndex:
    """Read-only queries over the index; safe to share between sessions (one connection per
    thread, opened read-only)."""

    def __init__(self, path: Path | None = None, build: bool = True):
        self.path = Path(path or default_index_path())
        if not self.path.exists() or index_version(self.path) != INDEX_VERSION:
            if not build:
                raise FileNotFoundError(f"no pinyin index of version {INDEX_VERSION} at {self.path}")
            build_index(self.path)
        self._local = threading.local()
        self.syllables = frozenset(r[0] for r in self._db().execute("SELECT s FROM syllable"))
        self._prefixes = frozenset(s[:i] for s in self.syllables for i in range(1, len(s) + 1))

    def _db(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    # -- segmentation -----------------------------------------------------------------------
    def boundaries(self, letters: str) -> list[int]:
        """Positions that end a whole syllable in some reading of `letters` where what follows
        is itself whole syllables ending in a possibly unfinished one. Longest first."""
        n = len(letters)
        # ok[i]: letters[i:] splits into syllables, the last one possibly unfinished
        ok = [False] * (n + 1)
        ok[n] = True
        for i in range(n - 1, -1, -1):
            for j in range(i + 1, min(n, i + 6) + 1):
                piece = letters[i:j]
                if (piece in self.syllables and ok[j]) or (j == n and piece in self._prefixes):
                    ok[i] = True
                    break
        reach = [False] * (n + 1)        # reach[i]: letters[:i] is whole syllables
        reach[0] = True
        for i in range(n):
            if reach[i]:
                for j in range(i + 1, min(n, i + 6) + 1):
                    if letters[i:j] in self.syllables:
                        reach[j] = True
        whole = [i for i in range(n, 0, -1) if reach[i] and ok[i]]
        # a typo further on must not hide what the first syllables already spell
        return whole + [i for i in range(n, 0, -1) if reach[i] and not ok[i]]

    # -- candidates -------------------------------------------------------------------------
    def candidates(self, typed: str, limit: int = 24) -> list[PinyinCandidate]:
        """Ranked candidates for letters typed without spaces (an apostrophe may separate)."""
        letters = re.sub(r"[^a-z]", "", typed.lower().replace("ü", "v"))
        if not letters:
            return []
        db = self._db()
        out: list[PinyinCandidate] = []
        later: list[PinyinCandidate] = []      # readings that cut across a typed apostrophe
        seen: set[str] = set()
        forced = self._apostrophes(typed)

        def take(rows, consumed, exact=True):
            for word, src in rows:
                if word not in seen and len(out) < limit:
                    seen.add(word)
                    cand = PinyinCandidate(word, consumed, src == MUSEUM)
                    if forced and (not exact or not self._fits(letters, consumed, len(word), forced)):
                        later.append(cand)     # xi'an: 西安 before 先
                    else:
                        out.append(cand)

        n = len(letters)
        hi = letters + "{"                   # '{' sorts right after 'z': a prefix range
        # 1. the museum list, whole input or the input still being typed
        take(db.execute("SELECT word, src FROM entry WHERE key = ? AND src = ? ORDER BY freq DESC",
                        (letters, MUSEUM)), n)
        take(db.execute("SELECT word, src FROM entry WHERE key > ? AND key < ? AND src = ?"
                        " ORDER BY freq DESC LIMIT 3", (letters, hi, MUSEUM)), n)
        # 2. everything that reads exactly as typed
        take(db.execute("SELECT word, src FROM entry WHERE key = ? ORDER BY src, freq DESC LIMIT ?",
                        (letters, 40 if forced else 12)), n)
        # 3. words whose reading goes on from here (the last syllable is being typed)
        take(db.execute("SELECT word, src FROM entry WHERE key > ? AND key < ?"
                        " ORDER BY freq DESC LIMIT 4", (letters, hi)), n, exact=False)
        # 4. initials, one letter a syllable (jxry -> 吉祥如意): the museum's phrases first,
        # also those whose initials go on from here (jxr -> 吉祥如意), then the dictionary's
        if n >= 2:
            take(db.execute("SELECT word, src FROM abbr WHERE key = ? AND src = ?"
                            " ORDER BY freq DESC", (letters, MUSEUM)), n, exact=False)
            take(db.execute("SELECT word, src FROM abbr WHERE key > ? AND key < ? AND src = ?"
                            " ORDER BY freq DESC LIMIT 3", (letters, hi, MUSEUM)), n, exact=False)
            take(db.execute("SELECT word, src FROM abbr WHERE key = ? AND src = ?"
                            " ORDER BY freq DESC LIMIT ?", (letters, DICT, ABBR_PER_KEY)), n,
                 exact=False)
        # 5. the leading syllables alone, longest first: pick them and keep typing the rest
        for b in self.boundaries(letters):
            if b == n:
                continue
            take(db.execute("SELECT word, src FROM entry WHERE key = ? ORDER BY src, freq DESC"
                            " LIMIT 10", (letters[:b],)), b)
        return (out + later)[:limit]

    @staticmethod
    def _apostrophes(typed: str) -> frozenset[int]:
        """Letter positions where the visitor typed an apostrophe (a syllable must end there)."""
        out, n = set(), 0
        for ch in typed.lower():
            if "a" <= ch <= "z" or ch == "ü":
                n += 1
            elif ch == "'" and n:
                out.add(n)
        return frozenset(out)

    def _fits(self, letters: str, end: int, count: int, forced: frozenset[int]) -> bool:
        """letters[:end] splits into `count` syllables with a boundary at every apostrophe."""
        cuts = [p for p in forced if 0 < p < end]
        states = {(0, 0)}
        for _ in range(count):
            nxt = set()
            for pos, k in states:
                for j in range(pos + 1, min(end, pos + 6) + 1):
                    if letters[pos:j] in self.syllables and not any(pos < c < j for c in cuts):
                        nxt.add((j, k + 1))
            states = nxt
        return (end, count) in states
