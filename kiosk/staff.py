"""Staff page (/staff): login, the queue with previews and OCR badges, review and print.

Thin over plain functions: jobs/staff_auth.py (login, lockout), jobs/store.py (queue, audit),
jobs/staff.py (approve with the check rule, print). A job whose checks failed shows why, and is
approved only with an override reason. Every piece of visitor or staff text is shown with
st.text / st.code / escaped markdown, never as raw HTML.
Session keys are prefixed `s_`.
"""
from __future__ import annotations

import json
import re
import time

import streamlit as st

from base.errors import KioskError
from base.settings import settings
from jobs import files, staff, staff_auth
from jobs.records import TextCheck
from jobs.store import APPROVED, FAILED, PRINTED, READY, STATES, ApprovalBlocked, JobInfo, QueueError
from kiosk.resources import get_store
from kiosk.staff_words import filter_words, state_words
from kiosk.theme import apply_staff_theme
from print.output import HOT_FOLDER, PRINTER

DEFAULT_FILTER = [READY, APPROVED, FAILED]
# one tap rejects with a reason staff give most often (any other reason: type it)
QUICK_REASONS = (("文字不清", "text unreadable"), ("内容不当", "inappropriate text"),
                 ("图案有误", "art is wrong"))
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:&])")


def L(zh: str, en: str) -> str:
    """Staff labels show both languages (shop staff and museum IT share the page)."""
    return f"{zh} · {en}"


def md(text: str) -> str:
    """Escape user text for st.markdown (no links, images, HTML or formatting get through)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _age(job: JobInfo) -> str:
    s = job.age_seconds()
    return f"{s:.0f} s" if s < 90 else f"{s / 60:.0f} min" if s < 5400 else f"{s / 3600:.1f} h"


def _ocr_badge(job: JobInfo) -> str:
    """A markdown badge (our own text only; kiosk fonts have no emoji)."""
    if job.ocr_ok is None:
        return ":gray-badge[OCR –]"
    if job.ocr_ok:
        return ":green-badge[OCR ok]"
    bad = sum(1 for c in job.ocr if not c.passes)
    return f":orange-badge[OCR {bad}/{len(job.ocr)} ✗]"


def _edited_badge(job: JobInfo) -> str:
    """' · badge' when the visitor changed the words of the chosen picture (jobs/edit.py)."""
    if job.chosen is None or job.chosen >= len(job.candidates) or not job.candidates[job.chosen].edited:
        return ""
    return " · :orange-badge[访客改过文字 · edited by the visitor]"


PATH_BADGE = {"model": ":green-badge[{zh} · model]", "repaired": ":blue-badge[{zh} · repaired ×{n}]",
              "typeset": ":violet-badge[{zh} · typeset]"}
PATH_ZH = {"model": "模型", "repaired": "已修复", "typeset": "排字"}


def path_badge(check: TextCheck) -> str:
    """How a line's text was obtained (generator/repair.py): the model drew it, its edit mode
    redrew it after `tries` tries, or we typeset it over the art."""
    badge = PATH_BADGE.get(check.path, PATH_BADGE["model"]).format(zh=PATH_ZH.get(check.path, ""),
                                                                    n=check.tries)
    if check.path == "typeset" and check.tries:
        badge += f" :gray-badge[{check.tries} {L('次编辑', 'edit tries')}]"
    return badge


def _ocr_rows(checks: list[TextCheck]) -> list[dict]:
    return [{"path": c.path, "tries": c.tries, "expected": c.expected, "read": c.read,
             "exact": c.exact, "unverifiable": c.unverifiable, "ned": c.ned,
             "confidence": c.confidence} for c in checks]


def _texts(job: JobInfo) -> str:
    return " / ".join(ln.get("text", "") for ln in job.design.get("lines", []))


def _line_styles(job: JobInfo) -> list[str]:
    """One plain-text row per line: its text, font and colour (as the Design asked)."""
    return [f"{i + 1}. {ln.get('text', '')} · {ln.get('font', '-')} · {ln.get('color', '-')}"
            for i, ln in enumerate(job.design.get("lines", []))]


def colour_not_guaranteed(job: JobInfo) -> bool:
    """AnyText v1 only names a line's colour in its prompt: the art may not follow it."""
    return (job.backend or job.design.get("backend")) == "anytext"


