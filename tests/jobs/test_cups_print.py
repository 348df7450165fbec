"""Printing through a real CUPS server (a private cupsd started by the test, tests/jobs/
cups_server.py): approve -> print/output.py -> `lp -d KIOSK_PRINTER` -> a network printer.
A stopped or refusing printer leaves the job approved with the error for staff, and printing
again once it is back prints it exactly once; a server that is down fails fast."""
from __future__ import annotations

import time

import pikepdf
import pytest

from cups_server import CupsServer
from jobs import files, staff
from jobs import store as q
from jobs.runner import submit_design
from jobs.worker import Worker
from queue_helpers import DESIGN


@pytest.fixture
def cups(var, monkeypatch):
    with CupsServer() as server:
        monkeypatch.setenv("CUPS_SERVER", server.socket)
        monkeypatch.setenv("KIOSK_PRINTER", "shop")
        yield server


def _ready(store, n=1):
    jobs = [submit_design(store, {**DESIGN, "seed": 10 + i}, n=1, size="768x512",
                          auto_choose=True, source="cli") for i in range(n)]
    Worker(store, backend="procedural").run_until_idle()
    out = [store.get(j.id) for j in jobs]
    assert all(j.state == q.READY for j in out), [j.error for j in out]
    return out


def _boxes(pdf) -> list[tuple]:
    with pikepdf.open(pdf) as doc:
        return [(tuple(float(x) for x in p.trimbox), tuple(float(x) for x in p.bleedbox),
                 "/TrimBox" in p.obj, "/BleedBox" in p.obj) for p in doc.pages]


def test_approved_job_prints_through_cups(cups, sqlite_store):
    printer = cups.add_printer("shop")
    (job,) = _ready(sqlite_store)
    job, err = staff.approve_and_print(sqlite_store, job.id, actor="staff:Ann")
    assert err is None and job.state == q.PRINTED and job.print_count == 1
    (out,) = printer.wait_for(1)
    expected = _boxes(files.resolve(job.pdf_path))
    got = _boxes(out)
    assert len(got) == len(expected) == (job.build.pages or len(expected))
    assert all(trim and bleed for *_, trim, bleed in got), "TrimBox/BleedBox lost on the way"
    assert got == expected
    assert out.read_bytes() == files.resolve(job.pdf_path).read_bytes()
    assert "printer shop" in sqlite_store.audit_log(job_id=job.id, action="printed")[0].detail["destination"]
    assert staff.shown_states(sqlite_store, [job]) == {job.id: q.PRINTED}   # a printer took it


@pytest.mark.parametrize("stop", ["cupsdisable", "cupsreject"])
def test_stopped_printer_keeps_job_approved_then_prints_once(cups, sqlite_store, stop):
    printer = cups.add_printer("shop")
    (job,) = _ready(sqlite_store)
    cups.run(stop, "shop")
    job, err = staff.approve_and_print(sqlite_store, job.id, actor="staff:Ann")
    assert job.state == q.APPROVED and job.print_count == 0
    assert err and "shop" in err and job.print_error == err
    assert ("stopped" in err) if stop == "cupsdisable" else ("not accepting" in err)
    cups.run("cupsenable" if stop == "cupsdisable" else "cupsaccept", "shop")
    time.sleep(1.5)
    assert printer.jobs() == []          # nothing was left waiting in the stopped queue
    job, err = staff.approve_and_print(sqlite_store, job.id, actor="staff:Ann")
    assert err is None and job.state == q.PRINTED and job.print_count == 1 and not job.print_error
    assert len(printer.wait_for(1)) == 1
    time.sleep(1.5)
    assert len(printer.jobs()) == 1      # exactly once


def test_server_down_fails_fast_with_a_clear_message(cups, sqlite_store):
    cups.add_printer("shop")
    (job,) = _ready(sqlite_store)
    cups.stop()
    t0 = time.monotonic()
    job, err = staff.approve_and_print(sqlite_store, job.id, actor="staff:Ann")
    assert time.monotonic() - t0 < 5
    assert job.state == q.APPROVED and "CUPS" in err and "not running" in err


def test_unknown_printer_is_named(cups, sqlite_store, monkeypatch):
    monkeypatch.setenv("KIOSK_PRINTER", "nosuch")
    (job,) = _ready(sqlite_store)
    job, err = staff.approve_and_print(sqlite_store, job.id, actor="staff:Ann")
    assert job.state == q.APPROVED and "nosuch" in err
