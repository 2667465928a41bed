import numpy as np
import pytest

from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer
from tests.engine.layers.norm_support import assert_refused

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7)])
def test_bias_matches_ncnn(tmp_path, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(np.float32)
    n = shape[0] if len(shape) >= 3 else 4  # 1-D/2-D blobs are one channel: only bias[0] is used
    b = rng.standard_normal(n).astype(np.float32)
    (y,) = check_layer(tmp_path, "Bias", {0: n}, [x], weights=BinWriter().raw(b))
    if len(shape) >= 3:
        expected = x + b.reshape((n,) + (1,) * (len(shape) - 1))
    else:
        expected = x + b[0]
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_bias_refuses_empty_bias(tmp_path):
    assert_refused(tmp_path, "Bias", {0: 0}, np.zeros((3, 4, 5), np.float32))
