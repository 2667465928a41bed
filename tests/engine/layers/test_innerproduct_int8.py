"""InnerProduct's int8 path against the real ncnn (float outputs within 1e-5 relative), including
sums beyond float32's exact range."""
from __future__ import annotations

import numpy as np
import pytest

from engine.kernels.int8 import EXACT_K
from tests.engine.int8.int8_support import check_int8_layer, quantize_weights, weight_scales, with_activation

pytestmark = pytest.mark.oracle


def _case(seed, nin, nout, x_shape):
    rng = np.random.default_rng(seed)
    wf = rng.standard_normal((nout, nin)).astype(np.float32)
    ws = weight_scales(wf)
    x = (rng.standard_normal(x_shape) * 3).astype(np.float32)
    return quantize_weights(wf, ws), ws, rng.standard_normal(nout).astype(np.float32), x


# (num_input, num_output, input shape): vectors, a flattened 3-D blob, batches of rows (2-D, w == num_input)
SHAPES = [(35, 6, (35,)), (60, 16, (3, 4, 5)), (3000, 16, (3000,)), (64, 8, (4, 64)), (64, 10, (3, 64)),
          (2000, 24, (8, 2000))]


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}-{s[1]}-{'x'.join(map(str, s[2]))}")
@pytest.mark.parametrize("act", [0, 1, 2, 5])
def test_innerproduct_int8_matches_ncnn(tmp_path, shape, act):
    nin, nout, x_shape = shape
    wq, ws, b, x = _case(nin + act, nin, nout, x_shape)
    params = with_activation({0: nout, 1: 1, 2: wq.size, 8: 1}, act)
    check_int8_layer(tmp_path, "InnerProduct", params, wq, b, ws, 127 / np.abs(x).max(), None, x)


def test_innerproduct_int8_exact_long_sums(tmp_path):
    """5000 products of 127*127: the int32 sum (80 645 000) is far beyond float32's 2**24; with scales 1
    the output is that sum rounded once to float32."""
    nin = 5000
    wq = np.full((2, nin), 127, np.int8)
    wq[1, ::2] = -127
    x = np.full(nin, 127.0, np.float32)
    x[1::3] = 126.0
    assert nin > EXACT_K
    y = check_int8_layer(tmp_path, "InnerProduct", {0: 2, 2: wq.size, 8: 1}, wq.reshape(-1), None,
                         np.ones(2, np.float32), 1.0, None, x)
    exact = wq.astype(np.int64) @ x.astype(np.int64)
    np.testing.assert_array_equal(y, exact.astype(np.float32))
