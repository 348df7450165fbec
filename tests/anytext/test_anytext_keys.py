"""Official key layout: the full v1 key list maps onto our full-size model (meta device), the
tiny layout we write loads back, and bad state dicts are refused with a clear message."""
import pytest
import torch

from generator.anytext import convert
from generator.anytext.config import AnyTextConfig



@pytest.fixture(scope="module")
def v1_rows(keys_v1):
    return convert.read_keys_tsv(keys_v1)


def test_check_keys_full_v1(v1_rows):
    rep = convert.check_keys(v1_rows, AnyTextConfig.full())
    assert rep.ok, rep.summary()
    assert len(rep.mapped) == 1720
    assert (rep.missing, rep.unexpected, rep.shape_mismatches) == ([], [], [])
    assert sorted(rep.ignored) == sorted(convert.IGNORED)  # 13 schedule buffers + position_ids


def test_config_inferred_from_shapes(v1_rows):
    shapes = {k: torch.empty(s, device="meta") for k, s, _ in v1_rows}
    assert AnyTextConfig.from_state_dict(shapes) == AnyTextConfig.full()
    assert convert.check_keys(v1_rows).ok  # config=None infers the same


def test_official_names_generator_matches_key_list(v1_rows):
    names = set(convert.official_key_names(AnyTextConfig.full())) | convert.IGNORED
    assert names == {k for k, _, _ in v1_rows}


def test_check_keys_reports_problems(v1_rows):
    rows = [r for r in v1_rows if r[0] != "control_model.fuse_block.weight"]
    rows = [(k, (5, 5) if k == "embedding_manager.proj.0.weight" else s, d) for k, s, d in rows]
    rows.append(("model.diffusion_model.extra.weight", (3,), "float32"))
    rep = convert.check_keys(rows, AnyTextConfig.full())
    assert not rep.ok
    assert rep.missing == ["controlnet.controlnet_cond_embedding.fuse_block.weight"]
    assert rep.unexpected == ["model.diffusion_model.extra.weight"]
    assert [m[0] for m in rep.shape_mismatches] == ["embedding_manager.proj.0.weight"]


@pytest.fixture(scope="module")
def tiny_sd():
    return convert.make_tiny_state_dict(seed=0)


def test_make_tiny_loads_strictly(tiny_sd):
    assert "model.diffusion_model.input_blocks.0.0.weight" in tiny_sd and "betas" in tiny_sd
    assert AnyTextConfig.from_state_dict(tiny_sd) == AnyTextConfig.tiny()
    model = convert.load_official(tiny_sd)
    # every official tensor landed where the mapping says (spot checks across components)
    assert torch.equal(model.unet.conv_in.weight, tiny_sd["model.diffusion_model.input_blocks.0.0.weight"])
    assert torch.equal(model.aux.fuse_block.weight, tiny_sd["control_model.fuse_block.weight"])
    assert torch.equal(model.controlnet.controlnet_down_blocks[3].weight, tiny_sd["control_model.zero_convs.3.0.weight"])
    assert torch.equal(model.vae.encoder.mid_block.attentions[0].to_q.weight,
                       tiny_sd["first_stage_model.encoder.mid.attn_1.q.weight"][:, :, 0, 0])
    assert torch.equal(model.text_embedder.proj[0].weight, tiny_sd["embedding_manager.proj.0.weight"])
    assert next(model.parameters()).device.type == "cpu"
    assert torch.equal(convert.make_tiny_state_dict(seed=0)["control_model.fuse_block.bias"],
                       tiny_sd["control_model.fuse_block.bias"])  # deterministic for a seed


def test_fp16_without_ignored_keys_loads(tiny_sd):
    half = {k: (v.half() if v.is_floating_point() else v) for k, v in tiny_sd.items() if k not in convert.IGNORED}
    model = convert.load_official(half, dtype=torch.float32)
    assert model.unet.conv_in.weight.dtype == torch.float32


@pytest.mark.parametrize("damage", ["drop", "shape", "extra"])
def test_bad_state_dicts_refused(tiny_sd, damage):
    sd = dict(tiny_sd)
    if damage == "drop":
        del sd["control_model.glyph_block.2.weight"]
    elif damage == "shape":
        sd["first_stage_model.quant_conv.bias"] = torch.zeros(3)
    else:
        sd["model.diffusion_model.surprise.weight"] = torch.zeros(2)
    with pytest.raises(ValueError, match="AnyText v1 layout"):
        convert.check_state_dict(sd)
    with pytest.raises(ValueError, match="AnyText v1 layout"):
        convert.load_official(sd)


def test_not_anytext_at_all():
    with pytest.raises(ValueError, match="not an AnyText v1 checkpoint"):
        convert.check_state_dict({"foo.weight": torch.zeros(2)})
