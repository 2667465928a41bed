import numpy as np
import pytest

from engine.kernels.int8 import float2int8
from tests.engine.layers.quant_support import ACTIVATIONS, SHAPES, assert_refused, check_exact, scales, weights

pytestmark = pytest.mark.oracle


def case(rng, shape, n_in, n_out, nb):
    x = rng.integers(-20000, 20000, shape, dtype=np.int32)
    s_in = scales(rng, n_in, 1e-4, 2e-3)
    s_out = scales(rng, n_out, 5.0, 60.0)
    b = rng.standard_normal(nb).astype(np.float32) if nb else None
    return x, s_in, s_out, b


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("per_channel", [(False, False, 0), (True, True, 1), (True, False, -1), (False, True, -1)])
def test_requantize_matches_ncnn(tmp_path, shape, per_channel):
    rng = np.random.default_rng(sum(shape))
    pin, pout, pb = per_channel
    n_in, n_out = (shape[0] if pin else 1), (shape[0] if pout else 1)
    nb = shape[0] if pb == -1 else pb
    x, s_in, s_out, b = case(rng, shape, n_in, n_out, nb)
    y = check_exact(tmp_path, "Requantize", {0: n_in, 1: n_out, 2: nb}, x, weights(s_in, s_out, b), np.int8)
    if x.ndim > 1:  # by hand, away from the rounding edges
        bc = (-1,) + (1,) * (x.ndim - 1)
        v = x * s_in.reshape(bc).astype(np.float64) + (0 if b is None else b.reshape(bc) if nb > 1 else b[0])
        v = v * s_out.reshape(bc)
        safe = np.abs(np.abs(v) % 1 - 0.5) > 1e-3
        np.testing.assert_array_equal(y[safe], float2int8(v.astype(np.float32))[safe])


@pytest.mark.parametrize("act,act_params", ACTIVATIONS)
@pytest.mark.parametrize("shape", [(23,), (8, 9), (5, 7, 9), (16, 2, 3, 3)])
def test_requantize_fused_activation(tmp_path, act, act_params, shape):
    rng = np.random.default_rng(act)
    x, s_in, s_out, b = case(rng, shape, shape[0], shape[0], shape[0])
    params = {0: shape[0], 1: shape[0], 2: shape[0], 3: act}
    if act_params:
        params[4] = act_params
    check_exact(tmp_path, "Requantize", params, x, weights(s_in, s_out, b), np.int8)


@pytest.mark.parametrize("params", [{0: 0}, {1: 0}, {2: -1}, {3: 7}, {3: -1}, {3: 2}, {3: 3, 4: [1.0]}])
def test_requantize_refuses_bad_params(tmp_path, params):
    # empty scales, negative bias size, unknown activation, too few activation_params
    assert_refused(tmp_path, "Requantize", params, weights(np.ones(3, np.float32)), np.zeros(4, np.int32))


def test_requantize_reads_float32_input_as_int_bits(tmp_path):
    x = np.random.default_rng(8).standard_normal((3, 4, 5)).astype(np.float32)
    y = check_exact(tmp_path, "Requantize", {}, x, weights(np.array([1e-8], np.float32), np.ones(1, np.float32)),
                    np.int8)
    np.testing.assert_array_equal(y, float2int8(x.view(np.int32) * np.float32(1e-8)))
