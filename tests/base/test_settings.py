"""One settings object: typed, documented, one clear message for a bad value."""
from __future__ import annotations

import subprocess
import sys

import pytest

from base.settings import REPO, SettingsError, settings, settings_table


def test_defaults_agree_on_the_var_folder(monkeypatch):
    monkeypatch.delenv("KIOSK_VAR", raising=False)
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)
    from jobs import files
    from textinput import pinyin

    # the file store and the pinyin index used to disagree (<repo>/var against ./var)
    assert files.var_dir() == pinyin.var_dir().resolve() == REPO / "var"
    assert settings().database_url() == f"sqlite:///{REPO / 'var' / 'kiosk.db'}"


def test_environment_changes_are_seen_at_once(monkeypatch, tmp_path):
    monkeypatch.setenv("KIOSK_VAR", str(tmp_path))
    monkeypatch.setenv("KIOSK_LEASE_SECONDS", "12.5")
    s = settings()
    assert s.var == tmp_path and s.lease_seconds == 12.5
    assert s.hotfolder_dir() == tmp_path / "hotfolder"


@pytest.mark.parametrize("name, value, words", [
    ("KIOSK_LEASE_SECONDS", "soon", "valid number"),
    ("KIOSK_CANDIDATES", "0", "greater than or equal to 1"),
    ("KIOSK_WORKER", "sometimes", "'inprocess' or 'external'"),
    ("KIOSK_LEASE_SECONDS", "nan", "less than or equal"),
])
def test_a_bad_value_names_the_variable(monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        settings()
    assert err.value.en.startswith(f"setting {name}={value!r}: ") and words in err.value.en
    assert name in err.value.zh


def test_a_bad_value_is_one_line_at_the_command_line_not_a_traceback_at_import(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "KIOSK_VAR": str(tmp_path), "KIOSK_MAX_ATTEMPTS": "many"}
    res = subprocess.run([sys.executable, "-m", "jobs", "list"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 2, res.stderr
    assert res.stderr.strip() == ("error: setting KIOSK_MAX_ATTEMPTS='many': Input should be a "
                                  "valid integer, unable to parse string as an integer")


def test_readme_settings_table_is_the_settings_object():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert settings_table() in readme, "README's settings table is out of date:\n" + settings_table()


def test_no_module_reads_kiosk_variables_itself():
    offenders = []
    for path in REPO.glob("*/**/*.py"):
        # bench/ and tests/ set variables for the processes they start; they read none
        if path.parts[len(REPO.parts)] in (".venv", "tests", "var", "bench") or path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "environ" in text and "KIOSK_" in text:
            offenders.append(str(path.relative_to(REPO)))
    assert not offenders, offenders
