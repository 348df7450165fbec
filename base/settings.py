"""Every KIOSK_* environment variable, read in one place into a typed, documented object.

    from base.settings import settings
    settings().db_url

`settings()` reads the environment on each call (cheap; cached per environment), so a test
or a command that changes a variable sees it at once. A bad value raises SettingsError naming
the variable and what it accepts: one line at the command line and in the kiosk, never a
traceback at import time. README's settings table is checked against `Settings` by a test.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from base.errors import KioskError

REPO = Path(__file__).resolve().parent.parent


class SettingsError(KioskError):
    """An environment variable holds a value the kiosk cannot use."""


class Settings(BaseSettings):
    """The kiosk's settings. Field `x` is read from `KIOSK_X`."""

    model_config = SettingsConfigDict(env_prefix="KIOSK_", extra="ignore", frozen=True)

    # where things live
    var: Path = Field(REPO / "var", description="folder for the queue database, job files, "
                      "the pinyin index (shared by every kiosk of a museum)")
    db_url: str | None = Field(None, description="SQLAlchemy URL of the job database "
                               "(default: SQLite file <var>/kiosk.db)")
    weights: Path | None = Field(None, description="weights folder (default: weights/)")
    layouts_dir: Path | None = Field(None, description="layout files folder (default: layouts/)")
    font_dirs: str = Field("", description="extra font folders, separated by ':'")
    hotfolder: Path | None = Field(None, description="folder approved PDFs are copied to "
                                   "(default: <var>/hotfolder)")
    printer: str = Field("", description="CUPS printer name; set, approved jobs go to `lp -d`")
    sheet: str = Field("sra3", description="press sheet of the cutter's n-up file")
    cmyk_icc: Path | None = Field(None, description="CMYK output ICC profile")

    # generation
    backend: str = Field("auto", description="procedural, anytext2, anytext or module:factory; "
                         "auto: AnyText2 when valid AnyText2 weights are present, else AnyText v1, "
                         "else procedural")
    worker: Literal["inprocess", "external"] = Field(
        "inprocess", description="inprocess: the kiosk server generates; external: "
        "`python -m jobs worker` processes do")
    worker_poll: float = Field(0.5, gt=0, le=60, description="seconds between queue polls")
    candidates: int = Field(3, ge=1, le=8, description="candidates per design at the kiosk")
    anytext_steps: int = Field(20, ge=1, le=200, description="AnyText denoising steps")
    repair_tries: int = Field(2, ge=0, le=20, description="edit-mode tries (new seeds) on a "
                              "line that does not read back, before we typeset it ourselves")
    repair_seconds: float = Field(60, ge=0, le=3600, description="time budget per job for those "
                                  "tries (typesetting, the last resort, always runs)")

    # the job queue
    max_attempts: int = Field(3, ge=1, le=100, description="claims of one step before it fails")
    lease_seconds: float = Field(60, gt=0, le=3600, description="heartbeat age after which a "
                                 "worker's job is taken back")
    choice_seconds: float = Field(1800, gt=0, description="unchosen candidates are abandoned "
                                  "after this long")

    # kiosk and staff pages
    idle_seconds: float = Field(120, gt=0, description="visitor screen resets after this idle time")
    fragment_seconds: float = Field(1.0, gt=0, le=60, description="progress redraw period")
    staff_password_hash: str = Field("", description="staff password hash (else secrets.toml)")
    staff_max_failures: int = Field(5, ge=1, description="wrong passwords before a lockout")
    staff_lock_seconds: float = Field(300, ge=0, description="lockout length")
    staff_session_seconds: float = Field(1800, gt=0, description="staff idle logout")
    staff_refresh_seconds: float = Field(10, gt=0, description="staff queue refresh period")

    def database_url(self) -> str:
        return self.db_url or f"sqlite:///{self.var / 'kiosk.db'}"

    def hotfolder_dir(self) -> Path:
        return self.hotfolder or self.var / "hotfolder"


def settings() -> Settings:
    """The settings for the current environment."""
    return _load(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("KIOSK_"))))


@functools.lru_cache(maxsize=8)
def _load(env: tuple[tuple[str, str], ...]) -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        e = exc.errors(include_url=False)[0]
        name = "KIOSK_" + str(e["loc"][0]).upper() if e["loc"] else "KIOSK_*"
        value = dict(env).get(name, "")
        raise SettingsError(f"setting {name}={value!r}: {e['msg']}",
                            f"设置 {name}={value!r} 无效：{e['msg']}", field=name) from None


def settings_table() -> str:
    """README's settings table (a test keeps the README equal to it)."""
    rows = ["| variable | default | what it sets |", "|---|---|---|"]
    for name, f in Settings.model_fields.items():
        default = f.default
        shown = "" if default in (None, "") else str(default).replace(str(REPO), "<repo>")
        rows.append(f"| `KIOSK_{name.upper()}` | {shown and f'`{shown}`'} | {f.description} |")
    return "\n".join(rows)
