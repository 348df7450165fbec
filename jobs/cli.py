"""`python -m jobs COMMAND ...`: the job system from a shell.

    list [--state S ...] [--json]        jobs, oldest first (JSON: id, ticket, state, ...)
    show ID|TICKET [--json]              one job, with its audit trail
    submit DESIGN.json [-n N] [--size WxH] [--wait]
                                         validation + moderation, then queued; the worker
                                         picks the best candidate itself (no visitor choice)
    approve ID [ID ...] [--override REASON]
                                         approve and send to the hot folder / printer; a job
                                         whose checks failed needs --override
    reject ID --reason TEXT
    reprint ID | retry ID | cancel ID
    requeue-stale [--lease S]            return jobs of dead workers now
    stats [--json]                       jobs per state, waiting time, per-worker throughput,
                                         how the text was obtained (model/repaired/typeset)
    audit [--job ID] [--json]
    worker [--backend NAME] [--exit-when-idle] [--label L]
                                         run a worker in this process
    set-password [--password-stdin] [--write]
    install-services [--workers N] [--out DIR] [--user U] [--port P] [--no-screen]
                                         systemd units (server, workers, touchscreen, backup
                                         timer); as root without --out: installed and enabled
    wait-server URL [--timeout S]        wait until the kiosk server answers (the screen unit)
    backup OUT.tar|DIR [--keep N]        the database and the job files in one archive
    restore ARCHIVE [--force]            into an empty database and var folder

The database is KIOSK_DB_URL, else var/kiosk.db. Exit codes are base/cli.py's.
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
import time

from base.cli import finite, main_of
from base.errors import KioskError
from generator.backends import check_size, parse_size
from generator.design import load_design
from jobs import backup, services, staff, staff_auth
from jobs.runner import submit_design
from jobs.runner import art_size
from jobs.store import BUILDING, FAILED, GENERATING, QUEUED, SUBMITTED, ApprovalBlocked, Store
from jobs.worker import Worker, serve


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m jobs", description="the job system")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list jobs")
    p.add_argument("--state", action="append", help="only jobs in this state (repeatable)")
    p.add_argument("--limit", type=int, default=500)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one job and its audit trail")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("submit", help="queue a Design JSON file")
    p.add_argument("design")
    p.add_argument("-n", type=int, default=2, help="candidates to generate (best one is chosen)")
    p.add_argument("--size", help="art size WxH (default: by product)")
    p.add_argument("--wait", action="store_true",
                   help="run a worker in this process until the job is ready for review")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_submit)

    p = sub.add_parser("approve", help="approve and print")
    p.add_argument("ids", nargs="+")
    p.add_argument("--override", metavar="REASON",
                   help="approve jobs whose checks failed anyway, for this reason (audit-logged)")
    p.add_argument("--actor", default="cli")
    p.set_defaults(func=cmd_approve)

    p = sub.add_parser("reject", help="reject with a reason")
    p.add_argument("id")
    p.add_argument("--reason", required=True)
    p.add_argument("--actor", default="cli")
    p.set_defaults(func=cmd_reject)

    for name, func, helptext in (("reprint", cmd_reprint, "print an approved job again"),
                                 ("retry", cmd_retry, "put a failed job back in the queue"),
                                 ("cancel", cmd_cancel, "cancel a job not yet submitted")):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("id")
        p.add_argument("--actor", default="cli")
        p.set_defaults(func=func)

    p = sub.add_parser("requeue-stale", help="return jobs whose worker stopped heartbeating")
    p.add_argument("--lease", type=finite, default=None, help="seconds without heartbeat (default 60)")
    p.set_defaults(func=cmd_requeue)

    p = sub.add_parser("stats", help="jobs per state, waiting time, per-worker throughput")
    p.add_argument("--since", type=finite, metavar="HOURS",
                   help="waiting times and throughput over the last HOURS only")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("audit", help="the audit log, newest first")
    p.add_argument("--job", type=int)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("worker", help="run a worker on the job queue in this process")
    p.add_argument("--backend", help="procedural | anytext | module:factory (default: AnyText "
                                     "when valid weights are present, else procedural)")
    p.add_argument("--exit-when-idle", action="store_true", help="exit once no job is waiting")
    p.add_argument("--label", default="worker", help="a name for this worker in the audit log")
    p.set_defaults(func=serve)

    p = sub.add_parser("set-password", help="hash a staff password (prints it; --write stores it)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.add_argument("--write", action="store_true", help="write it to .streamlit/secrets.toml")
    p.set_defaults(func=cmd_set_password)

    p = sub.add_parser("install-services", help="write (as root: install and enable) the "
                       "systemd units of a kiosk appliance")
    p.add_argument("--workers", type=int, default=1,
                   help="generation worker processes (0: the server generates itself)")
    p.add_argument("--out", help="only write the unit files and kiosk.env into this folder")
    p.add_argument("--user", help="the account the services and the screen run as "
                                  "(default: $SUDO_USER, else you)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--no-screen", action="store_true",
                   help="no touchscreen session (a server or GPU machine)")
    p.add_argument("--backup-dir", default=str(services.BACKUP_DIR))
    p.set_defaults(func=cmd_install_services)

    p = sub.add_parser("wait-server", help="wait until the kiosk server answers")
    p.add_argument("url")
    p.add_argument("--timeout", type=finite, default=300)
    p.set_defaults(func=cmd_wait_server)

    p = sub.add_parser("backup", help="the job database and job files in one tar archive")
    p.add_argument("out", help="archive path, or a folder for a dated kiosk-YYYYmmdd-HHMMSS.tar")
    p.add_argument("--keep", type=int, help="in a folder: keep only the newest N archives")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="bring back a backup into an empty database and var")
    p.add_argument("archive")
    p.add_argument("--force", action="store_true",
                   help="replace the jobs of a database that is not empty")
    p.set_defaults(func=cmd_restore)
    return ap


def _store() -> Store:
    return Store()


def _find(store, ref):
    return store.find(ref)


def _row(j) -> str:
    age = (dt.datetime.now(dt.timezone.utc) - j.created_at).total_seconds()
    ocr = {None: "-", True: "ocr ok", False: "ocr !"}[j.ocr_ok]
    texts = " / ".join(ln.get("text", "") for ln in j.design.get("lines", []))
    return (f"{j.id:>5}  {j.ticket:<6} {j.state:<17} {j.backend or '-':<11} {ocr:<7} "
            f"{age / 60:6.1f} min  {texts}")


def _json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=1, default=str))


def cmd_list(args) -> int:
    jobs = _store().list_jobs(args.state, limit=args.limit)
    if args.json:
        _json([j.to_dict() for j in jobs])
    else:
        for j in jobs:
            print(_row(j))
        if not jobs:
            print("no jobs")
    return 0


def cmd_show(args) -> int:
    store = _store()
    job = _find(store, args.id)
    audit = store.audit_log(job_id=job.id)
    if args.json:
        _json({**job.to_dict(), "audit": [a.to_dict() for a in audit]})
        return 0
    print(_row(job))
    for key in ("error", "reject_reason", "print_error", "pdf_path", "sheet_path", "art_path"):
        if getattr(job, key):
            print(f"  {key}: {getattr(job, key)}")
    for c in job.ocr:
        print(f"  ocr: {c.expected!r} read {c.read!r} exact={c.exact} ned={c.ned}")
    if any(c.edited for c in job.candidates):   # the visitor's edits: a chain through `parent`
        for i, c in enumerate(job.candidates):
            what = f"edit of {c.parent}" if c.edited else "generated"
            texts = " / ".join(ln["text"] for ln in c.lines) if c.edited else ""
            mark = "  (chosen)" if i == job.chosen else ""
            print(f"  version {i}: {what}{mark}  {c.path}  {texts}".rstrip())
    for block in job.approval_blocks() if job.state == "ready_for_review" else []:
        print(f"  blocked: {block}")
    for a in audit:
        print(f"  {a.at:%Y-%m-%d %H:%M:%S}  {a.actor:<24} {a.action:<14} {json.dumps(a.detail, ensure_ascii=False)}")
    return 0


def cmd_submit(args) -> int:
    design = load_design(args.design)
    if args.size:
        w, h = parse_size(args.size)
    else:
        w, h = art_size(design.product)   # the same art sizes the kiosk uses
        check_size((w, h))
    if not 1 <= args.n <= 8:
        raise KioskError("-n must be between 1 and 8", "-n 须在 1 到 8 之间", field="n")
    store = _store()
    job = submit_design(store, design, n=args.n, size=f"{w}x{h}", auto_choose=True,
                        source="cli", actor="cli")
    if args.wait:
        worker = Worker(store, label="cli")
        while store.get(job.id).state in (QUEUED, GENERATING, SUBMITTED, BUILDING):
            if not worker.run_once():
                time.sleep(0.2)
        job = store.get(job.id)
    if args.json:
        _json(job.to_dict())
    else:
        print(f"{job.id} {job.ticket} {job.state}")
    return 0 if job.state != FAILED else 1


def cmd_approve(args) -> int:
    """Exit 1 when a job was blocked by its checks or could not be printed."""
    store = _store()
    rc = 0
    for ref in args.ids:
        job = _find(store, ref)
        try:
            job, err = staff.approve_and_print(store, job.id, actor=args.actor,
                                               override=args.override)
        except ApprovalBlocked as exc:
            print(f"{job.id} {job.ticket} not approved: {exc.en}")
            rc = 1
            continue
        if err:
            print(f"{job.id} {job.ticket} approved, not printed: {err}")
            rc = 1
        else:
            print(f"{job.id} {job.ticket} {job.state}")
    return rc


def cmd_reject(args) -> int:
    store = _store()
    job = store.reject(_find(store, args.id).id, actor=args.actor, reason=args.reason)
    print(f"{job.id} {job.ticket} {job.state}")
    return 0


def cmd_reprint(args) -> int:
    store = _store()
    job, err = staff.reprint(store, _find(store, args.id).id, actor=args.actor)
    print(f"{job.id} {job.ticket} " + (f"not printed: {err}" if err else f"{job.state} x{job.print_count}"))
    return 1 if err else 0


def cmd_retry(args) -> int:
    store = _store()
    job = store.retry(_find(store, args.id).id, actor=args.actor)
    print(f"{job.id} {job.ticket} {job.state}")
    return 0


def cmd_cancel(args) -> int:
    store = _store()
    job = store.request_cancel(_find(store, args.id).id, actor=args.actor)
    print(f"{job.id} {job.ticket} {job.state}" + (" (cancel requested)" if job.cancel_requested else ""))
    return 0


def cmd_requeue(args) -> int:
    for job_id, action in _store().requeue_stale(lease_seconds=args.lease, actor="cli"):
        print(f"{job_id} {action}")
    return 0


def cmd_stats(args) -> int:
    stats = _store().stats(since_hours=args.since)
    if args.json:
        _json(stats)
        return 0

    def sec(v):
        return "-" if v is None else f"{v:.1f} s"

    print("jobs per state" + (f" (all time; figures below since {stats['since']})"
                              if stats["since"] else ""))
    for state, n in sorted(stats["states"].items()):
        print(f"  {state:<18} {n}")
    print(f"wait from submit to first claim: median {sec(stats['median_wait_s'])}, "
          f"90% {sec(stats['p90_wait_s'])}, max {sec(stats['max_wait_s'])}")
    print(f"waiting now: {stats['waiting_now']} job(s), oldest {sec(stats['oldest_waiting_s'])}")
    t = stats["text"]
    print(f"text lines of {t['candidates']} candidate(s): model {t['model']}, repaired "
          f"{t['repaired']}, typeset {t['typeset']} ({t['tries']} edit tries); still wrong "
          f"{t['failed']}, unverifiable {t['unverifiable']}; not offered {t['not_offered']}")
    if stats["per_worker"]:
        print("per worker (host:pid:label)          claims  generated  built  failed  steps/min")
        for w, d in sorted(stats["per_worker"].items()):
            rate = "-" if d["steps_per_minute"] is None else f"{d['steps_per_minute']:.1f}"
            print(f"  {w:<34} {d['claimed']:>6} {d['generated']:>10} {d['built']:>6} "
                  f"{d['failed']:>7} {rate:>10}")
    if stats["leases"]:
        print("being worked on now (an old heartbeat = a worker that stopped)")
    for lease in stats["leases"]:
        print(f"  job {lease['id']} ({lease['ticket']}) {lease['state']} by "
              f"{lease['owner']}, heartbeat {sec(lease['heartbeat_age_s'])} ago, "
              f"attempt {lease['attempts']}")
    return 0


def cmd_audit(args) -> int:
    entries = _store().audit_log(job_id=args.job, limit=args.limit)
    if args.json:
        _json([e.to_dict() for e in entries])
        return 0
    for a in entries:
        print(f"{a.at:%Y-%m-%d %H:%M:%S}  {a.actor:<24} {a.action:<16} {a.job_id or '-':>5}  "
              f"{json.dumps(a.detail, ensure_ascii=False)}")
    return 0


def cmd_set_password(args) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("New staff password: ")
        if getpass.getpass("Again: ") != password:
            raise KioskError("the two passwords differ", "两次输入的密码不一致")
    if len(password) < 8:
        raise KioskError("use at least 8 characters", "密码至少 8 个字符")
    encoded = staff_auth.hash_password(password)
    if args.write:
        path = staff_auth.write_secrets(encoded)
        print(f"written to {path} (key {staff_auth.SECRETS_KEY})")
    else:
        print(encoded)
        print(f"# put it in .streamlit/secrets.toml as {staff_auth.SECRETS_KEY} = \"...\" "
              "or export KIOSK_STAFF_PASSWORD_HASH='...'", file=sys.stderr)
    return 0


def cmd_install_services(args) -> int:
    from pathlib import Path

    if args.workers < 0 or not 0 < args.port < 65536:
        raise KioskError("--workers must be 0 or more and --port 1-65535",
                         "--workers 须 >= 0，--port 须在 1-65535", field="workers")
    appliance = services.Appliance.here(user=args.user, workers=args.workers, port=args.port,
                                        screen=not args.no_screen,
                                        backup_dir=Path(args.backup_dir))
    for line in services.install(appliance, Path(args.out) if args.out else None):
        print(line)
    return 0


def cmd_wait_server(args) -> int:
    if services.wait_server(args.url, args.timeout):
        return 0
    raise ConnectionError(f"{args.url} did not answer within {args.timeout:.0f} s")


def cmd_backup(args) -> int:
    result = backup.backup(args.out, keep=args.keep)
    print(f"{result.path}: {result.jobs} job(s), {result.files} file(s), "
          f"{result.size / 1e6:.1f} MB ({result.engine})")
    for old in result.removed:
        print(f"removed old backup {old}")
    return 0


def cmd_restore(args) -> int:
    result = backup.restore(args.archive, force=args.force)
    print(f"restored {result.jobs} job(s) and {result.files} file(s) from {args.archive} "
          f"({result.engine})")
    return 0


main = main_of(build_parser)
