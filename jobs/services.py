"""The kiosk as an appliance: systemd units for the server, the workers, the touchscreen and
the nightly backup, all reading their settings from one file of KIOSK_X=value lines (/etc/kiosk.env).

    kiosk-server.service       streamlit run streamlit_app.py (WorkingDirectory = this repo)
    kiosk-worker@.service      python -m jobs worker --label worker-%i  (enable @1 .. @N)
    kiosk-screen.service       auto-login session on tty1: cage (a one-window Wayland
                               compositor) running Chromium in kiosk mode at the kiosk page;
                               Restart=always brings the screen back if Chromium dies
    kiosk-backup.service/.timer  python -m jobs backup <dir> --keep N, every night

`render()` only makes text (tests run `systemd-analyze verify` on it); `install()` writes the
files and, into /etc/systemd/system, enables them.
"""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from base.errors import KioskError
from base.settings import REPO

SYSTEMD_DIR = Path("/etc/systemd/system")
ENV_FILE = Path("/etc/kiosk.env")
BACKUP_DIR = Path("/var/backups/kiosk")

# README "Running a kiosk": the flags the touchscreen needs (no pinch zoom, no swipe-back...)
CHROMIUM_FLAGS = ("--kiosk", "--noerrdialogs", "--disable-translate",
                  "--disable-features=TranslateUI", "--disable-pinch",
                  "--overscroll-history-navigation=0", "--touch-events=enabled", "--no-first-run",
                  "--disable-session-crashed-bubble", "--password-store=basic",
                  "--ozone-platform=wayland")


class ServicesError(KioskError):
    """The units cannot be written or enabled."""


@dataclass(frozen=True)
class Unit:
    name: str
    text: str


@dataclass(frozen=True)
class Appliance:
    """Everything the units depend on; `Appliance.here()` fills it in for this checkout."""
    repo: Path
    python: Path
    user: str
    workers: int = 1
    port: int = 8501
    env_file: Path = ENV_FILE
    chromium: str = "/usr/bin/chromium"
    cage: str = "/usr/bin/cage"
    screen: bool = True
    backup_dir: Path = BACKUP_DIR
    backup_keep: int = 14
    backup_time: str = "02:30"

    @classmethod
    def here(cls, **kw) -> "Appliance":
        user = kw.pop("user", None) or os.getenv("SUDO_USER") or getpass.getuser()
        return cls(repo=REPO, python=REPO / ".venv" / "bin" / "python", user=user, **kw)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def _service(description: str, exec_start: str, a: Appliance, *, after: str = "",
             extra: str = "", wanted_by: str = "multi-user.target") -> str:
    return (f"[Unit]\nDescription={description}\n"
            f"After=network-online.target postgresql.service{(' ' + after) if after else ''}\n"
            "Wants=network-online.target\n\n"
            "[Service]\nType=simple\n"
            f"User={a.user}\nWorkingDirectory={a.repo}\n"
            f"EnvironmentFile=-{a.env_file}\n"
            f"{extra}"
            f"ExecStart={exec_start}\n"
            "Restart=always\nRestartSec=3\n\n"
            f"[Install]\nWantedBy={wanted_by}\n")


