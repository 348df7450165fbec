"""DESIGN.md's layers, as import-linter contracts (pyproject.toml [tool.importlinter])."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("base", "layouts", "weights", "generator", "print", "products", "textinput", "jobs",
            "kiosk", "bench")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, capture_output=True, text=True,
                          timeout=120, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_code_keeps_every_contract():
    res = _lint(REPO)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "0 broken" in res.stdout


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    skip = shutil.ignore_patterns("__pycache__", "*.svg", "*.png", "*.ckpt", "*.safetensors",
                                  "*.sqlite", "*.ttf", "*.otf")
    for pkg in PACKAGES:
        shutil.copytree(REPO / pkg, root / pkg, ignore=skip)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    root = _copy(tmp_path)
    (root / "generator" / "upward.py").write_text("import jobs.store\n")
    res = _lint(root)
    assert res.returncode == 1, res.stdout
    assert "A package imports only packages below it BROKEN" in res.stdout
    assert "generator.upward -> jobs.store" in res.stdout


def test_siblings_on_one_layer_stay_independent_and_cycles_are_refused(tmp_path):
    root = _copy(tmp_path)
    (root / "print" / "sideways.py").write_text("import generator.design\n")
    (root / "jobs" / "records.py").write_text((root / "jobs" / "records.py").read_text()
                                            + "\nimport jobs.store  # noqa\n")
    res = _lint(root)
    assert res.returncode == 1
    assert "print.sideways -> generator.design" in res.stdout
    assert "No cycles are allowed in jobs" in res.stdout