def _thumb(job: JobInfo) -> str | None:
    rel = job.art_path or (job.candidates[0].path if job.candidates else None)
    return str(files.resolve(rel)) if rel and files.exists(rel) else None


# -- login -----------------------------------------------------------------------------------
def _login(store) -> None:
    st.title(L("员工登录", "Staff login"))
    with st.form("s_login_form"):
        name = st.text_input(L("姓名", "Your name"), key="s_login_name")
        password = st.text_input(L("密码", "Password"), type="password", key="s_login_password")
        submitted = st.form_submit_button(L("登录", "Log in"))
    if submitted:
        result = staff_auth.login(store, name, password)
        if result.ok:
            st.session_state["s_actor"] = result.actor
            st.rerun()
        st.session_state["s_login_error"] = f"{result.zh} {result.en}"
    if st.session_state.get("s_login_error"):
        st.error(st.session_state["s_login_error"])


# -- actions (on_click callbacks: they run before the page redraws) -----------------------------
def _flash(kind: str, text: str) -> None:
    st.session_state.setdefault("s_flash", []).append((kind, text))


def _next_ready(store, after: int) -> int | None:
    """The next job waiting for review (oldest first), for "... and next"."""
    ready = [j.id for j in store.list_jobs([READY], limit=200) if j.id != after]
    later = [i for i in ready if i > after]
    return (later or ready or [None])[0]


def _approve_next(job_id: int) -> None:
    _approve([job_id])
    st.session_state["s_open"] = _next_ready(get_store(), job_id)


def _reject_next(job_id: int, reason: str | None = None) -> None:
    if reason is not None:
        st.session_state[f"s_reason_{job_id}"] = reason
    _reject(job_id)
    st.session_state["s_open"] = _next_ready(get_store(), job_id)


def _select_all(ids: list[int]) -> None:
    for job_id in ids:
        st.session_state[f"s_sel_{job_id}"] = True


def _approve(ids: list[int], override_key: str | None = None) -> None:
    store, actor = get_store(), st.session_state["s_actor"]
    override = st.session_state.get(override_key, "") if override_key else None
    for job_id in ids:
        try:
            job, err = staff.approve_and_print(store, job_id, actor=actor, override=override)
        except ApprovalBlocked as exc:
            _flash("error", f"{exc.zh} {exc.en}")
            continue
        except QueueError as exc:
            _flash("error", f"{exc.zh} {exc.en}")
            continue
        if err:
            _flash("error", f"{job.ticket}: 已批准，未打印 · approved, not printed: {err}")
        elif staff.current_output() == PRINTER:
            _flash("success", f"{job.ticket}: 已打印 · printed, sent to {staff.output_destination()}")
        else:
            _flash("success", f"{job.ticket}: 已送热文件夹 · sent to {staff.output_destination()}")
    for job_id in ids:
        st.session_state.pop(f"s_sel_{job_id}", None)


def _reject(job_id: int) -> None:
    reason = st.session_state.get(f"s_reason_{job_id}", "")
    try:
        job = get_store().reject(job_id, actor=st.session_state["s_actor"], reason=reason)
        _flash("success", f"{job.ticket}: 已拒绝 · rejected")
    except QueueError as exc:
        _flash("error", f"{exc.zh} {exc.en}")


def _reprint(job_id: int) -> None:
    try:
        job, err = staff.reprint(get_store(), job_id, actor=st.session_state["s_actor"])
    except KioskError as exc:  # PrinterError / QueueError
        _flash("error", f"{exc.zh} {exc.en}")
        return
    again = L("已重印", "reprinted") if staff.current_output() == PRINTER \
        else L("已再次送热文件夹", "sent to the hot folder again")
    _flash("error" if err else "success",
           f"{job.ticket}: " + (f"未打印 · not printed: {err}" if err else again))


def _retry(job_id: int) -> None:
    try:
        job = get_store().retry(job_id, actor=st.session_state["s_actor"])
        _flash("success", f"{job.ticket}: 已重新排队 · back in the queue")
    except QueueError as exc:
        _flash("error", f"{exc.zh} {exc.en}")


def _toggle_motif(motif_id: str, enabled: bool) -> None:
    try:
        staff.set_motif_enabled(get_store(), motif_id, enabled, actor=st.session_state["s_actor"])
        _flash("success", f"{motif_id}: " + (L("已在展厅中启用", "now offered in the gallery") if enabled
                                             else L("已从展厅中撤下", "taken out of the gallery")))
    except KioskError as exc:
        _flash("error", f"{exc.zh} {exc.en}")


