"""AnyText2 beside our v1 (generator/anytext/): per-line font and colour, WriteNet run once per
conditioning, AttnX layers. Shared with v1: the PP-OCRv3 recognizer and its preprocessing, the CLIP
tokenizer, the 512x80 glyph line, position masks and the diffusers key renaming."""
