"""Fixtures for the text-input tests: one recognizer and one pinyin index per test run."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def recognizer():
    from textinput.handwriting import Recognizer

    return Recognizer()


@pytest.fixture(scope="session")
def pinyin_index_path(tmp_path_factory):
    from textinput.pinyin import build_index

    return build_index(tmp_path_factory.mktemp("textinput") / "pinyin_index.sqlite")


@pytest.fixture(scope="session")
def pinyin_index(pinyin_index_path):
    from textinput.pinyin import PinyinIndex

    return PinyinIndex(pinyin_index_path, build=False)