def _trained_motifs() -> None:
    """Motifs taught from photos: samples to judge, then enable or disable for the gallery."""
    from weights.state import weights_dir

    try:
        records = staff.trained_motifs()
    except KioskError as exc:
        st.error(md(f"{exc.zh} {exc.en}"))
        return
    if not records:
        st.caption(L("还没有训练过的纹样（python -m weights train-motif）",
                     "No trained motifs yet (python -m weights train-motif)"))
        return
    if not staff.diffusion_active():
        st.info(L("当前使用程序化生成：只有照片的纹样即使启用也不会出现在展厅中",
                  "The procedural backend is active: photo-only motifs stay out of the gallery "
                  "even when enabled, until AnyText runs"))
    folder = weights_dir()
    for rec in records:
        with st.container(border=True):
            badge = ":green-badge[enabled]" if rec.enabled else ":gray-badge[not enabled]"
            st.markdown(f"**{md(rec.name_zh)} · {md(rec.name_en)}** · `{md(rec.id)}` · {badge}")
            st.caption(f"{rec.method} · {rec.steps} steps · {rec.photos} photos · token {md(rec.token)}"
                       f" · {md(rec.trained_at)}")
            pics = [folder / p for p in rec.samples + ([rec.photo] if rec.photo else [])]
            pics = [p for p in pics if p.is_file()]
            if pics:
                st.image([str(p) for p in pics], width=160,
                         caption=[L("样图", "sample")] * (len(pics) - bool(rec.photo))
                         + ([L("训练照片", "training photo")] if rec.photo else []))
            if rec.enabled:
                st.button(L("撤下", "Disable"), key=f"s_motif_off_{rec.id}",
                          on_click=_toggle_motif, args=(rec.id, False))
            else:
                seen = st.checkbox(L("我已看过样图，形状和颜色都对", "I looked at the samples: shape "
                                     "and colours are right"), key=f"s_motif_seen_{rec.id}")
                st.button(L("在展厅中启用", "Enable in the gallery"), key=f"s_motif_on_{rec.id}",
                          type="primary", disabled=not seen, on_click=_toggle_motif, args=(rec.id, True))


def _logout() -> None:
    get_store().audit(st.session_state["s_actor"], "logout")
    for key in [k for k in st.session_state.keys() if str(k).startswith("s_")]:
        del st.session_state[key]


def _open(job_id: int | None) -> None:
    st.session_state["s_open"] = job_id


# -- the queue -------------------------------------------------------------------------------
@st.fragment(run_every=settings().staff_refresh_seconds)
def _queue_live() -> None:
    """The queue redraws itself every few seconds, so new jobs appear without a click."""
    ss = st.session_state
    idle = time.monotonic() - ss.get("s_seen", time.monotonic()) > settings().staff_session_seconds
    if ss.get("s_open") or ss.get("s_flash") or not ss.get("s_actor") or idle:
        st.rerun()  # a job opened, a message, a logout or the idle logout: redraw the page
    _queue(get_store())


