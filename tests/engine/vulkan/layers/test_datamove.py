"""Vulkan Concat, PixelShuffle and Softmax against the numpy layers at odd sizes."""
from __future__ import annotations

import pytest

from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan


@pytest.mark.parametrize("axis,shapes", [
    (0, [(3, 5, 7), (2, 5, 7), (4, 5, 7)]),
    (1, [(3, 5, 7), (3, 2, 7)]),
    (-1, [(3, 5, 7), (3, 5, 1), (3, 5, 4)]),
    (0, [(7,), (3,)]),
    (1, [(5, 7), (5, 2)]),
    (0, [(5, 7), (1, 7), (2, 7)]),
])
def test_concat(tmp_path, vk_device, axis, shapes):
    compare_layer(tmp_path, "Concat", {0: axis}, [rand(s, i) for i, s in enumerate(shapes)])


@pytest.mark.parametrize("r,mode", [(2, 0), (2, 1), (3, 0), (3, 1)])
def test_pixelshuffle(tmp_path, vk_device, r, mode):
    compare_layer(tmp_path, "PixelShuffle", {0: r, 1: mode}, [rand((r * r * 3 + 1, 5, 7))])


@pytest.mark.parametrize("axis,shape", [(0, (1000,)), (0, (3, 5, 7)), (1, (3, 5, 7)), (2, (3, 5, 7)),
                                        (-1, (5, 7)), (0, (5, 7)), (1, (2, 3, 5, 7))])
def test_softmax(tmp_path, vk_device, axis, shape):
    compare_layer(tmp_path, "Softmax", {0: axis, 1: 1}, [rand(shape, scale=5.0)])
