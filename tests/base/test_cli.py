"""One error handler for every command line: the same exit codes and the same one-line message."""
from __future__ import annotations

import logging

import pytest

import generator.cli
import jobs.cli
import print.cli
import products.cli
import textinput.__main__
import weights.cli
from base.cli import BAD_INPUT, FINDINGS, OK, UNEXPECTED, run


@pytest.fixture(autouse=True)
def _var(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_VAR", str(tmp_path / "var"))
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)


def _bad_input_cases(tmp_path):
    missing = str(tmp_path / "missing")
    return [
        (jobs.cli.main, ["show", "999"]),
        (jobs.cli.main, ["submit", missing + ".json"]),
        (generator.cli.main, ["render", missing + ".json", "-o", str(tmp_path / "o.png")]),
        (products.cli.main, ["build", missing + ".json", "-o", str(tmp_path / "o.pdf")]),
        (print.cli.main, ["preflight", missing + ".pdf"]),
        (weights.cli.main, ["--dir", str(tmp_path / "w"), "import", missing + ".ckpt"]),
        (textinput.__main__.main, ["recognize", missing + ".png"]),
    ]


def test_bad_input_exits_2_with_one_line_everywhere(tmp_path, capsys):
    for main, argv in _bad_input_cases(tmp_path):
        assert main(argv) == BAD_INPUT, (main.__module__, argv)
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("error: "), (main.__module__, err)
        assert "Traceback" not in err[0]


def test_an_unexpected_failure_exits_3_with_one_line_and_a_log_line(capsys, caplog):
    def broken(args):
        raise RuntimeError("disk controller on fire\nsecond line")

    with caplog.at_level(logging.ERROR, logger="kiosk"):
        assert run(broken, None) == UNEXPECTED
    assert capsys.readouterr().err == "error: unexpected RuntimeError: disk controller on fire\n"
    assert any(r.exc_info and "RuntimeError" in r.getMessage() for r in caplog.records)


def test_an_unreachable_database_is_bad_input_not_a_crash(monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DB_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert jobs.cli.main(["list"]) == BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot reach the job database: ")


def test_ok_and_findings(tmp_path, capsys):
    assert jobs.cli.main(["list"]) == OK
    assert "no jobs" in capsys.readouterr().out
    bad = tmp_path / "not.pdf"
    bad.write_bytes(b"%PDF-1.4\n% nothing else\n")
    assert print.cli.main(["preflight", str(bad)]) in (FINDINGS, BAD_INPUT)


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "ten"])
def test_number_options_refuse_non_finite_values(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        print.cli.main(["impose", "in.pdf", "-o", "out.pdf", "--bleed", value])
    assert exit_.value.code == BAD_INPUT
    assert "--bleed" in capsys.readouterr().err
