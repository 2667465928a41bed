"""Vulkan Convolution / ConvolutionDepthWise against the numpy layers at odd sizes."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.conv_support import ACTIVATIONS, act_params
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan


def _weights(count: int, bias: int, seed: int = 1) -> BinWriter:
    rng = np.random.default_rng(seed)
    bw = BinWriter().tagged(rng.standard_normal(count).astype(np.float32))
    if bias:
        bw.raw(rng.standard_normal(bias).astype(np.float32))
    return bw


def _conv(tmp_path, x_shape, outc, k, *, stride=(1, 1), dilation=(1, 1), pads=(0, 0, 0, 0), group=1,
          bias=True, extra=None, layer="Convolution"):
    c = x_shape[0]
    kh, kw = k
    count = outc * (c // group) * kh * kw
    params = {0: outc, 1: kw, 11: kh, 3: stride[1], 13: stride[0], 2: dilation[1], 12: dilation[0],
              4: pads[2], 15: pads[3], 14: pads[0], 16: pads[1], 5: int(bias), 6: count, **(extra or {})}
    if layer == "ConvolutionDepthWise":
        params[7] = group
    return compare_layer(tmp_path, layer, params, [rand(x_shape)], weights=_weights(count, outc if bias else 0))


@pytest.mark.parametrize("k,stride,dilation,pads", [
    ((3, 3), (1, 1), (1, 1), (1, 1, 1, 1)),
    ((1, 1), (1, 1), (1, 1), (0, 0, 0, 0)),
    ((3, 2), (2, 1), (1, 1), (0, 1, 2, 0)),
    ((3, 3), (2, 3), (2, 1), (1, 2, 0, 1)),
    ((5, 5), (1, 1), (1, 2), (2, 2, 2, 2)),
    ((3, 3), (2, 2), (1, 1), (-233, -233, -233, -233)),
    ((4, 3), (3, 2), (1, 1), (-234, -234, -234, -234)),
])
def test_convolution_geometry(tmp_path, vk_device, k, stride, dilation, pads):
    for shape, outc in (((3, 9, 11), 5), ((6, 13, 7), 8)):
        _conv(tmp_path, shape, outc, k, stride=stride, dilation=dilation, pads=pads)


@pytest.mark.parametrize("act,extra", ACTIVATIONS, ids=[f"act{a}" for a, _ in ACTIVATIONS])
def test_convolution_fused_activation(tmp_path, vk_device, act, extra):
    _conv(tmp_path, (3, 9, 11), 6, (3, 3), pads=(1, 1, 1, 1), extra=act_params(act, extra))


def test_convolution_pad_value_and_no_bias(tmp_path, vk_device):
    _conv(tmp_path, (2, 7, 5), 3, (3, 3), pads=(2, 1, 1, 2), bias=False, extra={18: 0.75})


@pytest.mark.parametrize("c,outc,group", [(6, 6, 6), (6, 12, 6), (8, 4, 2), (6, 9, 3), (5, 5, 5)])
def test_depthwise_and_grouped(tmp_path, vk_device, c, outc, group):
    _conv(tmp_path, (c, 11, 9), outc, (3, 3), stride=(2, 1), pads=(1, 1, 1, 1), group=group,
          layer="ConvolutionDepthWise", extra=act_params(2, [0.1]))


def test_one_dimensional_input_runs_on_the_cpu(tmp_path, vk_device):
    """A 1-D blob through a 1x1 convolution is ncnn's InnerProduct-like path: no shader, CPU fallback."""
    count = 4 * 6
    compare_layer(tmp_path, "Convolution", {0: 4, 1: 1, 5: 1, 6: count}, [rand((6,))],
                  weights=_weights(count, 4), on_gpu=False)
