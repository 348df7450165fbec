"""The AnyText v1 model as a bag of stock components (no forward of its own: the pipeline runs them).

- unet: diffusers UNet2DConditionModel (SD 1.5 layout)
- controlnet: diffusers ControlNetModel whose `controlnet_cond_embedding` is our AuxLatentModule
- vae: diffusers AutoencoderKL
- text_model: transformers CLIPTextModel (the `*` replacement is a forward hook, modules.PromptEncoder)
- text_embedder: rapidocr PP-OCRv3 recognizer + embedding_manager.proj
"""
from __future__ import annotations

import contextlib

import torch
from torch import nn

from generator.anytext.config import AnyTextConfig
from generator.anytext.modules import AuxLatentModule, TextEmbedder


class AnyTextModel(nn.Module):
    def __init__(self, config: AnyTextConfig):
        super().__init__()
        from diffusers import AutoencoderKL, ControlNetModel, UNet2DConditionModel
        from transformers import CLIPTextConfig, CLIPTextModel

        self.config = config
        self.unet = UNet2DConditionModel(**config.unet_config())
        self.controlnet = ControlNetModel(**config.controlnet_config(),
                                          conditioning_embedding_out_channels=(16, 32, 96, 256))
        # AnyText's hint goes in the slot diffusers adds right after conv_in
        self.controlnet.controlnet_cond_embedding = AuxLatentModule(
            config.glyph_channels, config.position_channels, config.latent_channels, config.model_channels)
        self.vae = AutoencoderKL(**config.vae_config())
        clip_cfg = CLIPTextConfig(**config.clip_config())
        clip_cfg._attn_implementation = "sdpa"
        self.text_model = CLIPTextModel(clip_cfg)
        self.text_embedder = TextEmbedder(token_dim=config.token_dim, num_classes=config.ocr_classes)

    @property
    def aux(self) -> AuxLatentModule:
        return self.controlnet.controlnet_cond_embedding

    @classmethod
    def empty(cls, config: AnyTextConfig, device: str | torch.device = "meta") -> "AnyTextModel":
        """Built without allocating or initialising weights (meta device) when device='meta'."""
        ctx = torch.device(device) if str(device) == "meta" else contextlib.nullcontext()
        with ctx:
            return cls(config)


def our_state_shapes(config: AnyTextConfig) -> dict[str, tuple[int, ...]]:
    """Every tensor our model expects, with its shape (built on the meta device: no memory)."""
    m = AnyTextModel.empty(config, "meta")
    return {k: tuple(v.shape) for k, v in m.state_dict().items()}
