"""Text input on the kiosk: handwriting (PP-OCR recognizer alone) and pinyin candidates.

Handwriting figures are on SYNTHETIC finger strokes (a brush font thinned, redrawn with a thick
round brush, warped and jittered): an upper bound for real visitors' writing, whose stroke
shapes, proportions and sloppiness a font cannot imitate.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench import median_time


def _handwriting(report) -> None:
    from textinput.handwriting import Recognizer
    from textinput.synth import COMMON_CHARS, draw_handwriting, unique_chars

    t0 = time.perf_counter()
    rec = Recognizer()
    report("textinput: recognizer load", time.perf_counter() - t0, "s")
    chars = unique_chars(COMMON_CHARS)
    top1 = top5 = 0
    times = []
    for i, ch in enumerate(chars):
        img = draw_handwriting(ch, seed=i)
        t = time.perf_counter()
        cands = [c.text for c in rec.recognize(img, k=8)]
        times.append(time.perf_counter() - t)
        top1 += cands[:1] == [ch]
        top5 += ch in cands[:5]
    n = len(chars)
    report(f"textinput: handwriting top-1, {n} synthetic chars (upper bound)", 100 * top1 / n, "%")
    report(f"textinput: handwriting top-5, {n} synthetic chars (upper bound)", 100 * top5 / n, "%",
           target=">= 95 %")
    report("textinput: handwriting latency per character (median)",
           1000 * statistics.median(times), "ms")
    # a sloppier set: three times the warp, rotation and shear
    top1 = top5 = 0
    for i, ch in enumerate(chars):
        cands = [c.text for c in rec.recognize(draw_handwriting(ch, seed=i, distort=3.0), k=8)]
        top1 += cands[:1] == [ch]
        top5 += ch in cands[:5]
    report(f"textinput: handwriting top-1, {n} sloppy synthetic chars", 100 * top1 / n, "%")
    report(f"textinput: handwriting top-5, {n} sloppy synthetic chars", 100 * top5 / n, "%")
    rows = ["天路", "金沙", "吉祥", "平安", "福寿", "如意", "神树", "太阳", "长乐", "安康"]
    ok = 0
    row_times = []
    for i, text in enumerate(rows):
        img = draw_handwriting(text, seed=100 + i, canvas=(600, 300))
        t = time.perf_counter()
        got = rec.recognize(img, k=8)
        row_times.append(time.perf_counter() - t)
        ok += bool(got) and got[0].text == text
    report(f"textinput: handwriting 2-char rows top-1 ({len(rows)} rows)", 100 * ok / len(rows), "%")
    report("textinput: handwriting latency per 2-char row (median)",
           1000 * statistics.median(row_times), "ms")


def _pinyin(report) -> None:
    from textinput.pinyin import PinyinIndex, build_index
    from textinput.synth import AUSPICIOUS_PINYIN

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = build_index(Path(tmp) / "full.sqlite")
        report("textinput: pinyin index build (first start)", time.perf_counter() - t0, "s")
        report("textinput: pinyin index size", path.stat().st_size / 1e6, "MB")
        empty = Path(tmp) / "empty.txt"
        empty.write_text("", encoding="utf-8")
        bare = build_index(Path(tmp) / "bare.sqlite", museum_file=empty)
        for label, p in (("with museum list", path), ("jieba+pypinyin only", bare)):
            index = PinyinIndex(p, build=False)
            ranks = []
            for zh, typed in AUSPICIOUS_PINYIN:
                texts = [c.text for c in index.candidates(typed)]
                ranks.append(texts.index(zh) if zh in texts else 99)
            n = len(ranks)
            report(f"textinput: pinyin top-1, {n} phrases, {label}",
                   100 * sum(r == 0 for r in ranks) / n, "%")
            report(f"textinput: pinyin top-5, {n} phrases, {label}",
                   100 * sum(r < 5 for r in ranks) / n, "%",
                   target=">= 95 %" if label == "with museum list" else None)
        index = PinyinIndex(path, build=False)
        queries = [typed for _, typed in AUSPICIOUS_PINYIN] + ["a", "xian", "zhongguoren", "tianl"]
        per = median_time(lambda: [index.candidates(q) for q in queries], runs=5) / len(queries)
        report("textinput: pinyin candidates per keystroke (median)", 1000 * per, "ms")
        initials = ["tl", "jxry", "jxr", "fsak", "zg", "sh", "js", "hh"]
        per = median_time(lambda: [index.candidates(q) for q in initials], runs=5) / len(initials)
        report("textinput: pinyin candidates per keystroke, initials (median)", 1000 * per, "ms")


def run(report, gpu: bool = False) -> None:
    if gpu:
        return  # CPU only: nothing here uses a GPU
    _handwriting(report)
    _pinyin(report)
