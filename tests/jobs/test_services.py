"""`python -m jobs install-services --out DIR`: every unit passes `systemd-analyze verify` and
says what the appliance needs (the repo as working directory, the env file, restarts)."""
from __future__ import annotations

import getpass
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jobs import cli, services

REPO = Path(__file__).resolve().parents[2]


def _appliance(tmp_path, **kw):
    # verify needs every ExecStart binary to exist: real paths of this machine stand in for
    # the kiosk's (cage is a kiosk-only package)
    return services.Appliance(repo=REPO, python=Path(sys.executable), user=getpass.getuser(),
                              env_file=tmp_path / "kiosk.env",
                              chromium=shutil.which("chromium") or "/bin/true",
                              cage=shutil.which("cage") or "/bin/true",
                              backup_dir=tmp_path / "backups", **kw)


def _verify(folder: Path, names: list[str]) -> None:
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.skip("systemd-analyze is not installed (package systemd)")
    for name in names:
        res = subprocess.run([exe, "verify", "--man=no", str(folder / name)], capture_output=True,
                             text=True, timeout=60)
        problems = [ln for ln in (res.stdout + res.stderr).splitlines()
                    if "kiosk" in ln or "Unknown" in ln or "Failed" in ln]
        assert res.returncode == 0 and not problems, f"{name}: {res.stdout}{res.stderr}"


def test_every_unit_verifies(tmp_path):
    a = _appliance(tmp_path, workers=2)
    units = services.render(a)
    out = tmp_path / "units"
    out.mkdir()
    for u in units:
        (out / u.name).write_text(u.text)
    # a template verifies as one of its instances
    (out / "kiosk-worker@1.service").symlink_to(out / "kiosk-worker@.service")
    names = [u.name for u in units if "@." not in u.name] + ["kiosk-worker@1.service"]
    _verify(out, names)
    text = {u.name: u.text for u in units}
    server = text["kiosk-server.service"]
    assert f"WorkingDirectory={REPO}" in server and "Restart=always" in server
    assert f"EnvironmentFile=-{a.env_file}" in server
    assert f"ExecStart={sys.executable} -m streamlit run streamlit_app.py --server.port 8501" in server
    assert "Environment=KIOSK_WORKER=external" in server
    worker = text["kiosk-worker@.service"]
    assert "-m jobs worker --label worker-%i" in worker and "Restart=always" in worker
    screen = text["kiosk-screen.service"]
    for flag in services.CHROMIUM_FLAGS:
        assert flag in screen
    assert "http://127.0.0.1:8501/" in screen and "Restart=always" in screen
    assert "TTYPath=/dev/tty1" in screen and "PAMName=login" in screen
    assert "OnCalendar=*-*-* 02:30:00" in text["kiosk-backup.timer"]
    assert f"-m jobs backup {a.backup_dir} --keep 14" in text["kiosk-backup.service"]
    assert services.enabled_names(a) == ["kiosk-server.service", "kiosk-backup.timer",
                                         "kiosk-worker@1.service", "kiosk-worker@2.service",
                                         "kiosk-screen.service"]


def test_no_workers_means_the_server_generates(tmp_path):
    units = {u.name: u.text for u in services.render(_appliance(tmp_path, workers=0, screen=False))}
    assert "Environment=KIOSK_WORKER=inprocess" in units["kiosk-server.service"]
    assert "kiosk-screen.service" not in units


def test_command_writes_units_and_env_file(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["install-services", "--workers", "3", "--out", str(out), "--user", "kiosk"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["kiosk-backup.service", "kiosk-backup.timer", "kiosk-screen.service",
                     "kiosk-server.service", "kiosk-worker@.service", "kiosk.env"]
    assert "User=kiosk" in (out / "kiosk-server.service").read_text()
    assert "EnvironmentFile=-/etc/kiosk.env" in (out / "kiosk-server.service").read_text()
    env = (out / "kiosk.env").read_text()
    assert "KIOSK_WORKER=external" in env and "KIOSK_VAR=" in env
    (out / "kiosk.env").write_text("KIOSK_PRINTER=shop\n")   # a second run keeps settings
    assert cli.main(["install-services", "--out", str(out)]) == 0
    assert (out / "kiosk.env").read_text() == "KIOSK_PRINTER=shop\n"
    assert cli.main(["install-services", "--workers", "-1", "--out", str(out)]) == 2