def render(a: Appliance) -> list[Unit]:
    """The unit files for appliance `a` (text only)."""
    if a.workers < 0:
        raise ServicesError("--workers must be 0 or more", "--workers 须为 0 或更大", field="workers")
    py = a.python
    units = [Unit("kiosk-server.service", _service(
        "Heritage souvenir kiosk: Streamlit server (visitor and staff pages)",
        f"{py} -m streamlit run streamlit_app.py --server.port {a.port} --server.headless true "
        "--browser.gatherUsageStats false", a,
        # the env file may override; without it, external workers generate when there are any
        extra=f"Environment=KIOSK_WORKER={'external' if a.workers else 'inprocess'}\n"))]
    units.append(Unit("kiosk-worker@.service", _service(
        "Heritage souvenir kiosk: generation worker %i",
        f"{py} -m jobs worker --label worker-%i", a,
        extra="TimeoutStopSec=120\n")))   # SIGTERM: the worker finishes its step, then exits
    if a.screen:
        flags = " ".join(CHROMIUM_FLAGS)
        units.append(Unit("kiosk-screen.service", (
            "[Unit]\nDescription=Heritage souvenir kiosk: touchscreen (Chromium in kiosk mode, "
            "auto-login on tty1)\n"
            "After=kiosk-server.service systemd-user-sessions.service plymouth-quit-wait.service\n"
            "Wants=kiosk-server.service\nConflicts=getty@tty1.service\n\n"
            "[Service]\nType=simple\n"
            f"User={a.user}\nWorkingDirectory={a.repo}\nEnvironmentFile=-{a.env_file}\n"
            # a logind session on tty1 for this user: what an auto-login would give
            "PAMName=login\nTTYPath=/dev/tty1\nTTYReset=yes\nTTYVHangup=yes\n"
            "TTYVTDisallocate=yes\nStandardInput=tty-fail\nStandardOutput=journal\n"
            "UtmpIdentifier=tty1\nUtmpMode=user\nEnvironment=XDG_SESSION_TYPE=wayland\n"
            f"ExecStartPre={py} -m jobs wait-server {a.url} --timeout 300\n"
            f"ExecStart={a.cage} -s -- {a.chromium} {flags} {a.url}\n"
            "Restart=always\nRestartSec=2\n\n"
            "[Install]\nWantedBy=multi-user.target\n")))
    units.append(Unit("kiosk-backup.service", (
        "[Unit]\nDescription=Heritage souvenir kiosk: backup of the job database and files\n"
        "After=postgresql.service\n\n"
        "[Service]\nType=oneshot\n"
        f"User={a.user}\nWorkingDirectory={a.repo}\nEnvironmentFile=-{a.env_file}\n"
        f"ExecStart={py} -m jobs backup {a.backup_dir} --keep {a.backup_keep}\n")))
    units.append(Unit("kiosk-backup.timer", (
        "[Unit]\nDescription=Heritage souvenir kiosk: nightly backup\n\n"
        f"[Timer]\nOnCalendar=*-*-* {a.backup_time}:00\nPersistent=true\n"
        "RandomizedDelaySec=10min\n\n"
        "[Install]\nWantedBy=timers.target\n")))
    return units


def env_file_text(a: Appliance) -> str:
    """A starting /etc/kiosk.env: every KIOSK_* setting lives here (README: Settings)."""
    return ("# Settings of the kiosk services (README: Settings). Read by every kiosk-* unit.\n"
            f"KIOSK_VAR={a.repo / 'var'}\n"
            f"KIOSK_WORKER={'external' if a.workers else 'inprocess'}\n"
            "# KIOSK_DB_URL=postgresql+psycopg://kiosk@dbhost/kiosk\n"
            "# KIOSK_PRINTER=shop        # a CUPS queue (lpstat -p); empty: the hot folder\n"
            "# KIOSK_STAFF_PASSWORD_HASH=...   # python -m jobs set-password\n")


def enabled_names(a: Appliance) -> list[str]:
    names = ["kiosk-server.service", "kiosk-backup.timer"]
    names += [f"kiosk-worker@{i}.service" for i in range(1, a.workers + 1)]
    if a.screen:
        names.append("kiosk-screen.service")
    return names


def install(a: Appliance, out: Path | None = None) -> list[str]:
    """Write the units (and the env file when it does not exist yet) into `out`, or into
    /etc/systemd/system and enable them (root only). Returns what it did, one line each."""
    done = []
    system = out is None
    if system and os.geteuid() != 0:
        raise ServicesError("installing services needs root (sudo), or give --out DIR to only "
                            "write the files", "安装服务需要 root 权限（或用 --out 只写文件）")
    target = SYSTEMD_DIR if system else out
    target.mkdir(parents=True, exist_ok=True)
    for unit in render(a):
        (target / unit.name).write_text(unit.text)
        done.append(f"wrote {target / unit.name}")
    env = a.env_file if system else target / a.env_file.name
    if env.exists():
        done.append(f"kept {env} (your settings)")
    else:
        env.write_text(env_file_text(a))
        done.append(f"wrote {env}")
    if not system:
        return done
    a.backup_dir.mkdir(parents=True, exist_ok=True)
    shutil.chown(a.backup_dir, user=a.user)
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        raise ServicesError("systemctl not found: is this a systemd machine?", "未找到 systemctl")
    for cmd in (["daemon-reload"], ["enable", *enabled_names(a)]):
        res = subprocess.run([systemctl, *cmd], capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            raise ServicesError(f"systemctl {' '.join(cmd)}: {res.stderr.strip()[-300:]}",
                                "systemctl 失败")
        done.append(f"systemctl {' '.join(cmd)}")
    done.append("start now: systemctl start " + " ".join(enabled_names(a)) + "  (or reboot)")
    return done


def wait_server(url: str, timeout: float) -> bool:
    """True once `url` answers (the screen waits for the server before opening Chromium)."""
    end = time.monotonic() + timeout
    health = url.rstrip("/") + "/_stcore/health"
    while True:
        try:
            with urllib.request.urlopen(health, timeout=2):
                return True
        except OSError:
            if time.monotonic() > end:
                return False
            time.sleep(1)
