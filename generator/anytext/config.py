"""AnyText v1 hyperparameters as plain data: the full SD 1.5 size and the tiny parity size.

The official checkpoint does not carry its configuration, so `AnyTextConfig.from_state_dict`
infers it from tensor shapes (that is how tiny and full checkpoints both load). Head counts are
not visible in shapes: the UNet always has 8 heads (SD 1.5), the CLIP text model has 12 heads at
768 wide (ViT-L/14) and 2 at the tiny fixture's 64.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

A_PROMPT = ("best quality, extremely detailed,4k, HD, supper legible text,  clear text edges,  "
            "clear strokes, neat writing, no watermarks")
N_PROMPT = ("low-res, bad anatomy, extra digit, fewer digits, cropped, worst quality, low quality, "
            "watermark, unreadable text, messy words, distorted text, disorganized writing, "
            "advertising picture")
PLACEHOLDER = "*"
PLACEHOLDER_ID = 265


@dataclass(frozen=True)
class AnyTextConfig:
    # UNet / ControlNet (SD 1.5)
    model_channels: int = 320
    channel_mult: tuple[int, ...] = (1, 2, 4, 4)
    num_res_blocks: int = 2
    num_heads: int = 8
    context_dim: int = 768
    # CLIP text encoder (ViT-L/14 text tower)
    clip_hidden: int = 768
    clip_layers: int = 12
    clip_heads: int = 12
    clip_intermediate: int = 3072
    clip_vocab: int = 49408
    clip_positions: int = 77
    # VAE
    vae_ch: int = 128
    vae_ch_mult: tuple[int, ...] = (1, 2, 4, 4)
    vae_res_blocks: int = 2
    latent_channels: int = 4
    scale_factor: float = 0.18215
    # auxiliary latent module and text embedding
    glyph_channels: int = 1
    position_channels: int = 1
    token_dim: int = 768
    ocr_classes: int = 6625
    # schedule
    num_train_timesteps: int = 1000
    beta_start: float = 0.00085
    beta_end: float = 0.012

    @classmethod
    def full(cls) -> "AnyTextConfig":
        return cls()

    @classmethod
    def tiny(cls) -> "AnyTextConfig":
        """The parity fixture's size (shared/reference/anytext_tiny/config.json)."""
        return cls(model_channels=32, context_dim=64, clip_hidden=64, clip_layers=2, clip_heads=2,
                   clip_intermediate=256, vae_ch=32, token_dim=64)

    def replace(self, **kw) -> "AnyTextConfig":
        return replace(self, **kw)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_state_dict(cls, sd) -> "AnyTextConfig":
        """Infer sizes from an official-layout state dict (values need only `.shape`)."""
        def shape(k):
            return tuple(sd[k].shape)
        unet = "model.diffusion_model."
        mc = shape(unet + "input_blocks.0.0.weight")[0]
        # the first res block of each level: input_blocks 1, 4, 7, 10 for 2 res blocks a level
        mult, i = [], 1
        first_down = min(int(k.split(".")[3]) for k in sd
                         if k.startswith(unet + "input_blocks.") and ".0.op." in k)
        nrb = first_down - 1  # input_blocks 1..nrb are res blocks, then the first downsample
        while (unet + f"input_blocks.{i}.0.out_layers.3.weight") in sd:
            mult.append(shape(unet + f"input_blocks.{i}.0.out_layers.3.weight")[0] // mc)
            i += nrb + 1
        ctx = shape(unet + "input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight")[1]
        clip = "cond_stage_model.transformer.text_model."
        vocab, hidden = shape(clip + "embeddings.token_embedding.weight")
        layers = len({k.split(".")[5] for k in sd if k.startswith(clip + "encoder.layers.")})
        vae = "first_stage_model."
        vch = shape(vae + "encoder.conv_in.weight")[0]
        vmult, j = [], 0
        while (vae + f"encoder.down.{j}.block.0.conv1.weight") in sd:
            vmult.append(shape(vae + f"encoder.down.{j}.block.0.conv1.weight")[0] // vch)
            j += 1
        return cls(
            model_channels=mc, channel_mult=tuple(mult), num_res_blocks=nrb, context_dim=ctx,
            clip_hidden=hidden, clip_layers=layers, clip_heads={768: 12, 64: 2}.get(hidden, max(hidden // 64, 1)),
            clip_intermediate=shape(clip + "encoder.layers.0.mlp.fc1.weight")[0], clip_vocab=vocab,
            clip_positions=shape(clip + "embeddings.position_embedding.weight")[0],
            vae_ch=vch, vae_ch_mult=tuple(vmult),
            latent_channels=shape(vae + "quant_conv.weight")[0] // 2,
            glyph_channels=shape("control_model.glyph_block.0.weight")[1],
            position_channels=shape("control_model.position_block.0.weight")[1],
            token_dim=shape("embedding_manager.proj.0.weight")[0],
            ocr_classes=shape("text_predictor.head.fc.weight")[0])

    # ---- diffusers / transformers configs ------------------------------------------------
    def unet_config(self) -> dict:
        blocks = [self.model_channels * m for m in self.channel_mult]
        n = len(blocks)
        return dict(
            sample_size=64, in_channels=4, out_channels=4, layers_per_block=self.num_res_blocks,
            block_out_channels=tuple(blocks),
            down_block_types=("CrossAttnDownBlock2D",) * (n - 1) + ("DownBlock2D",),
            up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * (n - 1),
            cross_attention_dim=self.context_dim,
            attention_head_dim=self.num_heads,  # diffusers' legacy name: this is the head COUNT
            norm_num_groups=32, norm_eps=1e-5, flip_sin_to_cos=True, freq_shift=0,
            use_linear_projection=False)

    def controlnet_config(self) -> dict:
        c = self.unet_config()
        for k in ("out_channels", "up_block_types", "sample_size"):
            c.pop(k)
        return c

    def vae_config(self) -> dict:
        blocks = tuple(self.vae_ch * m for m in self.vae_ch_mult)
        n = len(blocks)
        return dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * n,
                    up_block_types=("UpDecoderBlock2D",) * n, block_out_channels=blocks,
                    layers_per_block=self.vae_res_blocks, latent_channels=self.latent_channels,
                    norm_num_groups=32, sample_size=512, scaling_factor=self.scale_factor)

    def clip_config(self) -> dict:
        return dict(vocab_size=self.clip_vocab, hidden_size=self.clip_hidden,
                    intermediate_size=self.clip_intermediate, num_hidden_layers=self.clip_layers,
                    num_attention_heads=self.clip_heads, max_position_embeddings=self.clip_positions,
                    hidden_act="quick_gelu", layer_norm_eps=1e-5, bos_token_id=49406,
                    eos_token_id=49407, pad_token_id=49407, projection_dim=self.clip_hidden)

    def scheduler_config(self) -> dict:
        return dict(num_train_timesteps=self.num_train_timesteps, beta_start=self.beta_start,
                    beta_end=self.beta_end, beta_schedule="scaled_linear", clip_sample=False,
                    set_alpha_to_one=False, steps_offset=1, timestep_spacing="leading",
                    prediction_type="epsilon")
