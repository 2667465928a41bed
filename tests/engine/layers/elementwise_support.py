"""Shared inputs for the one-blob element-wise layer tests (Sigmoid, TanH, GELU, Exp, Erf, ...)."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np

from tests.support.layer_check import check_layer

# Every rank ncnn accepts, odd sizes, plus channel counts that make ncnn pack (elempack 4/8/16) so
# both its SIMD and its scalar tail paths are compared.
SHAPES = [(23,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]

# Magnitudes that overflow exp (±90), saturate float32 softplus/tanh/erf (±20) or sit near branch points.
EXTREMES = np.array([-90, -89, -88.5, -20, -17, -10, -4, -1, -1e-3, -0.0, 0, 1e-3, 1, 4, 10, 17, 20, 88.5, 89,
                     90], np.float32)


def typical(shape: tuple[int, ...], scale: float = 3.0, seed: int = 0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype(np.float32)


def extreme(shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    """Random values with the EXTREMES scattered over the blob (every one present when it fits)."""
    x = typical(shape, 3.0, seed).reshape(-1)
    idx = np.random.default_rng(seed).permutation(x.size)[: min(x.size, EXTREMES.size)]
    x[idx] = EXTREMES[: idx.size]
    return x.reshape(shape)


def check(tmp_path: Any, layer_type: str, params: Mapping[int, Any], x: np.ndarray,
          expected: Callable[[float], float] | None = None, rtol: float = 2e-6, atol: float = 1e-7) -> np.ndarray:
    """Compare with ncnn; with `expected` (a scalar float64 formula) also with a hand computation."""
    (y,) = check_layer(tmp_path, layer_type, params, [x])
    assert y.dtype == np.float32 and y.shape == x.shape
    if expected is not None:
        ref = np.vectorize(expected, otypes=[np.float64])(x.astype(np.float64))
        np.testing.assert_allclose(y, ref, rtol=rtol, atol=atol, equal_nan=True)
    return y


def sigmoid64(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def softplus64(v: float) -> float:
    return max(v, 0.0) + math.log1p(math.exp(-abs(v)))
