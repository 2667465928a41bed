import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle


def _x(shape):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape, axes, expected", [
    ((7,), [0], (1, 7)),
    ((7,), [1], (7, 1)),
    ((7,), [-1], (7, 1)),
    ((7,), [0, 1], (1, 1, 7)),
    ((7,), [0, 2], (1, 7, 1)),
    ((7,), [1, 2], (7, 1, 1)),
    ((7,), [0, 1, 2], (1, 1, 1, 7)),
    ((7,), [0, 1, 3], (1, 1, 7, 1)),
    ((7,), [0, 2, 3], (1, 7, 1, 1)),
    ((7,), [1, 2, 3], (7, 1, 1, 1)),
    ((5, 7), [0], (1, 5, 7)),
    ((5, 7), [1], (5, 1, 7)),
    ((5, 7), [2], (5, 7, 1)),
    ((5, 7), [0, 1], (1, 1, 5, 7)),
    ((5, 7), [0, 2], (1, 5, 1, 7)),
    ((5, 7), [0, 3], (1, 5, 7, 1)),
    ((5, 7), [1, 2], (5, 1, 1, 7)),
    ((5, 7), [1, 3], (5, 1, 7, 1)),
    ((5, 7), [2, 3], (5, 7, 1, 1)),
    ((5, 7), [-1, -2], (5, 7, 1, 1)),
    ((3, 5, 7), [0], (1, 3, 5, 7)),
    ((3, 5, 7), [1], (3, 1, 5, 7)),
    ((3, 5, 7), [2], (3, 5, 1, 7)),
    ((3, 5, 7), [3], (3, 5, 7, 1)),
    ((4, 5, 7), [-4], (1, 4, 5, 7)),
    ((3, 5, 7), [], (3, 5, 7)),
    ((3, 2, 5, 7), [0], (3, 2, 5, 7)),     # a 5-D result: ncnn leaves the blob as is
    ((7,), [3], (7,)),                     # out of range for a 2-D result: nothing expanded
    ((7,), [0, 0], (1, 1, 7)),             # duplicates count toward the rank, as in ncnn
    ((5, 7), [1, 1], (1, 1, 5, 7)),
])
def test_expanddims_matches_ncnn(tmp_path, shape, axes, expected):
    x = _x(shape)
    (y,) = check_layer(tmp_path, "ExpandDims", {3: axes}, [x])
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


@pytest.mark.parametrize("axes", [[4], [-5], [0, 1, 2, 3, 0]])
def test_expanddims_axes_refused_at_load_like_ncnn(tmp_path, axes):
    from engine import Net
    from engine.errors import ModelFormatError
    from tests.support.layer_check import one_layer_model
    from tests.support.oracle import require_ncnn
    param, _ = one_layer_model(tmp_path, "ExpandDims", {3: axes}, 1, 1)
    assert require_ncnn().Net().load_param(str(param)) != 0
    with pytest.raises(ModelFormatError, match="axes"):
        Net().load_param(param)
