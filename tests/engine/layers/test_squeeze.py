import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

FLAGS = {"w": 0, "h": 1, "d": 11, "c": 2}


def _x(shape):
    return np.random.default_rng(0).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape, flags, expected", [
    ((1,), "w", (1,)),
    ((7,), "w", (7,)),
    ((1, 7), "h", (7,)),
    ((5, 1), "w", (5,)),
    ((1, 1), "wh", (1,)),
    ((1, 7), "w", (1, 7)),                 # w is not 1: kept
    ((1, 5, 1), "wc", (5,)),
    ((1, 1, 7), "hc", (7,)),
    ((3, 1, 1), "wh", (3,)),
    ((1, 1, 1), "whc", (1,)),
    ((3, 1, 7), "h", (3, 7)),
    ((3, 5, 1), "w", (3, 5)),
    ((1, 5, 7), "c", (5, 7)),
    ((1, 5, 7), "whdc", (5, 7)),
    ((3, 5, 7), "whdc", (3, 5, 7)),
    ((3, 1, 5, 7), "d", (3, 5, 7)),
    ((1, 1, 5, 7), "dc", (5, 7)),
    ((3, 1, 1, 7), "hd", (3, 7)),
    ((3, 2, 5, 1), "w", (3, 2, 5)),
    ((1, 2, 1, 7), "hc", (2, 7)),
    ((1, 1, 1, 7), "hdc", (7,)),
    ((3, 1, 1, 1), "whd", (3,)),
    ((1, 2, 1, 1), "whc", (2,)),
    ((1, 1, 5, 1), "wdc", (5,)),
    ((1, 1, 1, 1), "whdc", (1,)),
    ((1, 2, 5, 1), "wc", (2, 5)),
    ((3, 1, 5, 1), "wd", (3, 5)),
    ((1, 2, 1, 7), "", (1, 2, 1, 7)),
])
def test_squeeze_flags(tmp_path, shape, flags, expected):
    x = _x(shape)
    params = {FLAGS[f]: 1 for f in flags}
    (y,) = check_layer(tmp_path, "Squeeze", params, [x])
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


@pytest.mark.parametrize("shape, axes, expected", [
    ((1,), [0], (1,)),
    ((1, 7), [0], (7,)),
    ((5, 1), [-1], (5,)),
    ((1, 1), [0, 1], (1,)),
    ((1, 5, 1), [0, 2], (5,)),
    ((1, 5, 7), [0], (5, 7)),
    ((3, 1, 7), [-2], (3, 7)),
    ((3, 5, 7), [0, 1], (3, 5, 7)),        # not size 1: silently kept
    ((1, 5, 7), [1], (1, 5, 7)),
    ((1, 1, 5, 7), [0, 1], (5, 7)),
    ((3, 1, 1, 7), [1, 2], (3, 7)),
    ((3, 2, 5, 1), [3], (3, 2, 5)),
    ((1, 1, 1, 7), [0, 1, 2], (7,)),
    ((1, 2, 1, 1), [-1, -2, -4], (2,)),
    ((1, 5, 7), [3], (1, 5, 7)),           # out of range for 3-D: ignored
])
def test_squeeze_axes(tmp_path, shape, axes, expected):
    x = _x(shape)
    # the flags are ignored once axes are given
    (y,) = check_layer(tmp_path, "Squeeze", {0: 1, 1: 1, 2: 1, 11: 1, 3: axes}, [x])
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


@pytest.mark.parametrize("axes", [[4], [-5], [0, 1, 2, 3, 0]])
def test_squeeze_axes_refused_at_load_like_ncnn(tmp_path, axes):
    _refused_by_both(tmp_path, "Squeeze", {3: axes})


def _refused_by_both(tmp_path, layer_type, params):
    from engine import Net
    from engine.errors import ModelFormatError
    from tests.support.layer_check import one_layer_model
    from tests.support.oracle import require_ncnn
    param, _ = one_layer_model(tmp_path, layer_type, params, 1, 1)
    assert require_ncnn().Net().load_param(str(param)) != 0
    with pytest.raises(ModelFormatError, match="axes"):
        Net().load_param(param)
