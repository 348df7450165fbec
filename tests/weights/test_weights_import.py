"""import: copy with progress, verify, sha256 recorded, atomic; status follows."""
from __future__ import annotations

import errno
import hashlib
import json

import pytest
import torch

from weights import WeightsError, resolve, status
from weights.cli import main
from weights.importing import import_file, import_path
from weights.state import load_state


def _ckpt(path, sd):
    torch.save({"state_dict": sd}, path)
    return path


def test_import_with_progress_records_sha_and_status(wdir, usb, sd):
    src = _ckpt(usb / "anytext_tiny_test.ckpt", sd)
    seen = []
    rec = import_file(src, progress=lambda name, done, total: seen.append((name, done, total)))
    data = src.read_bytes()
    assert rec["sha256"] == hashlib.sha256(data).hexdigest()
    assert seen[-1] == (src.name, len(data), len(data))
    assert [d for _, d, _ in seen] == sorted(d for _, d, _ in seen)
    assert (wdir / src.name).read_bytes() == data
    state = json.loads((wdir / "state.json").read_text())
    assert state["files"][src.name]["sha256"] == rec["sha256"]
    assert state["files"][src.name]["size_class"] == "reduced"
    r = resolve()
    assert r.checkpoint == wdir / src.name and r.glyph_font == "hei"
    st = status()
    assert st.backend == "anytext" and st.use == src.name
    assert [p for p in wdir.iterdir() if "partial" in p.name] == []


