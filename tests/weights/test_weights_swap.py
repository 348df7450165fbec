"""swap-base replaces exactly the UNet and text encoder; kohya LoRA merges like the formula."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from conftest import TEXT, UNET, sd15_base
from weights import WeightsError, read_state_dict, resolve
from weights.cli import main
from weights.importing import import_file
from weights.lora import kohya_names, merge_lora, parse_lora_arg, unet_ldm_to_diffusers
from weights.swap import swap_base


def _save(path, sd):
    save_file({k: v.contiguous() for k, v in sd.items()}, path)
    return path


def test_swap_replaces_exactly_unet_and_text(small):
    base = sd15_base(small)
    out, replaced = swap_base(small, base, ignored=[TEXT + "embeddings.position_ids"])
    want = {k for k in small if k.startswith((UNET, TEXT))} - {TEXT + "embeddings.position_ids"}
    assert set(replaced) == want
    for k in small:
        if k in want:
            assert torch.equal(out[k], base[k]), k
            assert not torch.equal(out[k], small[k]), k
        else:
            assert out[k] is small[k], k          # ControlNet, VAE, OCR, proj untouched
    assert not any(k.startswith("model_ema") for k in out)


def test_swap_accepts_old_text_layout_and_keeps_dtype(small):
    half = {k: v.half() if v.is_floating_point() else v for k, v in small.items()}
    base = sd15_base(small, old_text_layout=True)
    assert not any(k.startswith(TEXT) for k in base)
    out, replaced = swap_base(half, base)
    k = TEXT + "encoder.layers.0.self_attn.q_proj.weight"
    assert k in replaced and out[k].dtype == torch.float16
    assert torch.equal(out[k], base["cond_stage_model.transformer.encoder.layers.0.self_attn"
                                    ".q_proj.weight"].half())


def test_swap_refuses_mismatch_missing_and_diffusers_layout(small):
    base = sd15_base(small)
    key = UNET + "input_blocks.1.1.proj_in.weight"
    base[key] = torch.zeros(16, 8, 1, 1)
    with pytest.raises(WeightsError, match=rf"{key} has shape \(16, 8, 1, 1\), AnyText needs "
                                           r"\(8, 8, 1, 1\)"):
        swap_base(small, base, "tuned.safetensors")
    base = sd15_base(small)
    del base[TEXT + "final_layer_norm.weight"]
    with pytest.raises(WeightsError, match=r"lacks 1 tensors .*final_layer_norm.weight"):
        swap_base(small, base)
    with pytest.raises(WeightsError, match="diffusers folder layout"):
        swap_base(small, {"conv_in.weight": torch.zeros(1)})


def test_kohya_names_map_to_ldm_keys():
    keys = [UNET + "input_blocks.1.0.in_layers.2.weight", UNET + "output_blocks.3.1.proj_in.weight",
            UNET + "middle_block.1.transformer_blocks.0.attn2.to_k.weight",
            UNET + "input_blocks.3.0.op.weight", UNET + "output_blocks.2.1.conv.weight",
            UNET + "output_blocks.5.2.conv.weight", UNET + "middle_block.2.emb_layers.1.weight",
            TEXT + "encoder.layers.11.mlp.fc2.weight"]
    names = kohya_names(keys)
    assert names["lora_unet_down_blocks_0_resnets_0_conv1"] == keys[0]
    assert names["lora_unet_up_blocks_1_attentions_0_proj_in"] == keys[1]
    assert names["lora_unet_mid_block_attentions_0_transformer_blocks_0_attn2_to_k"] == keys[2]
    assert names["lora_unet_down_blocks_0_downsamplers_0_conv"] == keys[3]
    assert names["lora_unet_up_blocks_0_upsamplers_0_conv"] == keys[4]
    assert names["lora_unet_up_blocks_1_upsamplers_0_conv"] == keys[5]
    assert names["lora_unet_mid_block_resnets_1_time_emb_proj"] == keys[6]
    assert names["lora_te_text_model_encoder_layers_11_mlp_fc2"] == keys[7]
    assert names["lora_unet_input_blocks_1_0_in_layers_2"] == keys[0]      # LDM-style names too
    assert unet_ldm_to_diffusers("out.2.bias") == "conv_out.bias"


def _lora(g, rank, w, conv3=False):
    out_ch, in_ch = w.shape[:2]
    if w.dim() == 2:
        return torch.randn(rank, in_ch, generator=g), torch.randn(out_ch, rank, generator=g)
    k = w.shape[2] if conv3 else 1
    return (torch.randn(rank, in_ch, k, k, generator=g), torch.randn(out_ch, rank, 1, 1, generator=g))


def test_lora_merge_equals_independent_computation(small):
    g = torch.Generator().manual_seed(5)
    lin = TEXT + "encoder.layers.0.self_attn.q_proj.weight"        # linear
    c1 = UNET + "input_blocks.1.1.proj_in.weight"                  # conv 1x1
    c3 = UNET + "input_blocks.1.0.in_layers.2.weight"              # conv 3x3
    layers = {"lora_te_text_model_encoder_layers_0_self_attn_q_proj": (lin, 4, 3.0, False),
              "lora_unet_down_blocks_0_attentions_0_proj_in": (c1, 2, None, False),
              "lora_unet_down_blocks_0_resnets_0_conv1": (c3, 4, 2.0, True)}
    lora = {}
    for name, (key, rank, alpha, conv3) in layers.items():
        down, up = _lora(g, rank, small[key], conv3)
        lora[name + ".lora_down.weight"], lora[name + ".lora_up.weight"] = down, up
        if alpha is not None:
            lora[name + ".alpha"] = torch.tensor(alpha)
    ratio = 0.7
    out, n = merge_lora(small, lora, ratio)
    assert n == 3
    # linear: W + r * up @ down * alpha / rank, written out by hand
    d, u = lora["lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_down.weight"], \
        lora["lora_te_text_model_encoder_layers_0_self_attn_q_proj.lora_up.weight"]
    assert torch.allclose(out[lin], small[lin] + ratio * (u @ d) * 3.0 / 4, atol=1e-5)
    # conv 1x1, no alpha (= rank): the merged conv equals base conv + up(down(x))
    x = torch.randn(1, 8, 5, 5, generator=g)
    d, u = (lora[f"lora_unet_down_blocks_0_attentions_0_proj_in.lora_{s}.weight"] for s in ("down", "up"))
    want = F.conv2d(x, small[c1]) + ratio * F.conv2d(F.conv2d(x, d), u)
    assert torch.allclose(F.conv2d(x, out[c1]), want, atol=1e-4)
    # conv 3x3: applying the merged kernel == base kernel + scale * (3x3 down conv, then 1x1 up)
    d, u = (lora[f"lora_unet_down_blocks_0_resnets_0_conv1.lora_{s}.weight"] for s in ("down", "up"))
    want = F.conv2d(x, small[c3], padding=1) + ratio * 2.0 / 4 * F.conv2d(F.conv2d(x, d, padding=1), u)
    assert torch.allclose(F.conv2d(x, out[c3], padding=1), want, atol=1e-4)
    untouched = set(small) - {lin, c1, c3}
    assert all(out[k] is small[k] for k in untouched)


def test_lora_refusals(small):
    with pytest.raises(WeightsError, match="not a kohya LoRA"):
        merge_lora(small, {"unet.down.lora_A.weight": torch.zeros(1)}, 1.0, "peft.safetensors")
    bad = {"lora_unet_no_such_layer.lora_down.weight": torch.zeros(2, 8),
           "lora_unet_no_such_layer.lora_up.weight": torch.zeros(8, 2)}
    with pytest.raises(WeightsError, match="1 LoRA layers match no layer .*lora_unet_no_such_layer"):
        merge_lora(small, bad)
    wrong = {"lora_unet_down_blocks_0_attentions_0_proj_in.lora_down.weight": torch.zeros(2, 5),
             "lora_unet_down_blocks_0_attentions_0_proj_in.lora_up.weight": torch.zeros(8, 2)}
    with pytest.raises(WeightsError, match="does not fit .*proj_in.weight"):
        merge_lora(small, wrong)
    locon = dict(wrong)
    locon["lora_unet_down_blocks_0_resnets_0_conv1.lora_mid.weight"] = torch.zeros(2, 2, 3, 3)
    with pytest.raises(WeightsError, match="unsupported LoRA variant .*lora_mid"):
        merge_lora(small, locon)
    assert parse_lora_arg("style.safetensors:0.6") == (parse_lora_arg("style.safetensors")[0], 0.6)
    assert parse_lora_arg("c:/x.safetensors")[1] == 1.0


def test_swap_base_cli_with_lora_records_and_activates(wdir, usb, sd, capsys):
    src = usb / "w.ckpt"
    torch.save({"state_dict": sd}, src)
    import_file(src)
    base = _save(usb / "heritage-dreambooth.safetensors", sd15_base(sd))
    key = TEXT + "encoder.layers.1.self_attn.v_proj.weight"
    rank = 2
    lora = {"lora_te_text_model_encoder_layers_1_self_attn_v_proj.lora_down.weight":
            torch.randn(rank, sd[key].shape[1]),
            "lora_te_text_model_encoder_layers_1_self_attn_v_proj.lora_up.weight":
            torch.randn(sd[key].shape[0], rank),
            "lora_te_text_model_encoder_layers_1_self_attn_v_proj.alpha": torch.tensor(1.0)}
    lfile = _save(usb / "bronze.safetensors", lora)
    assert main(["swap-base", str(base), "--lora", f"{lfile}:0.5"]) == 0
    out = capsys.readouterr().out
    assert "merged LoRA bronze.safetensors x0.5 into 1 layers" in out
    r = resolve()
    assert r.kind == "swapped" and r.checkpoint.name == \
        "anytext_v1.1+heritage-dreambooth+lora-bronzex0.5.safetensors"
    got = read_state_dict(r.checkpoint)
    b = read_state_dict(base)
    name = "lora_te_text_model_encoder_layers_1_self_attn_v_proj"
    up, down = lora[name + ".lora_up.weight"], lora[name + ".lora_down.weight"]
    want = b[key] + 0.5 * (up @ down) * 1.0 / rank
    assert torch.allclose(got[key], want, atol=1e-5)
    u = UNET + "input_blocks.1.0.in_layers.2.weight"
    assert torch.equal(got[u], b[u])
    c = "control_model.zero_convs.0.0.weight"
    assert torch.equal(got[c], sd[c])
    # LoRA alone, on the weights in use now (the swapped file), without switching
    assert main(["swap-base", "--lora", str(lfile), "-o", "more.safetensors", "--no-activate"]) == 0
    assert resolve().checkpoint == r.checkpoint
    assert read_state_dict(wdir / "more.safetensors")[key].shape == got[key].shape


def test_swap_base_cli_refuses_sd2_shapes(wdir, usb, sd, capsys):
    src = usb / "w.ckpt"
    torch.save({"state_dict": sd}, src)
    import_file(src)
    base = sd15_base(sd)
    key = UNET + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight"
    base[key] = torch.zeros(base[key].shape[0], 1024)
    path = _save(usb / "sd21.safetensors", base)
    assert main(["swap-base", str(path)]) == 2
    err = capsys.readouterr().err
    assert key in err and "SD 1.5" in err
    assert sorted(p.name for p in wdir.iterdir()) == [".lock", "state.json", "w.ckpt"]
