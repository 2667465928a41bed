"""Vulkan InnerProduct, Eltwise and Scale against the numpy layers at odd sizes."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.conv_support import ACTIVATIONS, act_params
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan


def _ip(tmp_path, x, num_output, bias=True, extra=None):
    k = x.size if not (x.ndim == 2 and extra and extra.get("rows")) else x.shape[1]
    extra = {key: v for key, v in (extra or {}).items() if key != "rows"}
    rng = np.random.default_rng(3)
    bw = BinWriter().tagged(rng.standard_normal(num_output * k).astype(np.float32))
    if bias:
        bw.raw(rng.standard_normal(num_output).astype(np.float32))
    compare_layer(tmp_path, "InnerProduct", {0: num_output, 1: int(bias), 2: num_output * k, **extra}, [x],
                  weights=bw)


@pytest.mark.parametrize("act,extra", ACTIVATIONS, ids=[f"act{a}" for a, _ in ACTIVATIONS])
def test_innerproduct_flattens_and_activates(tmp_path, vk_device, act, extra):
    _ip(tmp_path, rand((3, 5, 7)), 13, extra=act_params(act, extra))


def test_innerproduct_rows_and_vectors(tmp_path, vk_device):
    _ip(tmp_path, rand((5, 7)), 9, extra={"rows": True})
    _ip(tmp_path, rand((77,)), 70, bias=False)


@pytest.mark.parametrize("op,coeffs,n", [(0, None, 2), (0, None, 3), (1, None, 2), (1, None, 4),
                                         (1, [0.5, -2.0, 3.0], 3), (2, None, 3)])
def test_eltwise(tmp_path, vk_device, op, coeffs, n):
    params = {0: op, **({1: coeffs} if coeffs else {})}
    compare_layer(tmp_path, "Eltwise", params, [rand((3, 5, 7), i) for i in range(n)])


@pytest.mark.parametrize("bias", [0, 1])
@pytest.mark.parametrize("shape", [(5, 9, 11), (5, 7), (5,)])
def test_scale_with_weights(tmp_path, vk_device, bias, shape):
    rng = np.random.default_rng(4)
    bw = BinWriter().raw(rng.standard_normal(5).astype(np.float32))
    if bias:
        bw.raw(rng.standard_normal(5).astype(np.float32))
    compare_layer(tmp_path, "Scale", {0: 5, 1: bias}, [rand(shape)], weights=bw)


def test_scale_from_a_second_blob(tmp_path, vk_device):
    compare_layer(tmp_path, "Scale", {0: -233}, [rand((3, 5, 7)), rand((3, 1, 1), 9)])


@pytest.mark.parametrize("shape", [(5, 9, 11), (5, 7), (5,), (2, 5, 3, 7)])
def test_batchnorm(tmp_path, vk_device, shape):
    rng = np.random.default_rng(5)
    n = shape[0]
    bw = BinWriter()
    for what in ("slope", "mean", "var", "bias"):
        v = rng.standard_normal(n).astype(np.float32)
        bw.raw(np.abs(v) if what == "var" else v)
    compare_layer(tmp_path, "BatchNorm", {0: n, 1: 1e-5}, [rand(shape)], weights=bw)


@pytest.mark.parametrize("shape", [(5, 9, 11), (5, 7), (7,), (2, 5, 3, 7)])
def test_bias(tmp_path, vk_device, shape):
    values = np.random.default_rng(7).standard_normal(5).astype(np.float32)
    compare_layer(tmp_path, "Bias", {0: 5}, [rand(shape)], weights=BinWriter().raw(values))
