import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", [(7,), (5, 7), (3, 5, 7), (4, 5, 7), (3, 2, 5, 7), (1, 1, 1), (8, 1, 3)])
def test_flatten_matches_ncnn(tmp_path, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Flatten", {}, [x])
    assert y.shape == (x.size,)
    np.testing.assert_array_equal(y, x.reshape(-1))
