"""Shared fixtures for the AnyText tests: the parity fixture in ../shared and tiny models."""
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TINY_DIR = SHARED / "reference" / "anytext_tiny"
KEYS_V1 = SHARED / "reference" / "anytext_v1_keys.tsv"


@pytest.fixture(scope="session")
def keys_v1():
    if not KEYS_V1.exists():
        pytest.skip(f"key list missing: {KEYS_V1}")
    return KEYS_V1


@pytest.fixture(scope="session")
def tiny_dir():
    if not (TINY_DIR / "golden_run1.safetensors").exists():
        pytest.skip(f"parity fixture missing: {TINY_DIR}")
    return TINY_DIR


@pytest.fixture(scope="session")
def golden(tiny_dir):
    from safetensors.torch import load_file
    return load_file(str(tiny_dir / "golden_run1.safetensors"))


@pytest.fixture(scope="session")
def fixture_config(tiny_dir):
    import json
    return json.loads((tiny_dir / "config.json").read_text())


@pytest.fixture(scope="session")
def fixture_state_dict(tiny_dir):
    """The fixture's weights rebuilt with its own tiny_weights.py (not copied into the repo)."""
    sys.path.insert(0, str(tiny_dir))
    try:
        from tiny_weights import make_state_dict
    finally:
        sys.path.remove(str(tiny_dir))
    return make_state_dict(str(tiny_dir / "keys.tsv"), seed=1234)


@pytest.fixture(scope="session")
def fixture_model(fixture_state_dict):
    from generator.anytext.convert import load_official
    return load_official(fixture_state_dict)


@pytest.fixture(scope="session")
def fixture_pipe(fixture_model):
    from generator.anytext.pipeline import AnyTextPipeline
    from generator.anytext.tokenizer import load_tokenizer
    from base.fonts import get_font
    return AnyTextPipeline(fixture_model, load_tokenizer(), get_font("wenkai").path)
