"""EasyQuant against a brute-force search written independently: every candidate scale's int8 layer
output computed with plain int64 arithmetic, mean cosine similarity to the fp32 output, first maximum."""
from __future__ import annotations

import numpy as np
import pytest

from profiler.calibration import calibrate
from profiler.calibration.eq import candidates
from tests.profiler.calibration.support import tiny_inputs, tiny_net


def q8(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, np.float32)
    return np.clip(np.trunc(v + np.copysign(np.float32(0.5), v)), -127, 127).astype(np.int64)


def int8_fc(x, w, bias, s_in, s_w):
    acc = q8(w * s_w[:, None]) @ q8(x.reshape(-1) * s_in)
    return acc / (np.float64(s_in) * s_w.astype(np.float64)) + bias


def int8_conv1x1_s2(x, w, bias, s_in, s_w):
    xs = q8(x[:, ::2, ::2] * s_in)  # 1x1 stride 2, no padding
    acc = np.einsum("oi,ihw->ohw", q8(w * s_w[:, None]), xs)
    return acc / (np.float64(s_in) * s_w.astype(np.float64))[:, None, None] + bias[:, None, None]


def int8_dw3x3(x, w, bias, s_in, s_w):
    xq = np.pad(q8(x * s_in), ((0, 0), (1, 1), (1, 1)))  # pad 1 with the quantised pad value 0
    wq = q8(w * s_w[:, None]).reshape(-1, 3, 3)
    c, h, wd = x.shape
    acc = np.zeros((c, h, wd), np.int64)
    for a in range(3):
        for b in range(3):
            acc += xq[:, a:a + h, b:b + wd] * wq[:, a, b][:, None, None]
    return acc / (np.float64(s_in) * s_w.astype(np.float64))[:, None, None] + bias[:, None, None]


def cos(a, b):
    a, b = np.asarray(a, np.float64).ravel(), np.asarray(b, np.float64).ravel()
    return a @ b / np.sqrt(a @ a) / np.sqrt(b @ b)


def best(values, grid):
    top, pick = 0.0, None
    for v, g in zip(values, grid, strict=True):
        if top < v:
            top, pick = v, g
    return pick


@pytest.mark.parametrize("layer,bottom,forward", [("fc", "p1", int8_fc), ("conv2", "c1b", int8_conv1x1_s2),
                                                  ("dw", "c1a", int8_dw3x3)])
def test_eq_matches_brute_force(layer: str, bottom: str, forward) -> None:
    net = tiny_net()
    xs = [x * 40 for x in tiny_inputs(4)]
    kl = calibrate(net, xs, "kl")
    eq = calibrate(net, xs, "eq", eq_steps=20)
    lay = next(ly for ly in net.layers if ly.name == layer)
    w = np.asarray(lay.weights["weight_data"], np.float32).reshape(lay.num_output, -1)
    bias = np.asarray(lay.weights["bias_data"], np.float64)
    pairs = []
    for x in xs:
        ex = net.create_extractor()
        ex.input("data", x)
        pairs.append((np.array(ex.extract(bottom)), np.array(ex.extract(lay.spec.tops[0]))))
    s_in0 = kl.table.blob(layer)[0]
    s_w0 = kl.table.weight(layer)
    # weight scale of channel 0, the others at their KL scales
    grid = candidates(s_w0[0], 20)
    sims = []
    for g in grid:
        s_w = s_w0.copy()
        s_w[0] = g
        sims.append(sum(cos(forward(x, w, bias, s_in0, s_w), y) for x, y in pairs))
    assert eq.table.weight(layer)[0] == best(sims, grid)
    # the bottom scale, searched with eq's final weight scales
    s_w = eq.table.weight(layer)
    grid = candidates(s_in0, 20)
    sims = [sum(cos(forward(x, w, bias, g, s_w), y) for x, y in pairs) for g in grid]
    assert eq.table.blob(layer)[0] == best(sims, grid)
    assert eq.blob(layer).thresholds["eq"] == pytest.approx(127 / eq.table.blob(layer)[0], rel=1e-6)


def test_eq_keeps_six_bit_weights_within_31_levels() -> None:
    net = tiny_net()
    xs = [x * 40 for x in tiny_inputs(4)]
    kl = calibrate(net, xs, "kl")
    eq = calibrate(net, xs, "eq", eq_steps=20)
    # conv1 is 3x3 stride 1: its scales may only shrink (31/absmax is the ceiling)
    assert np.all(eq.table.weight("conv1") <= kl.table.weight("conv1"))
    assert set(eq.table.blob_scales) == set(kl.table.blob_scales)
