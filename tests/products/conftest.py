"""Fixtures for tests/products (helpers live in products_helpers.py: a unique module name)."""
from __future__ import annotations

import pytest

from products_helpers import DESIGNS, Built, design


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """name -> Built, for every design in DESIGNS (CMYK, default settings)."""
    from products import build

    out = {}
    d = tmp_path_factory.mktemp("products")
    for name in DESIGNS:
        path = d / f"{name}.pdf"
        out[name] = Built(name, build(design(name), out=path), path)
    return out


@pytest.fixture(scope="session")
def deck(tmp_path_factory):
    from products import build

    path = tmp_path_factory.mktemp("deck") / "deck.pdf"
    return Built("poker", build(design("poker"), deck=True, out=path), path)
