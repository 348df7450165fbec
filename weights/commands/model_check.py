"""The model's own key check for reduced-size files, for the version the keys name.

The weights package sits below the model code; its commands pass this in as `model_check=`.
"""
from generator.anytext import convert as convert1
from generator.anytext2 import convert as convert2


def check_keys(rows, config=None):
    """AnyText2's converter when the keys carry an AnyText2 part, else v1's."""
    conv = convert2 if convert2.detect_version([r[0] for r in rows]) == 2 else convert1
    return conv.check_keys(rows, config)
