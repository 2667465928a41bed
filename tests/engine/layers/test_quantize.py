import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from engine.kernels.int8 import float2int8
from tests.engine.layers.detection_support import run_ours
from tests.engine.layers.quant_support import SHAPES, assert_refused, check_exact, scales, weights

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("per_channel", [False, True])
def test_quantize_matches_ncnn(tmp_path, shape, per_channel):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 40).astype(np.float32)  # spans the clamp at ±127
    n = shape[0] if per_channel else 1
    s = scales(rng, n)
    y = check_exact(tmp_path, "Quantize", {0: n}, x, weights(s), np.int8)
    s_b = s[0] if (n == 1 or x.ndim == 1) else s.reshape((-1,) + (1,) * (x.ndim - 1))
    v = x * s_b
    expected = np.clip(np.trunc(v + np.copysign(np.float32(0.5), v)), -127, 127)
    np.testing.assert_array_equal(y, expected)


def test_quantize_rounding_and_specials(tmp_path):
    # ties round away from zero; -128 never appears; NaN, +-inf and |v| >= 2**31 give -127 (cvttps overflow)
    vals = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5, -126.5, 127.6, -200.0, np.inf, -np.inf, np.nan,
            3e9, -3e9, 2.2e9, 1e6, 0.0, -0.0, 0.49999997]
    x = np.array(vals * 2, np.float32)
    y = check_exact(tmp_path, "Quantize", {}, x, weights(np.array([1.0], np.float32)), np.int8)
    assert list(y[:20]) == [1, 2, 3, -1, -2, -3, 127, -127, 127, -127, -127, -127, -127, -127, -127, -127, 127,
                            0, 0, 1]


def test_float2int8_kernel_by_hand():
    v = np.array([0.5, -0.5, 1.49, -1.51, 300, -300, np.nan, np.inf], np.float32)
    assert float2int8(v).tolist() == [1, -1, 1, -2, 127, -127, -127, -127]
    assert float2int8(v).dtype == np.int8


def test_quantize_1d_uses_first_scale(tmp_path):
    x = np.linspace(-3, 3, 11).astype(np.float32)
    y = check_exact(tmp_path, "Quantize", {0: 3}, x, weights(np.array([10, 2, 3], np.float32)), np.int8)
    np.testing.assert_array_equal(y, float2int8(x * np.float32(10)))


@pytest.mark.parametrize("size", [0, -1])
def test_quantize_refuses_empty_scale(tmp_path, size):
    assert_refused(tmp_path, "Quantize", {0: size}, weights(), np.zeros(4, np.float32))


def test_quantize_too_few_scales_is_a_runtime_error(tmp_path):
    # ncnn would read past its scale vector; we refuse
    with pytest.raises(LayerRuntimeError):
        run_ours(tmp_path, "Quantize", {0: 3}, [np.zeros((5, 2), np.float32)], weights(np.ones(3, np.float32)))
