"""MatMul against ncnn: every rank pair 1..4, batch broadcasting both ways, transB."""
import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

M, K, N = 5, 7, 3

# (A shape, B shape without transB); with transB the last two axes of a >= 2-D B are swapped.
PAIRS = [
    ((K,), (K,)),
    ((K,), (K, N)),
    ((M, K), (K,)),
    ((M, K), (K, N)),
    ((K,), (4, K, N)),
    ((K,), (2, 4, K, N)),
    ((4, M, K), (K,)),
    ((2, 4, M, K), (K,)),
    ((4, M, K), (4, K, N)),
    ((1, M, K), (4, K, N)),
    ((4, M, K), (1, K, N)),
    ((M, K), (4, K, N)),
    ((4, M, K), (K, N)),
    ((2, 4, M, K), (2, 4, K, N)),
    ((1, 4, M, K), (2, 1, K, N)),
    ((2, 1, M, K), (1, 4, K, N)),
    ((2, 4, M, K), (1, 1, K, N)),
    ((4, M, K), (2, 4, K, N)),
    ((2, 4, M, K), (4, K, N)),
    ((2, 4, M, K), (1, K, N)),
    ((M, K), (2, 4, K, N)),
    ((2, 4, M, K), (K, N)),
    ((1, K), (K, 1)),
]


def swap_last(b: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.swapaxes(b, -1, -2)) if b.ndim >= 2 else b


@pytest.mark.parametrize("a_shape,b_shape", PAIRS)
@pytest.mark.parametrize("trans_b", [0, 1])
def test_matmul_matches_ncnn(tmp_path, a_shape, b_shape, trans_b):
    rng = np.random.default_rng(len(a_shape) * 10 + len(b_shape))
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    fed_b = swap_last(b) if trans_b else b
    (y,) = check_layer(tmp_path, "MatMul", {0: trans_b} if trans_b else {}, [a, fed_b])
    want = np.atleast_1d(np.matmul(a.astype(np.float64), b.astype(np.float64)))
    assert y.shape == want.shape
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


def test_matmul_large(tmp_path):
    rng = np.random.default_rng(1)
    a = rng.standard_normal((8, 64, 256)).astype(np.float32)
    b = rng.standard_normal((8, 96, 256)).astype(np.float32)
    check_layer(tmp_path, "MatMul", {0: 1}, [a, b])


@pytest.mark.parametrize("a_shape,b_shape", [((M, K), (K + 1, N)), ((3, M, K), (4, K, N)), ((K,), (K + 1,))])
def test_matmul_mismatch_refused(tmp_path, a_shape, b_shape):
    param, binf = one_layer_model(tmp_path, "MatMul", {}, 2, 1)
    feeds = {"in0": np.zeros(a_shape, np.float32), "in1": np.zeros(b_shape, np.float32)}
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, feeds, ["out0"])
