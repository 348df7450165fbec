"""A make-tiny --version 2 folder renders through the real command line (a separate process:
`python -m generator render ... --backend anytext2`), with few steps."""
import json
import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

from weights.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_render_command_line_with_tiny_v2_weights(tmp_path):
    wdir = tmp_path / "w2"
    assert main(["make-tiny", str(wdir), "--version", "2"]) == 0
    design = tmp_path / "design.json"
    design.write_text(json.dumps({"version": 1, "motif": "sunbird", "seed": 3, "lines": [
        {"text": "天路", "box": [0.1, 0.1, 0.8, 0.2], "font": "wenkai", "color": "#C81E1E"}]}),
        encoding="utf-8")
    out = tmp_path / "out.png"
    env = {**os.environ, "KIOSK_WEIGHTS": str(wdir), "KIOSK_ANYTEXT_STEPS": "2",
           "KIOSK_VAR": str(tmp_path / "var")}
    env.pop("KIOSK_BACKEND", None)
    r = subprocess.run([sys.executable, "-m", "generator", "render", str(design), "-o", str(out),
                        "--backend", "anytext2", "--size", "256x256"], cwd=REPO, env=env, check=False,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "backend anytext2" in r.stdout and "seed 3" in r.stdout
    assert Image.open(out).size == (256, 256)
