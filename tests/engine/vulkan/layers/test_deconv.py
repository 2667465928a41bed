"""Vulkan Deconvolution against the numpy layer: stride, dilation, pads, output_pad, output size, groups."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.layers.conv_support import ACTIVATIONS, act_params
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan


def _deconv(tmp_path, c, outc, k, extra, shape=(5, 7), group=1):
    kh, kw = k
    count = outc * (c // group) * kh * kw
    rng = np.random.default_rng(2)
    bw = BinWriter().tagged(rng.standard_normal(count).astype(np.float32)).raw(
        rng.standard_normal(outc).astype(np.float32))
    params = {0: outc, 1: kw, 11: kh, 5: 1, 6: count, **extra}
    if group > 1:
        params[7] = group
    layer = "DeconvolutionDepthWise" if group > 1 else "Deconvolution"
    compare_layer(tmp_path, layer, params, [rand((c,) + shape)], weights=bw)


@pytest.mark.parametrize("k,extra", [
    ((3, 3), {3: 2}),
    ((4, 4), {3: 2, 4: 1}),
    ((3, 2), {3: 3, 13: 2, 2: 2, 14: 1, 16: 0, 4: 2, 15: 1}),
    ((3, 3), {3: 2, 18: 1, 19: 1}),
    ((3, 3), {3: 2, 4: -233, 20: 12, 21: 9}),
    ((3, 3), {3: 2, 4: -234, 20: 12, 21: 10}),
    ((2, 2), {3: 2}),
])
def test_deconvolution_geometry(tmp_path, vk_device, k, extra):
    _deconv(tmp_path, 3, 4, k, extra)


@pytest.mark.parametrize("act,extra", ACTIVATIONS, ids=[f"act{a}" for a, _ in ACTIVATIONS])
def test_deconvolution_fused_activation(tmp_path, vk_device, act, extra):
    _deconv(tmp_path, 2, 3, (3, 3), {3: 2, **act_params(act, extra)})


@pytest.mark.parametrize("c,outc,group", [(4, 4, 4), (4, 8, 4), (6, 4, 2)])
def test_deconvolution_depthwise(tmp_path, vk_device, c, outc, group):
    _deconv(tmp_path, c, outc, (3, 3), {3: 2, 4: 1, **act_params(1, None)}, group=group)