def _queue(store) -> None:
    counts = store.counts()
    st.caption("  ·  ".join(f"{filter_words(s)}: {counts.get(s, 0)}" for s in STATES
                            if counts.get(s)) or "—")
    t, f, r = st.columns([1.6, 4, 1.4], vertical_alignment="bottom")
    # the ticket a visitor shows at the counter: that job, whatever its state
    typed = t.text_input(L("取件号", "Ticket"), key="s_search", placeholder="A-012").strip()
    states = f.multiselect(L("状态", "States"), STATES, default=DEFAULT_FILTER, key="s_filter",
                           format_func=filter_words)
    r.button(L("刷新", "Refresh"), key="s_refresh")  # any click reruns the page with fresh rows
    if typed:
        jobs = store.list_jobs(None, ticket=typed, newest_first=True, limit=50)
        st.caption(L(f"取件号含“{md(typed)}”的任务（所有状态）",
                     f"Jobs with ticket {md(typed)}, every state"))
    else:
        jobs = store.list_jobs(states or None, limit=200)
    shown = staff.shown_states(store, jobs)
    # a job whose checks failed is approved one at a time, from its page, with a reason
    selectable = [j.id for j in jobs if j.state in (READY, APPROVED)
                  and (j.state == APPROVED or not j.approval_blocks())]
    picked = [i for i in selectable if st.session_state.get(f"s_sel_{i}")]
    # jobs the checks blocked are never in "all ready": they need a reason, one by one
    ready_ok = [j.id for j in jobs if j.state == READY and j.id in selectable]
    with st.container(horizontal=True):   # buttons as wide as their labels: never cut off
        st.button(L(f"全选待审（{len(ready_ok)}）", f"Select all ready ({len(ready_ok)})"),
                  key="s_select_all", disabled=not ready_ok, on_click=_select_all, args=(ready_ok,))
        st.button(L(f"批准所选（{len(picked)}）", f"Approve selected ({len(picked)})"),
                  key="s_bulk_approve", disabled=not picked, on_click=_approve, args=(picked,),
                  type="primary")
    if not jobs:
        st.info(L("没有这个取件号", "No job with this ticket") if typed else L("没有任务", "No jobs"))
    for job in jobs:
        with st.container(border=True):
            c0, c1, c2, c3 = st.columns([0.4, 1.3, 4, 1.7])
            if job.id in selectable:
                c0.checkbox(L("选", "Select"), key=f"s_sel_{job.id}", label_visibility="collapsed")
            thumb = _thumb(job)
            if thumb:
                c1.image(thumb, width=120)
            c2.markdown(f"**{md(job.ticket)}** · :blue-badge[{md(state_words(shown[job.id]))}] · "
                        f"{md(job.backend or '-')} · "
                        f"{_ocr_badge(job)}{_edited_badge(job)} · {_age(job)}")
            c2.text(_texts(job))
            if job.print_error:
                c2.error(f"打印失败 · print failed: {md(job.print_error)}")
            if job.state == READY and job.approval_blocks():
                c2.warning(L("未通过检查，须填写原因才能批准", "Blocked by the checks: open it "
                             "to approve with a reason") + ": " + md("; ".join(job.approval_blocks())))
            if job.error:
                c2.warning(md(job.error))
            c3.button(L("打开", "Open"), key=f"s_open_{job.id}", on_click=_open, args=(job.id,))


# -- one job ---------------------------------------------------------------------------------
def _preflight(job: JobInfo) -> None:
    """The summary the worker stored when it built the PDF (jobs/build.py)."""
    report = job.build.preflight if job.build else None
    if report is None:
        st.caption(L("还没有预检报告", "No preflight report yet"))
        return
    issues, errors = report.issues, report.errors
    summary = (f"{report.pages or '?'} pages · {report.mode or '?'} · "
               f"{report.output_intent or '-'} · {len(errors)} error(s), "
               f"{len(issues) - len(errors)} warning(s)")
    (st.error if errors else st.success)(("预检未通过 · Preflight failed: " if errors else
                                           "预检通过 · Preflight OK: ") + md(summary))
    if issues:
        st.dataframe([i.model_dump() for i in issues])


