import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", [(7,), (5, 7), (3, 5, 7), (4, 5, 7), (3, 2, 5, 7)])
@pytest.mark.parametrize("scale", [None, 1.0, 0.5, -2.5, 0.3])
def test_dropout_matches_ncnn(tmp_path, shape, scale):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    params = {} if scale is None else {0: scale}
    (y,) = check_layer(tmp_path, "Dropout", params, [x])
    expected = x if scale is None else x * np.float32(scale)
    np.testing.assert_array_equal(y, expected)
