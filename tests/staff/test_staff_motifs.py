"""Trained motifs on the staff page: samples shown, enabled only after staff tick that they looked
at them, audited; the gallery offers an enabled photo-only motif only while AnyText runs."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from jobs import staff_auth
from jobs import store as q
from weights.adapters import AdapterRecord, load_adapters, record_adapter

REPO = Path(__file__).resolve().parents[2]
PAGE = str(REPO / "kiosk" / "staff.py")
PASSWORD = "correct horse 12"


def trained_record(folder: Path, motif_id: str = "vessel") -> AdapterRecord:
    """What train-motif records (the adapter file itself is not needed by the staff page)."""
    d = folder / "adapters" / motif_id
    d.mkdir(parents=True, exist_ok=True)
    for i in range(2):
        Image.new("RGB", (64, 64), (150, 110 + 40 * i, 50)).save(d / f"sample_{i}.png")
    Image.new("RGB", (64, 64), (90, 60, 30)).save(d / "photo.jpg")
    return record_adapter(AdapterRecord(
        id=motif_id, name_zh="铜尊", name_en="Bronze vessel", file=f"adapters/{motif_id}.safetensors",
        sha256="0" * 64, base_file="anytext_tiny.ckpt", base_sha256="1" * 64, method="lora",
        token="xin", steps=800, rank=8, photos=12,
        samples=[f"adapters/{motif_id}/sample_{i}.png" for i in range(2)],
        photo=f"adapters/{motif_id}/photo.jpg"), folder)


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_VAR", str(tmp_path / "var"))
    monkeypatch.setenv("KIOSK_WEIGHTS", str(tmp_path / "weights"))
    for name in ("KIOSK_DB_URL", "KIOSK_PRINTER", "KIOSK_HOTFOLDER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KIOSK_BACKEND", "procedural")
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD_HASH", staff_auth.hash_password(PASSWORD, iterations=1000))
    trained_record(tmp_path / "weights")
    store = q.Store()
    yield tmp_path / "weights", store
    store.dispose()


def _staff():
    at = AppTest.from_file(PAGE, default_timeout=30).run()
    at.text_input(key="s_login_name").input("Ann")
    at.text_input(key="s_login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    return at


def test_staff_enable_after_looking_at_the_samples(env):
    from generator.motifs import gallery_motifs

    wdir, store = env
    at = _staff()
    assert any("Bronze vessel" in m.value for m in at.markdown)
    assert at.button(key="s_motif_on_vessel").disabled          # samples not looked at yet
    assert not any(m.id == "vessel" for m in gallery_motifs(diffusion=True))
    at.checkbox(key="s_motif_seen_vessel").check().run()
    at.button(key="s_motif_on_vessel").click().run()
    assert not at.exception
    rec = load_adapters(wdir).adapters["vessel"]
    assert rec.enabled and rec.enabled_by == "staff:Ann"
    assert [e.action for e in store.audit_log(action="motif_enable")] == ["motif_enable"]
    # the gallery offers it while a diffusion backend runs, never to the procedural one
    tile = [m for m in gallery_motifs(diffusion=True) if m.id == "vessel"]
    assert tile and tile[0].tile == wdir / "adapters/vessel/sample_0.png"
    assert not any(m.id == "vessel" for m in gallery_motifs(diffusion=False))
    at.button(key="s_motif_off_vessel").click().run()
    assert not load_adapters(wdir).adapters["vessel"].enabled


def test_retraining_disables_the_motif_again(env):
    from jobs.staff import set_motif_enabled

    wdir, store = env
    set_motif_enabled(store, "vessel", True, actor="Ann")
    trained_record(wdir)                                       # new samples to judge
    assert not load_adapters(wdir).adapters["vessel"].enabled


def test_visitor_gallery_follows_the_backend(env, monkeypatch):
    from jobs.staff import set_motif_enabled

    _, store = env
    set_motif_enabled(store, "vessel", True, actor="Ann")
    from kiosk import preview

    img = preview.motif_picture("vessel", 480, 360)           # the gallery tile: its sample
    assert img.size == (480, 360) and img.getpixel((240, 180)) == (150, 110, 50)
    app = str(REPO / "streamlit_app.py")
    for backend, offered in (("procedural", False), ("anytext", True)):
        monkeypatch.setenv("KIOSK_BACKEND", backend)
        at = AppTest.from_file(app, default_timeout=30).run()
        at.button(key="v_start_btn").click().run()
        assert not at.exception
        keys = {b.key for b in at.button}
        assert "v_motif_sunbird" in keys and ("v_motif_vessel" in keys) == offered, backend
    # the visitor goes on with it: product tiles and the text step draw its sample picture
    at.button(key="v_motif_vessel").click().run()
    at.button(key="v_product_postcard").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state["v_motif"] == "vessel" and at.session_state["v_step"] == "text"
