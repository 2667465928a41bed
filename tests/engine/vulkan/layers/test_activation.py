"""Vulkan activations against the numpy layers, at odd sizes and every rank."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.elementwise_support import EXTREMES
from tests.engine.vulkan.support import ODD, compare_layer, rand

pytestmark = pytest.mark.vulkan

CASES = [("ReLU", {}), ("ReLU", {0: 0.1}), ("Clip", {0: -0.5, 1: 0.7}), ("Sigmoid", {}), ("TanH", {}),
         ("HardSigmoid", {0: 0.25, 1: 0.4}), ("HardSwish", {}), ("Swish", {}), ("Mish", {}), ("ELU", {0: 0.3}),
         ("AbsVal", {}), ("SELU", {}), ("SELU", {0: 1.5, 1: 0.9}), ("Softplus", {}), ("BNLL", {}),
         ("Exp", {}), ("Exp", {0: 2.0, 1: 0.5, 2: 0.25}), ("Threshold", {0: 0.3}), ("GELU", {}), ("GELU", {0: 1}),
         ("Erf", {})]


def _with_extremes(shape: tuple[int, ...], seed: int) -> np.ndarray:
    x = rand(shape, seed, 3.0).reshape(-1)
    x[: min(x.size, EXTREMES.size)] = EXTREMES[: min(x.size, EXTREMES.size)]
    return x.reshape(shape)


@pytest.mark.parametrize("layer_type,params", CASES, ids=[f"{t}{p}" for t, p in CASES])
def test_activation_matches_numpy(tmp_path, vk_device, layer_type, params):
    for i, shape in enumerate(ODD[:2] + [(23,), (4, 7), (2, 3, 5, 7)]):
        compare_layer(tmp_path, layer_type, params, [_with_extremes(shape, i)])


@pytest.mark.parametrize("num_slope", [1, 5])
def test_prelu_matches_numpy(tmp_path, vk_device, num_slope):
    slopes = np.array([0.1, -0.2, 0.0, 1.5, 0.25][:num_slope], np.float32)
    compare_layer(tmp_path, "PReLU", {0: num_slope}, [rand((5, 9, 11))], weights=BinWriter().raw(slopes))


def test_dropout_and_split_share_the_buffer_or_scale(tmp_path, vk_device):
    compare_layer(tmp_path, "Dropout", {}, [rand((3, 5, 7))])
    compare_layer(tmp_path, "Dropout", {0: 0.5}, [rand((3, 5, 7))])
    compare_layer(tmp_path, "Split", {}, [rand((3, 5, 7))], n_outputs=3)


def _positive(shape, seed):
    return (np.abs(rand(shape, seed, 3.0)) + np.float32(0.05)).astype(np.float32)


@pytest.mark.parametrize("params", [{}, {0: 10.0, 1: 0.5, 2: 0.1}, {0: 2.0}])
def test_log(tmp_path, vk_device, params):
    compare_layer(tmp_path, "Log", params, [_positive((3, 5, 7), 1)])


@pytest.mark.parametrize("params", [{0: 2.0}, {0: 3.0, 1: 0.5, 2: -0.25}, {0: 0.5}, {0: 1.0, 1: 2.0, 2: 1.0}])
def test_power(tmp_path, vk_device, params):
    x = _positive((3, 5, 7), 2) if params[0] == 0.5 else rand((3, 5, 7), 2)
    compare_layer(tmp_path, "Power", params, [x])


@pytest.mark.parametrize("op", [0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 18, 19, 20])
def test_unaryop_on_the_gpu(tmp_path, vk_device, op):
    x = _positive((3, 5, 7), op) if op in (5, 6, 8, 15) else rand((3, 5, 7), op)
    if op == 18:  # halves: round to even
        x = (np.round(x * 2) / 2).astype(np.float32)
    compare_layer(tmp_path, "UnaryOp", {0: op}, [x])


def test_unaryop_trigonometry_runs_on_the_cpu(tmp_path, vk_device):
    compare_layer(tmp_path, "UnaryOp", {0: 9}, [rand((3, 5, 7))], on_gpu=False)


def test_noop_passes_blobs_on(tmp_path, vk_device):
    compare_layer(tmp_path, "Noop", {}, [rand((3, 5, 7), 1), rand((5, 7), 2)], n_outputs=2)
