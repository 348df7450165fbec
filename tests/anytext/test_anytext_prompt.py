"""AnyText v1 cannot follow a colour: each line's colour is named in the prompt instead."""
from __future__ import annotations

import pytest

from generator.anytext.backend import build_prompt, colour_name


@pytest.mark.parametrize("hex_colour, name", [
    ("#F5D27A", "gold"), ("#C0392B", "red"), ("#3E9C7E", "jade green"), ("#1E1A17", "black"),
    ("#FFFFFF", "white"), ("#2040C0", "blue"), ("#FFE600", "yellow"), ("#808080", "grey"),
])
def test_colour_names(hex_colour, name):
    assert colour_name(hex_colour) == name
    assert colour_name(hex_colour.lower()) == name


def test_prompt_names_each_lines_colour_outside_the_quotes():
    from generator.anytext.pipeline import modify_prompt

    prompt = build_prompt("a golden sunbird", ["天路", "金沙"], ["#C0392B", "#3E9C7E"])
    assert prompt == 'a golden sunbird, with the words "天路" in red, "金沙" in jade green written on it'
    rewritten, texts = modify_prompt(prompt)
    assert texts == ["天路", "金沙"]                 # the colour words are not text to draw
    assert "in red" in rewritten and "in jade green" in rewritten
    # no colours: the prompt is as before
    assert build_prompt("a sunbird", ["天路"]) == 'a sunbird, with the words "天路" written on it'
    assert build_prompt("a sunbird", []) == "a sunbird"
