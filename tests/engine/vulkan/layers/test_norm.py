"""Vulkan LayerNorm against the numpy layer, for each span ncnn picks."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan


@pytest.mark.parametrize("shape,affine_size", [((23,), 23), ((5, 7), 7), ((3, 5, 7), 7), ((3, 5, 7), 35),
                                               ((2, 3, 5, 7), 7), ((2, 3, 5, 7), 35), ((2, 3, 5, 7), 105)])
@pytest.mark.parametrize("affine", [0, 1])
def test_layernorm(tmp_path, vk_device, shape, affine_size, affine):
    rng = np.random.default_rng(6)
    bw = None
    if affine:
        bw = BinWriter().raw(rng.standard_normal(affine_size).astype(np.float32)).raw(
            rng.standard_normal(affine_size).astype(np.float32))
    x = rand(shape) + np.float32(3.0)  # an offset mean: the fused multiply-adds matter
    compare_layer(tmp_path, "LayerNorm", {0: affine_size, 1: 1e-5, 2: affine}, [x], weights=bw)


def _affine(n: int, seed: int) -> BinWriter:
    rng = np.random.default_rng(seed)
    return BinWriter().raw(rng.standard_normal(n).astype(np.float32)).raw(rng.standard_normal(n).astype(np.float32))


@pytest.mark.parametrize("shape", [(5, 9, 11), (5, 7), (7,), (3, 2, 5, 7)])
@pytest.mark.parametrize("affine", [0, 1])
def test_instancenorm(tmp_path, vk_device, shape, affine):
    c = shape[0] if len(shape) >= 3 else 1
    compare_layer(tmp_path, "InstanceNorm", {0: c, 1: 1e-5, 2: affine}, [rand(shape) + np.float32(2.0)],
                  weights=_affine(c, 1) if affine else None)


@pytest.mark.parametrize("shape,group", [((6, 5, 7), 3), ((6, 5, 7), 6), ((4, 9), 2), ((6, 2, 5, 3), 2)])
@pytest.mark.parametrize("affine", [0, 1])
def test_groupnorm(tmp_path, vk_device, shape, group, affine):
    c = shape[0]
    compare_layer(tmp_path, "GroupNorm", {0: group, 1: c, 2: 1e-5, 3: affine}, [rand(shape) - np.float32(1.5)],
                  weights=_affine(c, 2) if affine else None)
