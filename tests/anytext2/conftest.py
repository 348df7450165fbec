"""Shared fixtures for the AnyText2 tests: the parity fixture in ../shared (anytext2_tiny)."""
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TINY2_DIR = SHARED / "reference" / "anytext2_tiny"
KEYS_V2 = SHARED / "reference" / "anytext_v2_keys.tsv"


@pytest.fixture(scope="session")
def keys_v2():
    if not KEYS_V2.exists():
        pytest.skip(f"key list missing: {KEYS_V2}")
    return KEYS_V2


@pytest.fixture(scope="session")
def tiny2_dir():
    if not (TINY2_DIR / "golden_run1.safetensors").exists():
        pytest.skip(f"parity fixture missing: {TINY2_DIR}")
    return TINY2_DIR


@pytest.fixture(scope="session")
def golden2(tiny2_dir):
    from safetensors.torch import load_file
    return load_file(str(tiny2_dir / "golden_run1.safetensors"))


@pytest.fixture(scope="session")
def fixture2_config(tiny2_dir):
    import json
    return json.loads((tiny2_dir / "config.json").read_text())


@pytest.fixture(scope="session")
def fixture2_state_dict(tiny2_dir):
    """The fixture's weights rebuilt with its own tiny_weights2.py (not copied into the repo)."""
    sys.path.insert(0, str(tiny2_dir))
    try:
        from tiny_weights2 import make_state_dict
    finally:
        sys.path.remove(str(tiny2_dir))
    return make_state_dict(str(tiny2_dir / "keys.tsv"), seed=1234)


@pytest.fixture(scope="session")
def fixture2_model(fixture2_state_dict):
    from generator.anytext2.convert import load_official
    return load_official(fixture2_state_dict)


@pytest.fixture(scope="session")
def fixture2_pipe(fixture2_model):
    from base.fonts import get_font
    from generator.anytext.tokenizer import load_tokenizer
    from generator.anytext2.pipeline import AnyText2Pipeline
    return AnyText2Pipeline(fixture2_model, load_tokenizer(), get_font("wenkai").path)
