from __future__ import annotations

import numpy as np

from profiler.calibration.methods import aciq_threshold
from profiler.calibration.weights import six_bit, weight_scales
from tests.profiler.calibration.support import tiny_net


def test_scales_per_channel_group_and_row_by_hand() -> None:
    net = tiny_net()
    layers = {layer.name: layer for layer in net.layers}
    w1 = np.asarray(layers["conv1"].weights["weight_data"]).reshape(4, -1)
    wd = np.asarray(layers["dw"].weights["weight_data"]).reshape(4, -1)
    w2 = np.asarray(layers["conv2"].weights["weight_data"]).reshape(4, -1)
    wf = np.asarray(layers["fc"].weights["weight_data"]).reshape(5, -1)
    f = np.float32
    # conv1 is 3x3 stride 1 dilation 1: 6-bit, 31/absmax; the strided 1x1 and the others: 127/absmax
    assert six_bit(layers["conv1"]) and not six_bit(layers["conv2"]) and not six_bit(layers["dw"])
    assert np.array_equal(weight_scales(layers["conv1"]), f(31) / np.abs(w1).max(1))
    assert np.array_equal(weight_scales(layers["dw"]), f(127) / np.abs(wd).max(1))
    assert np.array_equal(weight_scales(layers["conv2"]), f(127) / np.abs(w2).max(1))
    assert np.array_equal(weight_scales(layers["fc"]), f(127) / np.abs(wf).max(1))
    aciq = weight_scales(layers["conv1"], "aciq")
    expected = [f(31) / f(aciq_threshold(a, 27, bits=6)) for a in np.abs(w1).max(1)]
    assert np.array_equal(aciq, np.array(expected, np.float32))


def test_all_zero_channel_gets_zero_scale() -> None:
    net = tiny_net()
    fc = next(layer for layer in net.layers if layer.name == "fc")
    w = np.array(fc.weights["weight_data"]).reshape(5, 4)
    w[2] = 0
    fc.weights["weight_data"] = w.reshape(-1)
    s = weight_scales(fc)
    assert s[2] == 0 and np.all(s[[0, 1, 3, 4]] > 0)
