"""A private CUPS server for tests: its own cupsd (Debian package cups-daemon) with its own
config, spool and log folders and a Unix socket, never the machine's server, and a fake
network printer (AppSocket/JetDirect, what `socket://host:9100` queues talk to) that keeps
every job it receives as a file.

    with CupsServer() as cups:            # skips the test, saying why, if cupsd cannot start
        printer = cups.add_printer("shop")   # a raw queue on socket://127.0.0.1:<port>
        env CUPS_SERVER=cups.socket -> lp -d shop file.pdf -> printer.jobs() == [Path(...)]

Raw queue: CUPS hands the PDF to the printer unchanged (a print-shop RIP reads PDF), so the
received file is the job's PDF byte for byte.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

CUPSD = "/usr/sbin/cupsd"


class FakePrinter:
    """A TCP listener that stores each connection's bytes as job_<n>.pdf."""

    def __init__(self, name: str, folder: Path):
        self.name, self.folder = name, folder
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self._n = 0
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
            self._n += 1
            tmp = self.folder / f".job_{self._n}.part"
            tmp.write_bytes(b"".join(chunks))
            tmp.rename(self.folder / f"job_{self._n}.pdf")

    def jobs(self) -> list[Path]:
        return sorted(self.folder.glob("job_*.pdf"), key=lambda p: int(p.stem.split("_")[1]))

    def wait_for(self, count: int, timeout: float = 20) -> list[Path]:
        end = time.monotonic() + timeout
        while len(self.jobs()) < count and time.monotonic() < end:
            time.sleep(0.1)
        return self.jobs()

    def close(self) -> None:
        self._stop = True
        self.thread.join(2)
        self.sock.close()


class CupsServer:
    def __init__(self):
        self.proc: subprocess.Popen | None = None
        self.printers: list[FakePrinter] = []

    def __enter__(self) -> "CupsServer":
        for tool in (CUPSD, shutil.which("lp"), shutil.which("lpadmin"), shutil.which("lpstat")):
            if not tool or not os.path.exists(tool):
                pytest.skip("CUPS is not installed (apt-get install cups-daemon cups-client; "
                            "scripts/install.sh does it)")
        # under /tmp, not pytest's tmp_path: cupsd's helpers run as user lp and must reach it
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
        self.root.chmod(0o755)
        for sub in ("spool", "cache", "state", "log", "tmp", "ppd", "out"):
            (self.root / sub).mkdir()
        (self.root / "tmp").chmod(0o1777)
        self.socket = str(self.root / "cups.sock")
        (self.root / "cupsd.conf").write_text(
            f"Listen {self.socket}\nLogLevel info\nBrowsing No\nWebInterface No\n"
            "<Location />\n  Order allow,deny\n  Allow all\n</Location>\n")
        r = self.root
        (self.root / "cups-files.conf").write_text(
            f"ServerRoot {r}\nRequestRoot {r}/spool\nCacheDir {r}/cache\nStateDir {r}/state\n"
            f"TempDir {r}/tmp\nServerBin /usr/lib/cups\nDataDir /usr/share/cups\n"
            f"AccessLog {r}/log/access_log\nErrorLog {r}/log/error_log\nPageLog {r}/log/page_log\n"
            "SystemGroup root\n")
        self.env = {**os.environ, "CUPS_SERVER": self.socket, "LC_ALL": "C"}
        self.proc = subprocess.Popen([CUPSD, "-f", "-c", str(r / "cupsd.conf"),
                                      "-s", str(r / "cups-files.conf")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        end = time.monotonic() + 15
        while not self.running():
            if self.proc.poll() is not None or time.monotonic() > end:
                err = (self.proc.stderr.read() or b"").decode(errors="replace").strip()
                self.__exit__()
                pytest.skip(f"cupsd did not start: {err[-300:] or 'no answer in 15 s'}")
            time.sleep(0.1)
        return self

    def running(self) -> bool:
        res = subprocess.run(["lpstat", "-r"], env=self.env, capture_output=True, text=True,
                             timeout=5)
        return "scheduler is running" in res.stdout

    def run(self, *cmd: str) -> str:
        res = subprocess.run(list(cmd), env=self.env, capture_output=True, text=True, timeout=15)
        assert res.returncode == 0, f"{cmd}: {res.stderr or res.stdout}"
        return res.stdout

    def add_printer(self, name: str) -> FakePrinter:
        folder = self.root / "out" / name
        folder.mkdir()
        printer = FakePrinter(name, folder)
        self.printers.append(printer)
        self.run("lpadmin", "-p", name, "-v", f"socket://127.0.0.1:{printer.port}", "-E")
        return printer

    def stop(self) -> None:
        """Stop cupsd (the printers keep listening)."""
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()   # its own PID, never a name
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __exit__(self, *exc) -> None:
        self.stop()
        for p in self.printers:
            p.close()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)
