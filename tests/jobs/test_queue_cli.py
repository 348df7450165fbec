"""`python -m jobs ...`: through main() and one real subprocess."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from queue_helpers import DESIGN

from jobs import staff_auth
from jobs.cli import main as jobs_main

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path, text="天路", name="d.json"):
    p = tmp_path / name
    p.write_text(json.dumps({**DESIGN, "lines": [{"text": text, "box": [0.3, 0.08, 0.4, 0.12]}]},
                            ensure_ascii=False), encoding="utf-8")
    return p


def test_submit_wait_list_approve(tmp_path, var, capsys):
    assert jobs_main(["submit", str(_write(tmp_path)), "-n", "1", "--size", "512x512",
                           "--wait"]) == 0
    assert capsys.readouterr().out.split()[1:] == ["A-001", "ready_for_review"]
    assert jobs_main(["list", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert {row["id"], row["ticket"], row["state"]} == {1, "A-001", "ready_for_review"}
    assert row["ocr_ok"] is True and row["backend"] == "procedural"
    assert jobs_main(["approve", "A-001"]) == 0
    assert capsys.readouterr().out.strip() == "1 A-001 printed"
    assert len(list((var / "hotfolder").glob("*A-001*.pdf"))) == 1
    # approving twice is refused with one line and exit 2
    assert jobs_main(["approve", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "printed" in err


def test_bad_input_exits_2_with_one_line(tmp_path, var, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"motif": "nope", "lines": []}', encoding="utf-8")
    for argv in (["submit", str(bad)], ["submit", str(tmp_path / "missing.json")],
                 ["submit", str(_write(tmp_path, "傻 逼", "r.json"))],
                 ["approve", "999"], ["reject", "1", "--reason", "x"]):
        assert jobs_main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    # the refused text is named in the audit log only
    assert jobs_main(["audit", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["action"] == "refused" and entry["detail"]["term"] == "傻逼"


def test_set_password_hash_verifies(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    assert jobs_main(["set-password", "--password-stdin"]) == 0
    encoded = capsys.readouterr().out.strip()
    assert encoded.startswith("pbkdf2_sha256$")
    assert staff_auth.verify_password("a long password", encoded)
    assert not staff_auth.verify_password("a long passwore", encoded)


def test_write_secrets_keeps_other_keys(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text('other = "x"\nstaff_password_hash = "old"\n', encoding="utf-8")
    staff_auth.write_secrets("pbkdf2_sha256$1$YQ==$Yg==", path)
    assert path.read_text() == 'other = "x"\nstaff_password_hash = "pbkdf2_sha256$1$YQ==$Yg=="\n'


def test_real_process_list_json(var):
    res = subprocess.run([sys.executable, "-m", "jobs", "list", "--json"], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == []


def test_stats_and_show(tmp_path, var, capsys):
    assert jobs_main(["submit", str(_write(tmp_path)), "-n", "1", "--size", "256x256"]) == 0
    capsys.readouterr()
    assert jobs_main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["states"] == {"queued": 1} and stats["oldest_waiting_s"] >= 0
    assert jobs_main(["show", "A-001"]) == 0
    out = capsys.readouterr().out
    assert "A-001" in out and "submitted" in out
    assert jobs_main(["cancel", "1"]) == 0
    assert "cancelled" in capsys.readouterr().out


def _bad_design_files(tmp_path) -> dict[str, Path]:
    """Files a new user may hand to `submit`: each must be refused at the door, not in the worker."""
    def box(b: str) -> str:
        return json.dumps(DESIGN)[:-1].replace('[0.3, 0.08, 0.4, 0.12]', b) + "}"

    texts = {
        "nan": box("[NaN, 0.08, 0.4, 0.12]"),
        "inf": box("[0.3, 0.08, Infinity, 0.12]"),
        "neg_inf": box("[0.3, 0.08, 0.4, -Infinity]"),
        "overflow": box("[0.3, 0.08, 1e400, 0.12]"),
        "huge": box("[0.3, 0.08, 1e308, 0.12]"),
        "long_int": box("[0.3, 0.08, 1%s, 0.12]" % ("0" * 5000)),
        "thin": box("[0.3, 0.08, 1e-9, 0.12]"),
        "tiny": box("[0.3, 0.08, 0.4, 0.02]"),
        "deep": '{"motif": "sunbird", "x": %s0%s}' % ("[" * 100_000, "]" * 100_000),
        "big": json.dumps(DESIGN)[:-1] + ', "pad": "' + "x" * 300_000 + '"}',
    }
    out = {}
    for name, text in texts.items():
        assert "[0.3, 0.08, 0.4, 0.12]" not in text or name in ("deep", "big"), name
        out[name] = tmp_path / f"{name}.json"
        out[name].write_text(text, encoding="utf-8")
    return out


def test_submit_refuses_bad_numbers_tiny_boxes_deep_and_huge_files(tmp_path, var, capsys):
    from jobs.store import Store

    for name, path in _bad_design_files(tmp_path).items():
        assert jobs_main(["submit", str(path), "-n", "1"]) == 2, name
        captured = capsys.readouterr()
        err = captured.err
        assert err.startswith("error: ") and err.count("\n") == 1, (name, err[:300])
        assert "Traceback" not in err and "Error:" not in err and captured.out == "", (name, err)
        if name not in ("deep", "big"):
            assert "lines[0].box" in err, (name, err)
    assert Store().list_jobs() == []  # nothing was queued for a worker to fail on
