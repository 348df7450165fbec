"""Small synthetic checkpoints in the official AnyText key naming (a few keys per prefix)."""
from __future__ import annotations

import pytest
import torch

UNET = "model.diffusion_model."
TEXT = "cond_stage_model.transformer.text_model."


def synthetic_state_dict(seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)

    def r(*shape):
        return torch.randn(*shape, generator=g)

    sd = {
        "betas": torch.linspace(0.00085, 0.012, 1000),
        "alphas_cumprod": torch.linspace(0.99, 0.01, 1000),
        UNET + "time_embed.0.weight": r(16, 8),          # reduced size: not the 1280x320 probe
        UNET + "time_embed.0.bias": r(16),
        UNET + "input_blocks.1.0.in_layers.2.weight": r(8, 8, 3, 3),
        UNET + "input_blocks.1.0.in_layers.2.bias": r(8),
        UNET + "input_blocks.1.1.proj_in.weight": r(8, 8, 1, 1),
        UNET + "input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight": r(8, 8),
        UNET + "output_blocks.3.1.proj_in.weight": r(8, 8, 1, 1),
        UNET + "middle_block.0.in_layers.2.weight": r(8, 8, 3, 3),
        "control_model.input_blocks.0.0.weight": r(8, 4, 3, 3),
        "control_model.zero_convs.0.0.weight": r(8, 8, 1, 1),
        "control_model.glyph_block.0.weight": r(8, 1, 3, 3),
        TEXT + "embeddings.token_embedding.weight": r(50, 6),
        TEXT + "embeddings.position_ids": torch.arange(77).unsqueeze(0),
        TEXT + "encoder.layers.0.self_attn.q_proj.weight": r(6, 6),
        TEXT + "encoder.layers.0.self_attn.q_proj.bias": r(6),
        TEXT + "final_layer_norm.weight": 1 + 0.1 * r(6),
        "first_stage_model.encoder.conv_in.weight": r(4, 3, 3, 3),
        "first_stage_model.decoder.conv_out.weight": r(3, 4, 3, 3),
        "text_predictor.backbone.conv1._conv.weight": r(4, 3, 3, 3),
        "text_predictor.backbone.conv1._batch_norm.running_var": 0.5 + torch.rand(4, generator=g),
        "text_predictor.backbone.conv1._batch_norm.num_batches_tracked": torch.tensor(0),
        "embedding_manager.proj.0.weight": r(6, 12),
        "embedding_manager.proj.0.bias": r(6),
        "embedding_manager.proj.1.weight": 1 + 0.1 * r(6),
        "embedding_manager.proj.1.bias": r(6),
    }
    return sd


def sd15_base(sd: dict, seed: int = 1, old_text_layout: bool = False) -> dict:
    """An 'SD 1.5' checkpoint with the same UNet/text shapes as sd (and some extra keys)."""
    g = torch.Generator().manual_seed(seed)
    base = {}
    for k, v in sd.items():
        if k.startswith(UNET) or k.startswith(TEXT):
            name = k.replace(TEXT, "cond_stage_model.transformer.") if old_text_layout else k
            base[name] = (torch.randn(v.shape, generator=g) if v.is_floating_point() else v.clone())
    base["first_stage_model.encoder.conv_in.weight"] = torch.zeros(4, 3, 3, 3)  # must NOT be used
    base["model_ema.decay"] = torch.tensor(0.999)
    return base


def micro_config():
    """Smaller than the parity fixture's tiny size (2 levels, small vocab): ~5.5 M numbers."""
    from generator.anytext.config import AnyTextConfig

    return AnyTextConfig.tiny().replace(channel_mult=(1, 2), vae_ch_mult=(1, 2), clip_vocab=1000,
                                        ocr_classes=100)


@pytest.fixture(scope="session")
def _model_sd():
    from generator.anytext.convert import make_tiny_state_dict

    return make_tiny_state_dict(0, micro_config())


@pytest.fixture
def sd(_model_sd):
    """A real (reduced-size) AnyText v1 checkpoint in the official layout; the model accepts it."""
    return dict(_model_sd)


@pytest.fixture
def small():
    """A handful of official-layout keys, for unit tests of swap and LoRA."""
    return synthetic_state_dict()


@pytest.fixture
def wdir(tmp_path, monkeypatch):
    d = tmp_path / "weights"
    d.mkdir()
    monkeypatch.setenv("KIOSK_WEIGHTS", str(d))
    return d


@pytest.fixture
def usb(tmp_path):
    d = tmp_path / "usb"
    d.mkdir()
    return d
