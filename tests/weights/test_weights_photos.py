"""train-motif checks the photos first: each bad case is named with its reason, nothing trains."""
from __future__ import annotations

import io

import pytest
from motif_photos import vessel_photo, write_photos
from PIL import Image

from base.errors import KioskError
from weights.cli import main
from weights.photos import MAX_PIXELS, check_photos, square_crops


def _train(folder, wdir):
    return main(["--dir", str(wdir), "train-motif", str(folder), "--id", "vessel",
                 "--name-zh", "铜尊", "--name-en", "Bronze vessel", "--steps", "2"])


def test_good_photos_pass_and_crop_square(tmp_path):
    photos = check_photos(write_photos(tmp_path / "p"))
    assert [p.path.name for p in photos] == [f"vessel_{i}.png" for i in range(5)]
    crops = square_crops(photos[0], 64)
    assert [c.size for c in crops] == [(64, 64)]


def _corrupt(folder):
    buf = io.BytesIO()
    vessel_photo(9).save(buf, "PNG")
    (folder / "broken.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


def _small(folder):
    vessel_photo(9, (400, 300)).save(folder / "small.png")


def _not_image(folder):
    (folder / "notes.jpg").write_text("opening hours: 9-17\n")


def _bomb(folder):
    # a 1-bit PNG of 100 megapixels: a few kB on disk, 100 MB once decoded
    Image.new("1", (10_000, 10_000)).save(folder / "bomb.png")


def _duplicate(folder):
    # the same pixels under another name and format
    Image.open(folder / "vessel_0.png").save(folder / "vessel_0_copy.bmp")


@pytest.mark.parametrize("make, name, words", [
    (_corrupt, "broken.png", "corrupt or truncated"),
    (_small, "small.png", "too small: 400x300 px"),
    (_not_image, "notes.jpg", "not an image"),
    (_bomb, "bomb.png", "decompression bomb"),
    (_duplicate, "vessel_0_copy.bmp", "duplicate of vessel_0.png"),
])
def test_each_bad_photo_is_named_and_nothing_trains(tmp_path, capsys, make, name, words):
    folder = write_photos(tmp_path / "p")
    make(folder)
    with pytest.raises(KioskError) as e:
        check_photos(folder)
    assert f"{name}: {words}" in e.value.en and "nothing was trained" in e.value.en
    assert name in e.value.zh
    wdir = tmp_path / "w"
    assert _train(folder, wdir) == 2          # refused before any model loads
    err = capsys.readouterr().err
    assert name in err and words in err
    assert not (wdir / "adapters").exists() and not (wdir / "training").exists()


def test_bomb_limit_is_sane():
    assert Image.MAX_IMAGE_PIXELS == MAX_PIXELS and 40_000_000 <= MAX_PIXELS <= 100_000_000


@pytest.mark.parametrize("n", [3, 51])
def test_too_few_or_too_many_photos(tmp_path, n):
    folder = tmp_path / "p"
    folder.mkdir()
    for i in range(n):   # distinct pictures: only the count is wrong
        vessel_photo(i % 5, (512 + i, 512)).save(folder / f"v{i}.png")
    with pytest.raises(KioskError, match=f"has {n} photos; 5 to 50 are needed"):
        check_photos(folder)


def test_missing_folder(tmp_path):
    with pytest.raises(KioskError, match="not found"):
        check_photos(tmp_path / "nothing")
