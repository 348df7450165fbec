"""Staff statistics over a date range (the museum's local days): jobs per day and per hour, by
motif and by product, how the text was obtained, the wait from the Generate tap to the print,
and rejects by reason. Plain data for kiosk/stats.py (which only draws) and a CSV export.

Text path of a job: the "worst" of its lines' TextCheck.path: "model" (read back exactly on
the first try), "repaired" (the model's edit mode fixed it), "typeset" (our own typesetting
as the last resort); "unchecked" when the job has no read-back (not generated yet).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, fields

from sqlalchemy import select

from jobs.records import TextCheck
from jobs.store import PRINTED, REJECTED, Job, Store

TEXT_PATHS = ("model", "repaired", "typeset", "unchecked")
_RANK = {p: i for i, p in enumerate(TEXT_PATHS[:-1])}


@dataclass(frozen=True)
class JobRow:
    """One job as the statistics see it (a row of the CSV export)."""
    id: int
    ticket: str
    created: dt.datetime          # local time
    day: dt.date
    hour: int
    motif: str
    product: str
    state: str
    text_path: str
    wait_s: float | None          # Generate tap -> first print; None: not printed
    reject_reason: str


@dataclass(frozen=True)
class Count:
    key: str
    n: int


@dataclass(frozen=True)
class Stats:
    start: dt.date
    end: dt.date
    rows: list[JobRow]
    per_day: list[Count]          # every day of the range, zeros included
    per_hour: list[Count]         # "00" .. "23"
    by_motif: list[Count]         # most first
    by_product: list[Count]
    by_text_path: list[Count]     # in TEXT_PATHS order
    rejects: list[Count]          # by reason, most first
    waits_s: list[float]
    wait_median_s: float | None
    wait_p90_s: float | None

    @property
    def total(self) -> int:
        return len(self.rows)

    def n(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)


def line_path(stored: dict | TextCheck) -> str:
    """How one line's text was obtained. Works before and after TextCheck gains `path`: the
    record's field when it has one, else the stored value, else "model"."""
    if isinstance(stored, TextCheck):
        return getattr(stored, "path", "model") or "model"
    return (getattr(TextCheck.model_validate(stored), "path", None)
            or stored.get("path") or "model")


def text_path(checks: list) -> str:
    """The job's path: the worst of its lines."""
    if not checks:
        return "unchecked"
    return max((line_path(c) for c in checks), key=lambda p: _RANK.get(p, 0))


def percentile(values: list[float], p: float) -> float | None:
    """Linear-interpolated percentile (p in 0..100); None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def _local(t: dt.datetime, tz) -> dt.datetime:
    return t.astimezone(tz)


def _counts(counter: Counter, order: list[str] | None = None) -> list[Count]:
    if order is not None:
        return [Count(k, counter.get(k, 0)) for k in order]
    return [Count(k, n) for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))]


def collect(store: Store, start: dt.date, end: dt.date, *, tz=None) -> Stats:
    """Statistics of the jobs created from `start` to `end` (both included, local days)."""
    if end < start:
        start, end = end, start
    tz = tz or dt.datetime.now().astimezone().tzinfo
    lo = dt.datetime.combine(start, dt.time(), tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz)
    with store.session_scope(write=False) as s:
        q = (select(Job.id, Job.ticket, Job.created_at, Job.design, Job.state, Job.ocr,
                    Job.printed_at, Job.reject_reason)
             .where(Job.created_at >= lo.astimezone(dt.timezone.utc),
                    Job.created_at < hi.astimezone(dt.timezone.utc))
             .order_by(Job.created_at, Job.id))
        raw = s.execute(q).all()
    rows = []
    for r in raw:
        created = _local(r.created_at, tz)
        design = r.design or {}
        wait = ((r.printed_at - r.created_at).total_seconds()
                if r.printed_at is not None and r.state == PRINTED else None)
        rows.append(JobRow(id=r.id, ticket=r.ticket, created=created, day=created.date(),
                           hour=created.hour, motif=str(design.get("motif", "?")),
                           product=str(design.get("product", "?")), state=r.state,
                           text_path=text_path(r.ocr or []), wait_s=wait,
                           reject_reason=(r.reject_reason or "").strip()
                           if r.state == REJECTED else ""))
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    waits = [r.wait_s for r in rows if r.wait_s is not None]
    return Stats(
        start=start, end=end, rows=rows,
        per_day=_counts(Counter(r.day.isoformat() for r in rows), days),
        per_hour=_counts(Counter(f"{r.hour:02d}" for r in rows), [f"{h:02d}" for h in range(24)]),
        by_motif=_counts(Counter(r.motif for r in rows)),
        by_product=_counts(Counter(r.product for r in rows)),
        by_text_path=_counts(Counter(r.text_path for r in rows), list(TEXT_PATHS)),
        rejects=_counts(Counter(r.reject_reason for r in rows if r.state == REJECTED)),
        waits_s=waits,
        wait_median_s=statistics.median(waits) if waits else None,
        wait_p90_s=percentile(waits, 90))


def to_csv(stats: Stats) -> str:
    """One line per job (the rows behind every chart), for a spreadsheet."""
    buf = io.StringIO()
    names = [f.name for f in fields(JobRow)]
    w = csv.DictWriter(buf, fieldnames=names, lineterminator="\n")
    w.writeheader()
    for r in stats.rows:
        d = asdict(r)
        d["created"] = r.created.isoformat(timespec="seconds")
        d["day"] = r.day.isoformat()
        d["wait_s"] = "" if r.wait_s is None else f"{r.wait_s:.1f}"
        w.writerow(d)
    return buf.getvalue()
