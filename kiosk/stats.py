"""Staff statistics page (/stats): charts over a date range and a CSV export.

Only draws: the figures come from jobs/stats.py. Staff log in on the staff page (the same
session, so the same login); a visitor who types /stats sees a pointer to the login.
Session keys are prefixed `t_`.
"""
from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from jobs import stats as jstats
from kiosk.resources import get_store

PATH_LABELS = {"model": "exact on first try", "repaired": "repaired (edit mode)",
               "typeset": "typeset over the art", "unchecked": "not checked yet"}


def L(zh: str, en: str) -> str:
    return f"{zh} · {en}"


def _frame(counts, key: str) -> pd.DataFrame:
    return pd.DataFrame({key: [c.key for c in counts], "jobs": [c.n for c in counts]})


def _bars(df: pd.DataFrame, x: str, *, title: str, horizontal: bool = False, sort=None,
          x_type: str = "N") -> alt.Chart:
    if horizontal:
        enc = {"y": alt.Y(f"{x}:N", sort=sort or "-x", title=None),
               "x": alt.X("jobs:Q", title="jobs")}
    else:
        enc = {"x": alt.X(f"{x}:{x_type}", sort=sort, title=None),
               "y": alt.Y("jobs:Q", title="jobs")}
    return (alt.Chart(df, title=title).mark_bar(color="#b5542c")
            .encode(**enc, tooltip=[x, "jobs"]).properties(height=260))


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def _login_needed() -> None:
    st.title(L("统计", "Statistics"))
    st.warning(L("请先在员工页面登录", "Log in on the staff page first"))
    _link("kiosk/staff.py", "→ " + L("员工页面", "Staff page"), "/staff")


def _link(page: str, label: str, url: str) -> None:
    """A page link keeps the session (and the login); run alone (a test) there is no
    navigation to link into, so it falls back to a plain link."""
    try:
        st.page_link(page, label=label)
    except Exception:  # StreamlitAPIException / KeyError outside st.navigation
        st.markdown(f"[{label}]({url})")


def page() -> None:
    ss = st.session_state
    if not ss.get("s_actor"):
        _login_needed()
        return
    top, right = st.columns([4, 1.4])
    top.title(L("统计", "Statistics"))
    with right:
        _link("kiosk/staff.py", "← " + L("印刷队列", "Print queue"), "/staff")
    today = dt.date.today()
    picked = st.date_input(L("日期范围", "Date range"), value=(today - dt.timedelta(days=29), today),
                           max_value=today, key="t_range")
    if not isinstance(picked, (tuple, list)) or len(picked) != 2:
        st.info(L("请选择结束日期", "Pick the end date too"))
        return
    start, end = picked
    s = jstats.collect(get_store(), start, end)

    m = st.columns(5)
    m[0].metric(L("任务", "Jobs"), s.total)
    m[1].metric(L("已打印", "Printed"), s.n("printed"))
    m[2].metric(L("已拒绝", "Rejected"), s.n("rejected"))
    m[3].metric(L("等待（中位）", "Wait, median"), _minutes(s.wait_median_s))
    m[4].metric(L("等待（90%）", "Wait, 90 %"), _minutes(s.wait_p90_s))
    st.download_button(L("导出 CSV", "Export CSV"), jstats.to_csv(s).encode("utf-8-sig"),
                       file_name=f"kiosk-jobs-{start}-{end}.csv", mime="text/csv",
                       key="t_csv")
    if not s.total:
        st.info(L("这段时间没有任务", "No jobs in this date range"))
        return

    a, b = st.columns(2)
    a.altair_chart(_bars(_frame(s.per_day, "day"), "day", title="Jobs per day", x_type="O"),
                   width="stretch")
    b.altair_chart(_bars(_frame(s.per_hour, "hour"), "hour", title="Jobs per hour of the day",
                         x_type="O"), width="stretch")
    a, b = st.columns(2)
    a.altair_chart(_bars(_frame(s.by_motif, "motif"), "motif", title="By motif", horizontal=True),
                   width="stretch")
    b.altair_chart(_bars(_frame(s.by_product, "product"), "product", title="By product",
                         horizontal=True), width="stretch")
    a, b = st.columns(2)
    paths = _frame(s.by_text_path, "text")
    paths["text"] = paths["text"].map(PATH_LABELS)
    a.altair_chart(_bars(paths, "text", title="How the text was obtained", horizontal=True,
                         sort=list(PATH_LABELS.values())), width="stretch")
    if s.waits_s:
        waits = pd.DataFrame({"minutes": [w / 60 for w in s.waits_s]})
        marks = pd.DataFrame({"minutes": [s.wait_median_s / 60, s.wait_p90_s / 60],
                              "mark": ["median", "90 %"]})
        hist = (alt.Chart(waits, title="Wait from Generate to print").mark_bar(color="#b5542c")
                .encode(x=alt.X("minutes:Q", bin=alt.Bin(maxbins=30), title="minutes"),
                        y=alt.Y("count():Q", title="jobs")))
        rules = (alt.Chart(marks).mark_rule(color="#1f4e79", strokeWidth=2)
                 .encode(x="minutes:Q", tooltip=["mark", alt.Tooltip("minutes:Q", format=".1f")]))
        b.altair_chart((hist + rules).properties(height=260), width="stretch")
    else:
        b.info(L("这段时间没有打印", "Nothing printed in this date range"))
    if s.rejects:
        st.altair_chart(_bars(_frame(s.rejects, "reason"), "reason", title="Rejects by reason",
                              horizontal=True), width="stretch")


page()