def _detail(store, job_id: int) -> None:
    try:
        job = store.get(job_id)
    except QueueError as exc:
        st.error(md(f"{exc.zh} {exc.en}"))
        return
    st.button("← " + L("返回队列", "Back to the queue"), key="s_back", on_click=_open, args=(None,))
    shown = staff.shown_states(store, [job])[job.id]
    st.subheader(f"{job.ticket} · {state_words(shown)}")
    st.text(_texts(job))
    st.text("\n".join(_line_styles(job)))
    if colour_not_guaranteed(job):
        st.warning(L("颜色不保证：AnyText 只在提示词里写出颜色，图中文字可能是别的颜色",
                     "Colour is not guaranteed: AnyText only names the colour in its prompt, "
                     "the text may come out in another colour"))
    cols = st.columns(3)
    art = _thumb(job)
    if art:
        cols[0].image(art, caption=L("图案", "Art"))
    for col, side, label in ((cols[1], "front", L("正面", "Front")), (cols[2], "back", L("背面", "Back"))):
        rel = job.proof_paths.get(side)
        if rel and files.exists(rel):
            col.image(str(files.resolve(rel)), caption=label)
    st.markdown(f"{L('生成方式', 'Backend')}: {md(job.backend or '-')} · {_ocr_badge(job)}"
                f"{_edited_badge(job)} · "
                f"{L('尝试', 'attempts')}: {job.attempts} · {L('输出次数', 'times sent')}: {job.print_count}")
    if job.ocr:
        for c in job.ocr:
            mark = "✓" if c.exact else ("?" if c.unverifiable else "✗")
            st.markdown(f"{path_badge(c)} {md(c.expected)} → {md(c.read or '–')} {mark}")
        st.dataframe(_ocr_rows(job.ocr))
    if len(job.candidates) > 1 or any(not c.offered for c in job.candidates):
        st.caption(L("候选图（访客只看到通过检查的）", "Candidates (the visitor sees only those that read back)"))
        st.dataframe([{"candidate": i, "seed": c.seed, "offered": c.offered, "reads back": c.passes,
                       "edit of": c.parent,
                       "paths": " ".join(f"{t.path}" + (f"×{t.tries}" if t.tries else "")
                                         for t in c.checks)}
                      for i, c in enumerate(job.candidates)])
    if job.reject_reason:
        st.text(f"拒绝原因 · reject reason: {job.reject_reason}")
    if job.error:
        st.warning(md(job.error))
    if job.print_error:
        st.error(f"打印失败 · print failed: {md(job.print_error)}")

    st.markdown("**" + L("预检", "Preflight") + "**")
    _preflight(job)

    if job.approval_override:
        o = job.approval_override
        st.warning(md(f"放行 · overridden by {o.actor}: {o.reason} ({'; '.join(o.blocks)})"))
    blocks = job.approval_blocks() if job.state == READY else []
    # A reason is typed into a form: its button works while the reason is still being typed
    # (a plain text field sends its value only when it loses focus, so a button disabled until
    # then stayed grey under the finger). An empty reason is refused with a message instead.
    if blocks:
        with st.form(f"s_override_form_{job.id}", border=True):
            st.error(L("未通过检查", "Blocked by the checks") + ": " + md("; ".join(blocks)))
            st.text_input(L("仍要打印的原因", "Reason to print it anyway"), key=f"s_override_{job.id}")
            st.form_submit_button(L("仍然批准并打印", "Approve anyway and print"),
                                  key="s_approve_override", on_click=_approve,
                                  args=([job.id], f"s_override_{job.id}"))
    with st.container(horizontal=True):   # buttons as wide as their labels: never cut off
        if job.state in (READY, APPROVED) and not blocks:
            st.button(L("批准并打印", "Approve and print"), key="s_approve_one",
                      on_click=_approve, args=([job.id],))
            st.button(L("批准并看下一个", "Approve, next job"), key="s_approve_next",
                      type="primary", on_click=_approve_next, args=(job.id,))
        if job.state == PRINTED:
            st.button(L("重印", "Reprint") if staff.current_output() == PRINTER
                      else L("再次送热文件夹", "Send to hot folder again"), key="s_reprint",
                      on_click=_reprint, args=(job.id,))
        if job.state == FAILED:
            st.button(L("重试", "Retry"), key="s_retry", on_click=_retry, args=(job.id,))
        if job.pdf_path and files.exists(job.pdf_path):
            st.download_button(L("下载 PDF", "Download PDF"), files.read_bytes(job.pdf_path),
                               file_name=f"{job.ticket}_job{job.id}.pdf", mime="application/pdf",
                               key="s_dl_pdf")
        if job.sheet_path and files.exists(job.sheet_path):
            st.download_button(L("下载拼版", "Download sheet"), files.read_bytes(job.sheet_path),
                               file_name=f"{job.ticket}_job{job.id}_sheet.pdf",
                               mime="application/pdf", key="s_dl_sheet")
    if job.state in (READY, APPROVED):
        with st.form(f"s_reject_form_{job.id}", border=True):
            st.text_input(L("拒绝原因", "Reason for rejecting"), key=f"s_reason_{job.id}")
            st.form_submit_button(L("拒绝", "Reject"), key="s_reject", on_click=_reject,
                                  args=(job.id,))
        with st.container(border=True):
            st.caption(L("一键拒绝并看下一个", "Reject with a common reason, next job"))
            with st.container(horizontal=True):
                for i, (zh, en) in enumerate(QUICK_REASONS):
                    st.button(L(zh, en), key=f"s_reject_quick_{i}", on_click=_reject_next,
                              args=(job.id, en))

    with st.expander(L("设计 JSON", "Design JSON")):
        st.code(json.dumps(job.design, ensure_ascii=False, indent=1), language="json")
    with st.expander(L("记录", "Audit trail"), expanded=True):
        _audit_table(store.audit_log(job_id=job.id, limit=100))


