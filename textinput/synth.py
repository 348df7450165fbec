"""Synthetic finger-writing for tests and benchmarks.

A character is rendered with a brush font (AR PL UKai), thinned to its centre lines, redrawn
with a round "finger" brush of random thickness, then warped (affine jitter plus a smooth
elastic field) and placed on a canvas-sized transparent RGBA image, like the kiosk canvas
returns. This is an UPPER BOUND for real visitors: the stroke order, proportions and
connectivity still come from a well-formed font glyph.
"""
from __future__ import annotations

import numpy as np

# 200 common characters (frequency order of modern text) plus auspicious ones used on souvenirs.
COMMON_CHARS = (
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过"
    "家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见"
    "经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿"
    "者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世"
    "气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张"
    "福寿安康吉祥如意金沙路龙凤春喜乐和平宝鸟神树鼎"
)


def unique_chars(s: str = COMMON_CHARS) -> list[str]:
    out = []
    for c in s:
        if c not in out:
            out.append(c)
    return out


def _thin(mask: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning, vectorised with numpy (opencv-contrib is not installed)."""
    img = (mask > 0).astype(np.uint8)
    img = np.pad(img, 1)
    while True:
        changed = False
        for step in (0, 1):
            p = img
            P2, P3, P4 = p[:-2, 1:-1], p[:-2, 2:], p[1:-1, 2:]
            P5, P6, P7 = p[2:, 2:], p[2:, 1:-1], p[2:, :-2]
            P8, P9 = p[1:-1, :-2], p[:-2, :-2]
            nb = [P2, P3, P4, P5, P6, P7, P8, P9]
            B = sum(n.astype(np.int32) for n in nb)
            seq = nb + [P2]
            A = sum(((seq[i] == 0) & (seq[i + 1] == 1)).astype(np.int32) for i in range(8))
            if step == 0:
                c1 = (P2 * P4 * P6) == 0
                c2 = (P4 * P6 * P8) == 0
            else:
                c1 = (P2 * P4 * P8) == 0
                c2 = (P2 * P6 * P8) == 0
            core = p[1:-1, 1:-1]
            rm = (core == 1) & (B >= 2) & (B <= 6) & (A == 1) & c1 & c2
            if rm.any():
                core[rm] = 0
                changed = True
        if not changed:
            break
    return img[1:-1, 1:-1]


def _glyph_mask(text: str, size: int, font_id: str) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    from base.fonts import get_font

    info = get_font(font_id)
    font = ImageFont.truetype(info.path, size, index=info.index)
    w = int(size * len(text) * 1.05) + size // 2
    img = Image.new("L", (w, int(size * 1.4)), 0)
    d = ImageDraw.Draw(img)
    d.text((size // 4, size // 5), text, fill=255, font=font)
    return np.asarray(img)


def draw_handwriting(text: str, seed: int = 0, canvas=(360, 360), font_id: str = "kai",
                     brush: tuple[float, float] = (0.07, 0.11), distort: float = 1.0) -> np.ndarray:
    """Return an RGBA uint8 array (H, W, 4): black jittered thick strokes, transparent ground.

    distort scales the elastic warp, rotation and shear (1 = the benchmark's default set,
    2 = a sloppier "hard" set)."""
    import cv2

    rng = np.random.default_rng(seed)
    W, H = canvas
    size = 96
    mask = _glyph_mask(text, size, font_id)
    skel = _thin(mask > 127) * 255
    # elastic field: smooth random displacements of a few pixels
    h, w = skel.shape
    alpha = rng.uniform(2.0, 4.0) * distort
    dx = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), 9) * alpha * 9
    dy = cv2.GaussianBlur(rng.uniform(-1, 1, (h, w)).astype(np.float32), (0, 0), 9) * alpha * 9
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    skel = cv2.remap(skel.astype(np.uint8), gx + dx, gy + dy, cv2.INTER_LINEAR)
    # affine jitter: rotation, shear, anisotropic scale
    ang = rng.uniform(-8, 8) * distort
    M = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
    M[0, 1] += rng.uniform(-0.15, 0.15) * distort
    M[0, :] *= rng.uniform(0.85, 1.12)
    skel = cv2.warpAffine(skel, M, (w, h))
    ys, xs = np.nonzero(skel > 40)
    if len(xs) == 0:
        raise ValueError(f"nothing to draw for {text!r}")
    crop = skel[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    # place it on the canvas at a random size and position, like a visitor would
    ch, cw = crop.shape
    fill = rng.uniform(0.55, 0.85)
    scale = min(W * fill / cw, H * fill / ch)
    crop = cv2.resize(crop, (max(1, int(cw * scale)), max(1, int(ch * scale))))
    ch, cw = crop.shape
    oy = int(rng.uniform(0.05, 0.95) * (H - ch)) if H > ch else 0
    ox = int(rng.uniform(0.05, 0.95) * (W - cw)) if W > cw else 0
    line = np.zeros((H, W), np.uint8)
    line[oy:oy + ch, ox:ox + cw] = (crop > 60).astype(np.uint8) * 255
    # the finger: a round brush whose width is a fraction of the written height
    bw = max(3, int(rng.uniform(*brush) * max(ch, cw / max(1, len(text)))))
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (bw, bw))
    ink = cv2.dilate(line, k)
    ink = cv2.GaussianBlur(ink, (3, 3), 0)   # canvas anti-aliasing
    rgba = np.zeros((H, W, 4), np.uint8)
    rgba[..., 3] = ink
    return rgba


def trace_strokes(text: str, box: tuple[float, float, float, float], seed: int = 0,
                  font_id: str = "kai", step: int = 3) -> list[list[tuple[float, float]]]:
    """Finger strokes (polylines in canvas pixels) that write `text` inside box=(x, y, w, h).

    The glyph's centre lines are walked pixel by pixel into polylines; browser tests replay
    them as touch events. Stroke order is not a person's, but the ink ends up where theirs would.
    """
    rng = np.random.default_rng(seed)
    mask = _glyph_mask(text, 96, font_id)
    skel = _thin(mask > 127).astype(bool)
    ys, xs = np.nonzero(skel)
    y0, x0 = ys.min(), xs.min()
    hh, ww = ys.max() - y0 + 1, xs.max() - x0 + 1
    bx, by, bw, bh = box
    scale = min(bw / ww, bh / hh)
    ox, oy = bx + (bw - ww * scale) / 2, by + (bh - hh * scale) / 2
    left = {(int(y), int(x)) for y, x in zip(ys, xs)}
    nbrs = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]

    def degree(p):
        return sum((p[0] + dy, p[1] + dx) in left for dy, dx in nbrs)

    out = []
    while left:
        ends = [p for p in left if degree(p) <= 1]
        cur = min(ends or left)
        path = [cur]
        left.discard(cur)
        d = (0, 0)
        while True:
            options = [(cur[0] + dy, cur[1] + dx) for dy, dx in nbrs if (cur[0] + dy, cur[1] + dx) in left]
            if not options:
                break
            # keep going straight where the skeleton branches
            nxt = max(options, key=lambda q: (q[0] - cur[0]) * d[0] + (q[1] - cur[1]) * d[1])
            d = (nxt[0] - cur[0], nxt[1] - cur[1])
            left.discard(nxt)
            path.append(nxt)
            cur = nxt
        if len(path) < 4:
            continue
        pts = path[::step] + [path[-1]]
        jitter = rng.normal(0, 0.4, (len(pts), 2))
        out.append([(float(ox + (p[1] - x0 + j[1]) * scale), float(oy + (p[0] - y0 + j[0]) * scale))
                    for p, j in zip(pts, jitter)])
    return out


# 30 auspicious phrases with their pinyin as a visitor types it (written by hand, not by
# pypinyin, so the benchmark checks the index rather than repeating how it was built).
AUSPICIOUS_PINYIN = [
    ("天路", "tianlu"), ("金沙", "jinsha"), ("福寿安康", "fushouankang"),
    ("吉祥如意", "jixiangruyi"), ("万事如意", "wanshiruyi"), ("一帆风顺", "yifanfengshun"),
    ("心想事成", "xinxiangshicheng"), ("恭喜发财", "gongxifacai"), ("年年有余", "niannianyouyu"),
    ("岁岁平安", "suisuipingan"), ("花好月圆", "huahaoyueyuan"), ("龙凤呈祥", "longfengchengxiang"),
    ("五福临门", "wufulinmen"), ("步步高升", "bubugaosheng"), ("前程似锦", "qianchengsijin"),
    ("金玉满堂", "jinyumantang"), ("平安喜乐", "pinganxile"), ("国泰民安", "guotaimin'an"),
    ("大吉大利", "dajidali"), ("招财进宝", "zhaocaijinbao"), ("福如东海", "furudonghai"),
    ("寿比南山", "shoubinanshan"), ("百年好合", "bainianhaohe"), ("马到成功", "madaochenggong"),
    ("长命百岁", "changmingbaisui"), ("身体健康", "shentijiankang"), ("紫气东来", "ziqidonglai"),
    ("太阳神鸟", "taiyangshenniao"), ("青铜神树", "qingtongshenshu"), ("学业有成", "xueyeyoucheng"),
]
