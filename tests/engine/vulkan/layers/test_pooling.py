"""Vulkan Pooling against the numpy layer: pad modes, count_include_pad, global, odd sizes."""
from __future__ import annotations

import pytest

from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan

WINDOWS = [  # kernel, stride, pads (top, bottom, left, right)
    ((3, 3), (2, 2), (0, 0, 0, 0)),
    ((2, 2), (2, 2), (0, 0, 0, 0)),
    ((3, 2), (1, 2), (1, 0, 1, 1)),
    ((3, 3), (2, 2), (1, 1, 1, 1)),
]


@pytest.mark.parametrize("ptype,include_pad", [(0, 0), (1, 0), (1, 1)], ids=["max", "avg", "avg-include-pad"])
@pytest.mark.parametrize("pad_mode", [0, 1, 2, 3])
def test_window_pooling(tmp_path, vk_device, ptype, pad_mode, include_pad):
    for (kh, kw), (sh, sw), (t, b, l, r) in WINDOWS:
        params = {0: ptype, 1: kw, 11: kh, 2: sw, 12: sh, 3: l, 14: r, 13: t, 15: b, 5: pad_mode, 6: include_pad}
        for shape in ((3, 9, 11), (2, 6, 7)):
            compare_layer(tmp_path, "Pooling", params, [rand(shape)])


@pytest.mark.parametrize("ptype", [0, 1], ids=["max", "avg"])
def test_global_pooling(tmp_path, vk_device, ptype):
    for shape in ((5, 9, 11), (3, 7), (13,)):
        compare_layer(tmp_path, "Pooling", {0: ptype, 4: 1}, [rand(shape)])


def test_adaptive_pooling_falls_back_to_the_cpu(tmp_path, vk_device):
    compare_layer(tmp_path, "Pooling", {0: 1, 7: 1, 8: 3, 18: 2}, [rand((3, 9, 11))], on_gpu=False)
