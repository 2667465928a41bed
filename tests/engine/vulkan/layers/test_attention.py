"""Vulkan MultiHeadAttention against the numpy layer: self and cross attention, kdim/vdim != embed_dim."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan


def _weights(e: int, q: int, k: int, v: int) -> BinWriter:
    rng = np.random.default_rng(11)
    bw = BinWriter()
    for rows, cols in ((e, q), (e, k), (e, v)):
        bw.tagged((rng.standard_normal(rows * cols) * 0.3).astype(np.float32))
        bw.raw(rng.standard_normal(e).astype(np.float32))
    bw.tagged((rng.standard_normal(q * e) * 0.3).astype(np.float32)).raw(rng.standard_normal(q).astype(np.float32))
    return bw


@pytest.mark.parametrize("heads", [1, 3])
def test_self_attention(tmp_path, vk_device, heads):
    e = 12
    compare_layer(tmp_path, "MultiHeadAttention", {0: e, 1: heads, 2: e * e}, [rand((7, e))],
                  weights=_weights(e, e, e, e))


def test_cross_attention_with_other_widths(tmp_path, vk_device):
    e, q, k, v = 8, 6, 5, 3
    params = {0: e, 1: 2, 2: e * q, 3: k, 4: v, 6: 0.3}
    compare_layer(tmp_path, "MultiHeadAttention", params, [rand((7, q), 1), rand((9, k), 2), rand((9, v), 3)],
                  weights=_weights(e, q, k, v))


def test_masked_attention_runs_on_the_cpu(tmp_path, vk_device):
    e = 8
    compare_layer(tmp_path, "MultiHeadAttention", {0: e, 1: 2, 2: e * e, 5: 1}, [rand((5, e)), rand((5, 5), 4)],
                  weights=_weights(e, e, e, e), on_gpu=False)
