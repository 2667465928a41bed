"""Vulkan Gemm against the numpy layer: input/constant operands, transposes, C broadcasting, outputs."""
from __future__ import annotations

import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.engine.vulkan.support import compare_layer, rand

pytestmark = pytest.mark.vulkan

M, N, K = 5, 7, 9


@pytest.mark.parametrize("ta,tb", [(0, 0), (1, 0), (0, 1), (1, 1)])
@pytest.mark.parametrize("c_shape", [None, (1,), (M,), (N,), (M, 1), (1, N), (M, N)])
def test_gemm_two_inputs_and_input_c(tmp_path, vk_device, ta, tb, c_shape):
    a = rand((K, M) if ta else (M, K), 1)
    b = rand((N, K) if tb else (K, N), 2)
    inputs = [a, b] + ([rand(c_shape, 3)] if c_shape else [])
    compare_layer(tmp_path, "Gemm", {0: 0.5, 1: 2.0, 2: ta, 3: tb}, inputs)


@pytest.mark.parametrize("ctype", [-1, 0, 1, 2, 3, 4])
def test_gemm_constant_b_and_c(tmp_path, vk_device, ctype):
    rng = np.random.default_rng(8)
    bw = BinWriter().tagged(rng.standard_normal(N * K).astype(np.float32))  # B stored (N, K): transB
    if ctype != -1:
        size = {0: 1, 1: M, 2: M, 3: M * N, 4: N}[ctype]
        bw.tagged(rng.standard_normal(size).astype(np.float32))
    params = {1: 0.75, 3: 1, 5: 1, 6: 1, 7: M, 8: N, 9: K, 10: ctype}
    compare_layer(tmp_path, "Gemm", params, [rand((M, K), 4)], weights=bw)


def test_gemm_constant_a_with_n1m_and_transposed_output(tmp_path, vk_device):
    rng = np.random.default_rng(9)
    bw = BinWriter().tagged(rng.standard_normal(M * K).astype(np.float32))
    compare_layer(tmp_path, "Gemm", {4: 1, 7: M, 9: K, 14: 1, 11: 1}, [rand((K, 1, N), 5)], weights=bw)


def test_gemm_inner_size_mismatch_raises_the_numpy_error(tmp_path, vk_device):
    from engine.errors import LayerRuntimeError
    with pytest.raises(LayerRuntimeError, match="inner sizes differ"):
        compare_layer(tmp_path, "Gemm", {}, [rand((M, K)), rand((K + 1, N))])


MATMUL = [((5, 7), (7, 3), 0), ((7,), (7,), 0), ((7,), (7, 3), 0), ((5, 7), (7,), 0), ((5, 7), (3, 7), 1),
          ((2, 5, 7), (7, 3), 0), ((5, 7), (2, 7, 3), 0), ((2, 5, 7), (2, 3, 7), 1), ((2, 3, 5, 7), (3, 7, 4), 0),
          ((2, 1, 5, 7), (1, 3, 7, 4), 0), ((3, 5, 7), (7,), 0), ((7,), (2, 7, 3), 0), ((2, 3, 5, 7), (7, 3), 0)]


@pytest.mark.parametrize("sa,sb,trans", MATMUL, ids=[f"{a}x{b}t{t}" for a, b, t in MATMUL])
def test_matmul(tmp_path, vk_device, sa, sb, trans):
    compare_layer(tmp_path, "MatMul", {0: trans}, [rand(sa, 1), rand(sb, 2)])