def _action(entry) -> str:
    """An audit action as recorded, except that a PDF only the hot folder took was not printed."""
    if entry.action in ("printed", "reprinted") and staff.took_it(entry.detail) == HOT_FOLDER:
        return "sent to hot folder" + (" again" if entry.action == "reprinted" else "")
    return entry.action


def _audit_table(entries) -> None:
    st.dataframe([{"time": e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), "actor": e.actor,
                   "action": _action(e), "job": e.job_id,
                   "detail": json.dumps(e.detail, ensure_ascii=False)} for e in entries])


def _workers(store) -> None:
    """Who is generating, from the job rows and the audit log (external workers have no
    page of their own): a dead worker shows as a heartbeat older than the lease."""
    lease_seconds = settings().lease_seconds
    stats = store.stats(since_hours=24)
    wait = stats["median_wait_s"]
    st.caption(f"{L('等待中', 'Waiting')}: {stats['waiting_now']} · "
               f"{L('最久', 'oldest')}: {stats['oldest_waiting_s'] or 0:.0f} s · "
               f"{L('开始前等待（中位）', 'median wait to start')}: "
               f"{'-' if wait is None else f'{wait:.1f} s'}")
    if stats["leases"]:
        rows = []
        for lease in stats["leases"]:
            age = lease["heartbeat_age_s"]
            stale = age is None or age > lease_seconds / 2
            rows.append({"job": lease["id"], "ticket": lease["ticket"],
                         "state": state_words(lease["state"]),
                         "worker": lease["owner"], "heartbeat_s": age, "attempt": lease["attempts"],
                         "ok": "no reply" if stale else "ok"})
        st.dataframe(rows)
        if any(r["ok"] != "ok" for r in rows):
            st.warning(L(f"有进程没有回应：其任务将在 {lease_seconds:.0f} 秒后自动重新排队",
                         f"A worker is not answering: its job is requeued automatically once "
                         f"its heartbeat is {lease_seconds:.0f} s old"))
    if stats["per_worker"]:
        st.dataframe([{"worker": w, "generated": d["generated"], "built": d["built"],
                       "failed": d["failed"], "steps/min": d["steps_per_minute"], "last": d["last"]}
                      for w, d in sorted(stats["per_worker"].items())])
    else:
        st.caption(L("过去 24 小时没有进程完成任务", "No worker finished a step in the last 24 h"))


def _stats_link() -> None:
    """Statistics (kiosk/stats.py) in the same session, so the login carries over; run alone
    (AppTest of this file) there is no navigation to link into: a plain link then."""
    try:
        st.page_link("kiosk/stats.py", label=L("统计图表", "Statistics"))
    except Exception:  # StreamlitAPIException outside st.navigation
        st.markdown("[" + L("统计图表", "Statistics") + "](/stats)")


def page() -> None:
    store = get_store()
    ss = st.session_state
    now = time.monotonic()
    if ss.get("s_actor") and now - ss.get("s_seen", now) > settings().staff_session_seconds:
        store.audit(ss["s_actor"], "logout", None, {"reason": "idle"})
        for key in [k for k in ss.keys() if str(k).startswith("s_")]:
            del ss[key]
        ss["s_login_error"] = "长时间未操作，已退出 · Logged out after a long idle time"
    ss["s_seen"] = now
    apply_staff_theme()
    if not ss.get("s_actor"):
        _login(store)
        return
    top, right = st.columns([4, 1.4])
    top.title(L("印刷队列", "Print queue"))
    right.text(st.session_state["s_actor"])
    right.button(L("退出", "Log out"), key="s_logout", on_click=_logout)
    for kind, text in st.session_state.pop("s_flash", []):
        (st.success if kind == "success" else st.error)(md(text))  # errors may quote input
    st.caption(f"{L('输出到', 'Output')}: {md(staff.output_destination())}")
    _stats_link()
    if st.session_state.get("s_open"):
        _detail(store, st.session_state["s_open"])
    else:
        _queue_live()
        with st.expander(L("生成进程", "Workers")):
            _workers(store)
        with st.expander(L("训练的纹样", "Trained motifs")):
            _trained_motifs()
        with st.expander(L("审计日志", "Audit log")):
            _audit_table(store.audit_log(limit=100))


page()
