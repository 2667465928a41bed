"""Shared helpers for the convolution-family layer tests (Convolution*, Deconvolution*)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer

# Fused activations with the params they need (9=activation_type, 10=activation_params).
ACTIVATIONS = [(0, None), (1, None), (2, [0.1]), (3, [-0.5, 0.7]), (4, None), (5, None), (6, [0.2, 0.5])]


def act_params(act: int, extra: Sequence[float] | None) -> dict[int, Any]:
    return {9: act, **({10: [float(v) for v in extra]} if extra else {})}


def weights(rng: np.random.Generator, count: int, bias: int, storage: str = "fp32") -> tuple[BinWriter, np.ndarray,
                                                                                             np.ndarray | None]:
    w = rng.standard_normal(count).astype(np.float32)
    if storage == "fp16":
        w = w.astype(np.float16).astype(np.float32)
    bw = BinWriter().tagged(w, storage)
    b = None
    if bias:
        b = rng.standard_normal(bias).astype(np.float32)
        bw.raw(b)
    return bw, w, b


def run(tmp_path: Path, layer_type: str, params: Mapping[int, Any], x_shape: tuple[int, ...], weight_count: int,
        *, bias: bool = True, storage: str = "fp32", seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                              np.ndarray | None]:
    """One layer with random weights (written in `storage`) against ncnn; returns (out, x, w, b)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(np.float32)
    params = {**params, 5: int(bias), 6: weight_count}
    bw, w, b = weights(rng, weight_count, params[0] if bias else 0, storage)
    (y,) = check_layer(tmp_path, layer_type, params, [x], weights=bw)
    return y, x, w, b


def naive_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: tuple[int, int] = (1, 1),
               dilation: tuple[int, int] = (1, 1), group: int = 1) -> np.ndarray:
    """Direct float64 convolution of an already padded (c, h, w) input; w is (out, in/group, kh, kw)."""
    out_c, in_g, kh, kw = w.shape
    _, hp, wp = x.shape
    oh = (hp - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wp - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    y = np.zeros((out_c, oh, ow))
    out_g = out_c // group
    for p in range(out_c):
        xs = x[(p // out_g) * in_g:(p // out_g + 1) * in_g].astype(np.float64)
        for ky in range(kh):
            for kx in range(kw):
                y0, x0 = ky * dilation[0], kx * dilation[1]
                patch = xs[:, y0:y0 + (oh - 1) * stride[0] + 1:stride[0], x0:x0 + (ow - 1) * stride[1] + 1:stride[1]]
                y[p] += np.tensordot(w[p, :, ky, kx].astype(np.float64), patch, axes=1)
        if b is not None:
            y[p] += b[p]
    return y


def naive_deconv(x, w, b, stride, dilation, output_pad=(0, 0)):
    """Scatter every input pixel times the kernel into the full output (w: out, in, kh, kw)."""
    cout, cin, kh, kw = w.shape
    _, h, wd = x.shape
    hf = (h - 1) * stride[0] + dilation[0] * (kh - 1) + 1 + output_pad[0]
    wf = (wd - 1) * stride[1] + dilation[1] * (kw - 1) + 1 + output_pad[1]
    y = np.zeros((cout, hf, wf)) + (0 if b is None else b[:, None, None])
    for i in range(h):
        for j in range(wd):
            contrib = np.tensordot(w.astype(np.float64), x[:, i, j].astype(np.float64), axes=([1], [0]))
            for ky in range(kh):
                for kx in range(kw):
                    y[:, i * stride[0] + ky * dilation[0], j * stride[1] + kx * dilation[1]] += contrib[:, ky, kx]
    return y
