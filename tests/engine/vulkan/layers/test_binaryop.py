"""Vulkan BinaryOp against the numpy layer (the specification of ncnn's broadcasting)."""
from __future__ import annotations

import numpy as np
import pytest

from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan

GPU_OPS = [0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 14, 15, 16, 17, 18]
PAIRS = [  # ncnn broadcasting cases: same shape, per-channel 1-D, scalar-like, row/column, rank mixes
    ((3, 5, 7), (3, 5, 7)), ((3, 5, 7), (3,)), ((3, 5, 7), (7,)), ((3, 5, 7), (1,)), ((3, 5, 7), (3, 1, 1)),
    ((3, 5, 7), (1, 5, 7)), ((3, 5, 7), (3, 5, 1)), ((3, 5, 7), (3, 5)), ((3, 5), (3, 5, 7)), ((3,), (3, 5, 7)),
    ((5, 7), (5, 1)), ((5, 7), (7,)), ((2, 3, 5, 7), (2, 3, 5)), ((2, 3, 5, 7), (2,)), ((3, 1, 7), (1, 5, 1)),
]


def _nonzero(shape, seed):
    x = rand(shape, seed)
    return np.where(np.abs(x) < 0.25, np.float32(0.5), x).astype(np.float32)  # division stays finite


@pytest.mark.parametrize("op", GPU_OPS)
def test_binary_ops_same_shape(tmp_path, vk_device, op):
    compare_layer(tmp_path, "BinaryOp", {0: op}, [_nonzero((3, 5, 7), 1), _nonzero((3, 5, 7), 2)])


@pytest.mark.parametrize("a,b", PAIRS, ids=[f"{a}x{b}" for a, b in PAIRS])
def test_ncnn_broadcasting(tmp_path, vk_device, a, b):
    for op in (1, 3):  # not commutative: operand order and strides are checked
        compare_layer(tmp_path, "BinaryOp", {0: op}, [_nonzero(a, 3), _nonzero(b, 4)])


@pytest.mark.parametrize("op", [0, 1, 3, 7, 8, 17])
def test_with_scalar(tmp_path, vk_device, op):
    compare_layer(tmp_path, "BinaryOp", {0: op, 1: 1, 2: 1.75}, [_nonzero((3, 5, 7), 5)])


def test_pow_runs_on_the_cpu(tmp_path, vk_device):
    compare_layer(tmp_path, "BinaryOp", {0: 6}, [rand((3, 5, 7), 1), rand((3, 5, 7), 2)], on_gpu=False)


def test_shapes_that_do_not_broadcast_raise_the_numpy_layers_error(tmp_path, vk_device):
    from engine.errors import LayerRuntimeError
    from tests.engine.vulkan.support import load
    from tests.support.layer_check import one_layer_model
    param, binf = one_layer_model(tmp_path, "BinaryOp", {0: 0}, 2, 1)
    ex = load(param, binf, True).create_extractor()
    ex.input("in0", rand((3, 5, 7)))
    ex.input("in1", rand((5, 7)))
    with pytest.raises(LayerRuntimeError, match="do not broadcast"):
        ex.extract("out0")