def test_import_cli_prints_progress_and_backend(wdir, usb, sd, capsys):
    src = _ckpt(usb / "w.ckpt", sd)
    assert main(["import", str(src)]) == 0
    out, err = capsys.readouterr()
    assert "100%" in err and "bytes" in err
    assert "imported w.ckpt" in out and "kiosk backend: anytext" in out
    assert main(["status", "--json"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["backend"] == "anytext" and st["use"] == "w.ckpt"
    assert st["dir"] == str(wdir)


class FullDisk:
    """A destination that takes one chunk and then fails like a full disk."""

    def __init__(self):
        self.writes = 0

    def __call__(self, path, mode):
        outer = self
        f = open(path, mode)

        class Writer:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                f.close()

            def write(self, b):
                outer.writes += 1
                if outer.writes > 1:
                    raise OSError(errno.ENOSPC, "No space left on device", str(path))
                return f.write(b)

            def flush(self):
                f.flush()

            def fileno(self):
                return f.fileno()

        return Writer()


def test_full_disk_leaves_nothing_and_keeps_old_file(wdir, usb, sd, monkeypatch):
    import weights.importing as imp

    monkeypatch.setattr(imp, "CHUNK", 1024)     # several chunks for a small file
    src = _ckpt(usb / "w.ckpt", sd)
    import_file(src)                             # a good copy is already installed
    before = (wdir / "w.ckpt").read_bytes()
    newer = _ckpt(usb / "w.ckpt", {k: v + 1 if v.is_floating_point() else v
                                   for k, v in sd.items()})
    opener = FullDisk()
    with pytest.raises(WeightsError, match="not enough free space .*nothing was written"):
        import_file(newer, opener=opener)
    assert opener.writes == 2
    assert sorted(p.name for p in wdir.iterdir()) == ["state.json", "w.ckpt"]
    assert (wdir / "w.ckpt").read_bytes() == before
    assert status().backend == "anytext"


def test_cli_full_disk_is_one_line_exit_2(wdir, usb, sd, monkeypatch, capsys):
    import weights.importing as imp

    monkeypatch.setattr(imp.shutil, "disk_usage", 
                        lambda p: imp.shutil._ntuple_diskusage(10, 10, 10))
    src = _ckpt(usb / "w.ckpt", sd)
    assert main(["import", str(src)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not enough free space" in err and "Traceback" not in err
    assert [p.name for p in wdir.iterdir()] == [".lock"]     # the command lock, nothing else


def test_bad_source_is_not_installed(wdir, usb, sd):
    src = _ckpt(usb / "w.ckpt", sd)
    data = src.read_bytes()
    src.write_bytes(data[:-500])
    with pytest.raises(WeightsError, match="truncated"):
        import_file(src)
    assert list(wdir.iterdir()) == []
    with pytest.raises(WeightsError, match="not found"):
        import_file(usb / "missing.ckpt")
    (usb / "notes.txt").write_text("x")
    with pytest.raises(WeightsError, match="not a weights file"):
        import_file(usb / "notes.txt")


def test_official_name_too_small_fails_before_copy(wdir, usb, sd):
    src = _ckpt(usb / "anytext_v1.1.ckpt", sd)
    with pytest.raises(WeightsError, match=r"expected at least 5,729,527,748 .*truncated"):
        import_file(src)
    assert list(wdir.iterdir()) == []


def test_import_model_folder_with_tokenizer(wdir, usb, sd):
    folder = usb / "cv_anytext_text_generation_editing"
    tok = folder / "clip-vit-large-patch14"
    tok.mkdir(parents=True)
    (tok / "vocab.json").write_text("{}")
    (tok / "merges.txt").write_text("#version: 0.2\n")
    _ckpt(folder / "w.ckpt", sd)
    (folder / "configuration.json").write_text("{}")
    done = import_path(folder)
    assert len(done) == 2 and done[1] == "imported tokenizer clip-vit-large-patch14/"
    r = resolve()
    assert r.tokenizer == wdir / "clip-vit-large-patch14"
    tokstat = [f for f in status().files if f.role == "tokenizer"][0]
    assert tokstat.verified and tokstat.problem is None


def test_changed_file_is_not_trusted(wdir, usb, sd, capsys):
    src = _ckpt(usb / "w.ckpt", sd)
    import_file(src)
    data = (wdir / "w.ckpt").read_bytes()
    (wdir / "w.ckpt").write_bytes(data[:-100])     # e.g. damaged by a bad disk
    st = status()
    assert st.backend == "procedural"
    assert "changed since it was verified" in st.reason
    assert resolve() is None
    # hand-copied files are checked in place with `verify`
    assert main(["verify", "w.ckpt"]) == 2
    assert "w.ckpt" in capsys.readouterr().err
    src2 = _ckpt(usb / "w2.ckpt", sd)
    (wdir / "w2.ckpt").write_bytes(src2.read_bytes())
    assert main(["verify", "w2.ckpt"]) == 0
    assert "verified w2.ckpt" in capsys.readouterr().out
    assert resolve().checkpoint.name == "w2.ckpt"


def test_status_empty_folder(wdir, capsys):
    st = status()
    assert st.backend == "procedural" and "python -m weights import" in st.reason
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "kiosk backend: procedural" in out and "anytext_v1.1.ckpt" in out
    # an official-named file copied by hand but never verified: not used, and says why
    (wdir / "anytext_v1.1.ckpt").write_bytes(b"PK\x03\x04" + b"\0" * 100)
    st = status()
    assert st.backend == "procedural" and "expected at least" in st.reason


def test_use_switches_and_refuses_unknown(wdir, usb, sd, capsys):
    import_file(_ckpt(usb / "a.ckpt", sd))
    import_file(_ckpt(usb / "b.ckpt", sd))
    assert main(["use", "a.ckpt"]) == 0
    assert resolve().checkpoint.name == "a.ckpt"
    assert main(["use", "nope.ckpt"]) == 2
    assert load_state().active == "a.ckpt"
    assert main(["use", "auto"]) == 0 and load_state().active is None


def test_damaged_state_file_falls_back_to_procedural(wdir, usb, sd, capsys):
    import_file(_ckpt(usb / "w.ckpt", sd))
    (wdir / "state.json").write_text("{not json")
    st = status()
    assert st.backend == "procedural" and "state.json" in st.reason
    assert main(["use", "w.ckpt"]) == 2
    assert "state.json" in capsys.readouterr().err
    assert main(["verify"]) == 2                # says to delete the damaged record


def test_glyph_font_setting(wdir, usb, sd, capsys):
    import_file(_ckpt(usb / "w.ckpt", sd))
    assert resolve().glyph_font == "hei"                 # the manifest default
    assert main(["glyph-font", "song"]) == 0
    assert resolve().glyph_font == "song" and status().glyph_font == "song"
    assert main(["glyph-font", "arial"]) == 2
    assert "unknown font 'arial'" in capsys.readouterr().err
    assert main(["glyph-font", "default"]) == 0 and resolve().glyph_font == "hei"


def test_one_changing_command_at_a_time(wdir, usb, sd, capsys):
    from weights.state import folder_lock

    src = _ckpt(usb / "w.ckpt", sd)
    with folder_lock(wdir):
        assert main(["import", str(src)]) == 2
        assert "another `python -m weights` command" in capsys.readouterr().err
        assert main(["status"]) == 0                  # reading is always allowed
    assert main(["import", str(src)]) == 0


def test_usb_pulled_mid_copy(wdir, usb, sd, monkeypatch):
    """The source fails to read half way (EIO): one clear error, nothing left behind."""
    import builtins

    import weights.importing as imp

    monkeypatch.setattr(imp, "CHUNK", 4096)
    src = _ckpt(usb / "w.ckpt", sd)

    class Dying:
        def __init__(self, f):
            self.f, self.reads = f, 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def read(self, n=-1):
            self.reads += 1
            if self.reads > 3:
                raise OSError(errno.EIO, "Input/output error", str(src))
            return self.f.read(n)

    def fake_open(path, mode="r", *a, **k):
        f = builtins.open(path, mode, *a, **k)
        return Dying(f) if str(path) == str(src) and "r" in mode else f

    monkeypatch.setattr(imp, "open", fake_open, raising=False)
    with pytest.raises(WeightsError, match=r"cannot copy .*w\.ckpt: Input/output error; nothing "
                                           r"was written"):
        import_file(src)
    assert list(wdir.iterdir()) == []
