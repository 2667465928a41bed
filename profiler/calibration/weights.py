"""Weight scales per output channel (per group for ConvolutionDepthWise), ncnn2table's rules.

* Convolution: `127 / absmax(W[oc])`, except 3x3 stride-1 dilation-1 kernels: `31 / absmax` ("6-bit",
  so ncnn's int8 Winograd F(4,3) cannot overflow).
* ConvolutionDepthWise: `127 / absmax` over each group's weights. InnerProduct: per output row.
* method `aciq` clips the weights too: `127 / aciq(absmax, n)` (`31 / aciq6(...)` for the 6-bit case),
  n = the weights per channel.
A channel of all-zero weights gets scale 0 where ncnn2table writes inf: the table format needs finite
numbers, and ncnn's int8 kernels treat a zero weight scale as "output = bias", which is exact here.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.layer import Layer

from .methods import aciq_threshold


@dataclass(frozen=True)
class WeightGroups:
    """A calibrated layer's weights, one row per scale (output channel, or group for depthwise)."""

    rows: np.ndarray  # float32 (n_scales, weights per scale)
    levels: int  # 127, or 31 for the 6-bit 3x3 stride-1 convolutions
    bits: int  # 8 or 6 (for ACIQ's alpha)


def six_bit(layer: Layer) -> bool:
    """ncnn2table's quant_6bit condition (Convolution only, not depthwise)."""
    if layer.spec.type != "Convolution":
        return False
    return (layer.kernel_w, layer.kernel_h, layer.dilation_w, layer.dilation_h, layer.stride_w, layer.stride_h) \
        == (3, 3, 1, 1, 1, 1)  # type: ignore[attr-defined]


def weight_groups(layer: Layer) -> WeightGroups:
    w = np.asarray(layer.weights["weight_data"], np.float32).reshape(-1)
    n = layer.group if layer.spec.type == "ConvolutionDepthWise" else layer.num_output  # type: ignore[attr-defined]
    size = int(layer.weight_data_size) // n  # type: ignore[attr-defined]
    rows = w[: n * size].reshape(n, size)
    return WeightGroups(rows, 31 if six_bit(layer) else 127, 6 if six_bit(layer) else 8)


def _divide(levels: int, thresholds: np.ndarray) -> np.ndarray:
    t = np.asarray(thresholds, np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.float32(levels) / t
    return np.where((t > 0) & np.isfinite(t), s, np.float32(0)).astype(np.float32)


def weight_absmax(groups: WeightGroups) -> np.ndarray:
    return np.abs(groups.rows).max(axis=1).astype(np.float32) if groups.rows.size else np.zeros(0, np.float32)


def weight_scales(layer: Layer, method: str = "kl") -> np.ndarray:
    """float32 scales for the table's `<layer>_param_0` line."""
    g = weight_groups(layer)
    absmax = weight_absmax(g)
    if method == "aciq":
        n = g.rows.shape[1]
        return _divide(g.levels, np.array([aciq_threshold(a, n, g.bits) for a in absmax], np.float32))
    return _divide(g.levels, absmax)
