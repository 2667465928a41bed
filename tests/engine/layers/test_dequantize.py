import numpy as np
import pytest

from tests.engine.layers.quant_support import SHAPES, assert_refused, scales, weights
from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("per_channel", [False, True])
@pytest.mark.parametrize("bias", ["none", "one", "per_channel"])
def test_dequantize_matches_ncnn(tmp_path, shape, per_channel, bias):
    rng = np.random.default_rng(sum(shape) + len(bias))
    x = rng.integers(-100000, 100000, shape, dtype=np.int32)
    x.flat[0] = 2**31 - 1  # int32 -> float32 conversion rounds
    n = shape[0] if per_channel else 1
    nb = {"none": 0, "one": 1, "per_channel": shape[0]}[bias]
    s = scales(rng, n, 1e-4, 1e-2)
    b = rng.standard_normal(nb).astype(np.float32) if nb else None
    (y,) = check_layer(tmp_path, "Dequantize", {0: n, 1: nb}, [x], weights(s, b))
    assert y.dtype == np.float32
    one_d = x.ndim == 1
    s_b = s[0] if (n == 1 or one_d) else s.reshape((-1,) + (1,) * (x.ndim - 1))
    expected = x.astype(np.float64) * s_b
    if nb:
        expected = expected + (b[0] if (nb == 1 or one_d) else b.reshape((-1,) + (1,) * (x.ndim - 1)))
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


@pytest.mark.parametrize("params", [{0: 0}, {0: -1}, {1: -1}])
def test_dequantize_refuses_bad_sizes(tmp_path, params):
    assert_refused(tmp_path, "Dequantize", params, weights(np.ones(1, np.float32)), np.zeros(4, np.int32))


def test_dequantize_reads_float32_input_as_int_bits(tmp_path):
    # ncnn Mats carry no dtype: a float32 blob fed to Dequantize is read as int32 bit patterns
    x = np.random.default_rng(7).standard_normal((3, 4, 5)).astype(np.float32)
    (y,) = check_layer(tmp_path, "Dequantize", {}, [x], weights(np.array([1e-9], np.float32)))
    np.testing.assert_allclose(y, x.view(np.int32) * np.float32(1e-9), rtol=1e-6)
