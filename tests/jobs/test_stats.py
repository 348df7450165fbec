"""jobs/stats.py: the figures behind the staff statistics page, on a real store with rows
placed at known times."""
from __future__ import annotations

import csv
import datetime as dt
import io

from jobs import stats
from jobs import store as q
from jobs.records import TextCheck

TZ = dt.timezone(dt.timedelta(hours=8))      # the museum's local time in these tests
DAY = dt.date(2026, 5, 1)


def _job(store, *, day_offset=0, hour=10, motif="sunbird", product="postcard", state=q.READY,
         wait_s=None, ocr=None, reason=None):
    job = store.submit({"motif": motif, "product": product, "lines": []}, source="cli")
    created = dt.datetime.combine(DAY + dt.timedelta(days=day_offset), dt.time(hour, 15), TZ)
    with store.session_scope() as s:
        row = s.get(q.Job, job.id)
        row.created_at = created.astimezone(dt.timezone.utc)
        row.state = state
        row.ocr = ocr
        row.reject_reason = reason
        if wait_s is not None:
            row.printed_at = (created + dt.timedelta(seconds=wait_s)).astimezone(dt.timezone.utc)
    return job


def _ocr(*paths):
    # dicts as stored; "path" arrives with another change: rows without it read as "model"
    return [({"expected": "天", "read": "天", "exact": True} | ({"path": p} if p else {}))
            for p in paths]


def test_counts_waits_paths_and_rejects(sqlite_store):
    s = sqlite_store
    _job(s, hour=9, state=q.PRINTED, wait_s=600, ocr=_ocr(None))
    _job(s, hour=9, state=q.PRINTED, wait_s=1200, ocr=_ocr("model", "repaired"))
    _job(s, hour=14, motif="mask", product="bookmark", state=q.PRINTED, wait_s=3000,
         ocr=_ocr("typeset", "model"))
    _job(s, day_offset=2, hour=16, motif="mask", state=q.REJECTED, reason="blurred ", ocr=_ocr("model"))
    _job(s, day_offset=2, hour=16, state=q.REJECTED, reason="blurred")
    _job(s, day_offset=2, hour=17, state=q.REJECTED, reason="wrong text")
    _job(s, day_offset=5)                                 # outside the range
    st = stats.collect(s, DAY, DAY + dt.timedelta(days=2), tz=TZ)
    assert st.total == 6 and st.n(q.PRINTED) == 3
    assert [(c.key, c.n) for c in st.per_day] == [("2026-05-01", 3), ("2026-05-02", 0),
                                                  ("2026-05-03", 3)]
    hours = {c.key: c.n for c in st.per_hour}
    assert len(st.per_hour) == 24 and hours["09"] == 2 and hours["16"] == 2 and hours["14"] == 1
    assert [(c.key, c.n) for c in st.by_motif] == [("sunbird", 4), ("mask", 2)]
    assert [(c.key, c.n) for c in st.by_product] == [("postcard", 5), ("bookmark", 1)]
    assert [(c.key, c.n) for c in st.by_text_path] == [("model", 2), ("repaired", 1),
                                                       ("typeset", 1), ("unchecked", 2)]
    assert [(c.key, c.n) for c in st.rejects] == [("blurred", 2), ("wrong text", 1)]
    assert sorted(st.waits_s) == [600, 1200, 3000]
    assert st.wait_median_s == 1200 and st.wait_p90_s == 2640
    rows = list(csv.DictReader(io.StringIO(stats.to_csv(st))))
    assert len(rows) == 6 and rows[0]["wait_s"] == "600.0" and rows[0]["text_path"] == "model"
    assert rows[0]["created"].startswith("2026-05-01T09:15:00")


def test_empty_range_and_reversed_dates(sqlite_store):
    st = stats.collect(sqlite_store, DAY + dt.timedelta(days=1), DAY, tz=TZ)
    assert st.total == 0 and st.wait_median_s is None and st.wait_p90_s is None
    assert [c.n for c in st.per_day] == [0, 0]
    assert stats.to_csv(st).splitlines()[0].startswith("id,ticket,created")


def test_text_path_reads_old_and_new_records():
    old = TextCheck(expected="天", read="天", exact=True)
    assert stats.text_path([old]) == "model"
    assert stats.text_path([]) == "unchecked"
    assert stats.percentile([1, 2, 3, 4], 50) == 2.5
