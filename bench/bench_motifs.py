"""Motif art: uncached resvg rasterisation of each catalogue SVG (what a cache miss costs)."""
from __future__ import annotations

from bench import median_time


def run(report, gpu: bool = False) -> None:
    from generator import motifs

    def once(mid, w, h):
        motifs._svg_png.cache_clear()
        motifs.render_motif(mid, w, h)

    worst = {512: 0.0, 1024: 0.0}
    for m in motifs.list_motifs():
        for size in (512, 1024):
            t = median_time(lambda: once(m.id, size, size), runs=5)
            worst[size] = max(worst[size], t)
            report(f"motif render {m.id} {size}x{size} (uncached)", t, "s")
    report("motif render worst 512x512", worst[512], "s", target=0.3)
    report("motif render worst 1024x1024", worst[1024], "s")
    t = median_time(lambda: motifs.render_motif("sunbird", 512, 512), runs=5)
    report("motif render sunbird 512x512 (cached)", t, "s")
