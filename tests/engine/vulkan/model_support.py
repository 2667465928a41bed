"""A small synthetic model for runner tests: GPU layers around a layer without a Vulkan twin."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model


def mixed_model(tmp_path: Path, c: int = 8, mid: int = 16) -> tuple[Path, Path]:
    """data -> conv(3x3) -> UnaryOp(sin: no shader, CPU fallback) -> conv(3x3, relu) -> pool(2x2) -> Softmax(0)."""
    rng = np.random.default_rng(7)
    w1 = (rng.standard_normal(mid * c * 9) * 0.1).astype(np.float32)
    w2 = (rng.standard_normal(mid * mid * 9) * 0.1).astype(np.float32)
    bw = BinWriter().tagged(w1).raw(np.zeros(mid, np.float32)).tagged(w2).raw(np.full(mid, 0.1, np.float32))
    lines = [
        LayerLine("Input", "data", [], ["data"]),
        LayerLine("Convolution", "conv1", ["data"], ["c1"], {0: mid, 1: 3, 4: 1, 5: 1, 6: w1.size}),
        LayerLine("UnaryOp", "sin", ["c1"], ["e1"], {0: 9}),
        LayerLine("Convolution", "conv2", ["e1"], ["c2"], {0: mid, 1: 3, 4: 1, 5: 1, 6: w2.size, 9: 1}),
        LayerLine("Pooling", "pool", ["c2"], ["p"], {0: 0, 1: 2, 2: 2}),
        LayerLine("Softmax", "softmax", ["p"], ["prob"], {0: 0}),
    ]
    param, binf = tmp_path / "mixed.param", tmp_path / "mixed.bin"
    write_model(param, binf, lines, bw)
    return param, binf


def mixed_input(c: int = 8, h: int = 37, w: int = 45, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal((c, h, w)) * 0.5).astype(np.float32)
