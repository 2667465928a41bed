"""A small calibration model: 3x3 stride-1 conv (6-bit weights) + ReLU, a Split feeding a depthwise conv
and a strided 1x1 conv, global pooling, an InnerProduct. Seeded random weights."""
from __future__ import annotations

import numpy as np

from engine import Net

TINY = """7767517
7 8
Input data 0 1 data 0=9 1=7 2=3
Convolution conv1 1 1 data c1 0=4 1=3 4=1 5=1 6=108 9=1
Split sp 1 2 c1 c1a c1b
ConvolutionDepthWise dw 1 1 c1a d1 0=4 1=3 4=1 5=1 6=36 7=4
Convolution conv2 1 1 c1b c2 0=4 1=1 3=2 5=1 6=16
Pooling pool 1 1 d1 p1 0=1 4=1
InnerProduct fc 1 1 p1 out 0=5 1=1 2=20
"""


def tiny_net(seed: int = 1) -> Net:
    net = Net()
    net.load_param_text(TINY, "tiny.param")
    net.load_synthetic_weights("random", seed=seed)
    return net


def tiny_inputs(n: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = rng.normal(0, 1, (3, 7, 9)).astype(np.float32)
        x[:, 0, :3] = 0  # exact zeros: the histogram must skip them
        out.append(x)
    return out


def write_tiny(folder, seed: int = 1):
    """TINY as .param + .bin files (fp32 weights, ncnn's load order), returns (param, bin)."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    chunks = []
    for n_weights, n_bias in ((108, 4), (36, 4), (16, 4), (20, 5)):  # conv1, dw, conv2, fc
        chunks.append(np.zeros(1, np.uint32).tobytes())  # tag 0: fp32 follows
        chunks.append(rng.uniform(-1, 1, n_weights).astype(np.float32).tobytes())
        chunks.append(rng.uniform(-0.5, 0.5, n_bias).astype(np.float32).tobytes())
    param, binf = folder / "tiny.param", folder / "tiny.bin"
    param.write_text(TINY)
    binf.write_bytes(b"".join(chunks))
    return param, binf


def write_images(folder, n: int, seed: int = 0):
    """n small 9x7 BGR PNGs (the tiny model's input size), named img0.png ..."""
    from pathlib import Path

    import cv2

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for i in range(n):
        p = folder / f"img{i}.png"
        cv2.imwrite(str(p), rng.integers(0, 256, (7, 9, 3), dtype=np.uint8))
        paths.append(p)
    return paths
