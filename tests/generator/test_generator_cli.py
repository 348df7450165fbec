"""`python -m generator ...` from the repo root: outputs, and one clear line for bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
PHRASES = ROOT.parent / "shared" / "data" / "phrases_zh.txt"


def write(tmp_path, data, name="d.json"):
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


GOOD = {"motif": "sacred_tree", "seed": 3,
        "lines": [{"text": "神树", "box": [0.3, 0.05, 0.4, 0.14], "font": "kai"}]}


def test_render_as_a_subprocess(tmp_path):
    out = tmp_path / "out.png"
    r = subprocess.run([sys.executable, "-m", "generator", "render", str(write(tmp_path, GOOD)),
                        "-o", str(out), "--size", "384x512"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert Image.open(out).size == (384, 512)
    assert "神树->神树" in r.stdout


def test_render_several_candidates(tmp_path, capsys):
    out = tmp_path / "art.png"
    assert main(["render", str(write(tmp_path, GOOD)), "-o", str(out), "-n", "2", "--size", "256x256"]) == 0
    assert out.exists() and (tmp_path / "art-1.png").exists()


def test_motifs_and_fonts_json(capsys):
    assert main(["motifs", "--json"]) == 0
    motifs = json.loads(capsys.readouterr().out)
    assert {"sunbird", "sacred_tree", "eye_mask", "gold_mask", "standing_figure", "brocade"} <= {
        m["id"] for m in motifs}
    assert all(m["name_zh"] and m["name_en"] for m in motifs)
    assert main(["fonts", "--json"]) == 0
    fonts = {f["id"]: f for f in json.loads(capsys.readouterr().out)}
    assert fonts["song"]["outlines"] == "cff" and fonts["wenkai"]["embeddable"] is True


@pytest.mark.parametrize("content, message", [
    ("{oops", "not valid JSON"),
    ({"motif": "unicorn", "lines": GOOD["lines"]}, "motif: unknown motif 'unicorn'"),
    ({"motif": "sunbird", "lines": [{"text": "天", "box": [0, 0, .1, .1], "font": "x"}]},
     "lines[0].font: unknown font 'x'"),
    ({"motif": "sunbird", "lines": [{"text": "好😀", "box": [0, 0, .1, .1]}]}, "U+1F600"),
    ({"motif": "sunbird", "lines": []}, "lines: needs 1-5 lines"),
])
def test_bad_design_files_exit_2_with_one_line(tmp_path, content, message):
    r = subprocess.run([sys.executable, "-m", "generator", "render", str(write(tmp_path, content)),
                        "-o", str(tmp_path / "o.png")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not (tmp_path / "o.png").exists()


@pytest.mark.parametrize("args, message", [
    (["render", "/nonexistent/d.json", "-o", "x.png"], "cannot read design file"),
    (["render", "{d}", "-o", "/nonexistent/dir/x.png"], "not writable"),
    (["render", "{d}", "-o", "{tmp}/x.png", "--size", "500x500"], "multiples of 64"),
    (["render", "{d}", "-o", "{tmp}/x.png", "--backend", "magic"], "unknown backend"),
    (["eval", "--phrases", "/nonexistent.txt"], "cannot read phrases file"),
])
def test_bad_arguments_exit_2(tmp_path, capsys, args, message):
    d = write(tmp_path, GOOD)
    args = [a.format(d=d, tmp=tmp_path) for a in args]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_eval_accuracy_over_all_motifs_and_fonts(capsys):
    """The acceptance figure: sentence accuracy >= 0.98 on the public phrases, every motif, every font."""
    assert main(["eval", "--phrases", str(PHRASES)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    acc = float(last.split("sentence accuracy")[1].split()[0])
    ned = float(last.split("mean NED")[1].split()[0])
    assert acc >= 0.98, last
    assert ned >= 0.99, last
