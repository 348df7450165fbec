"""The AnyText2 model as a bag of stock components (the pipeline runs them):

- unet: diffusers UNet2DConditionModel (SD 1.5 layout) whose listed transformer blocks carry AttnX
- writenet: diffusers ControlNetModel whose `controlnet_cond_embedding` is our WriteNetHint
- vae: diffusers AutoencoderKL
- text_model: transformers CLIPTextModel (`*` rows replaced by a forward hook, PromptEncoder2)
- text_embedder: LineEmbedder (content OCR + proj, position encoder, font OCR + style_proj, color_proj)
"""
from __future__ import annotations

import contextlib

import torch
from torch import nn

from generator.anytext2.config import AnyText2Config
from generator.anytext2.modules import LineEmbedder, WriteNetHint, add_attnx


class AnyText2Model(nn.Module):
    def __init__(self, config: AnyText2Config):
        super().__init__()
        from diffusers import AutoencoderKL, ControlNetModel, UNet2DConditionModel
        from transformers import CLIPTextConfig, CLIPTextModel

        self.config = config
        self.unet = UNet2DConditionModel(**config.unet_config())
        blocks = []
        if config.attnx_mid:
            blocks += [a for a in self.unet.mid_block.attentions]
        for k in config.attnx_up_blocks:
            blocks += list(getattr(self.unet.up_blocks[k], "attentions", None) or [])
        for tr in blocks:
            for b in tr.transformer_blocks:
                add_attnx(b)
        self.writenet = ControlNetModel(**config.controlnet_config(),
                                        conditioning_embedding_out_channels=(16, 32, 96, 256))
        self.writenet.controlnet_cond_embedding = WriteNetHint(
            config.glyph_channels, config.position_channels, config.latent_channels, config.model_channels)
        self.vae = AutoencoderKL(**config.vae_config())
        clip_cfg = CLIPTextConfig(**config.clip_config())
        clip_cfg._attn_implementation = "sdpa"
        self.text_model = CLIPTextModel(clip_cfg)
        self.text_embedder = LineEmbedder(token_dim=config.token_dim, num_classes=config.ocr_classes)

    @property
    def aux(self) -> WriteNetHint:
        return self.writenet.controlnet_cond_embedding

    @classmethod
    def empty(cls, config: AnyText2Config, device: str | torch.device = "meta") -> AnyText2Model:
        ctx = torch.device(device) if str(device) == "meta" else contextlib.nullcontext()
        with ctx:
            return cls(config)


def our_state_shapes(config: AnyText2Config) -> dict[str, tuple[int, ...]]:
    m = AnyText2Model.empty(config, "meta")
    return {k: tuple(v.shape) for k, v in m.state_dict().items()}
