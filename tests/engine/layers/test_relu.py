import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("slope", [None, 0.1])
def test_relu_matches_ncnn(tmp_path, shape, slope):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    params = {} if slope is None else {0: slope}
    (y,) = check_layer(tmp_path, "ReLU", params, [x])
    expected = np.where(x < 0, x * (slope or 0.0), x)
    np.testing.assert_allclose(y, expected, rtol=1e-6)
