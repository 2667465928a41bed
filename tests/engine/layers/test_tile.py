import numpy as np
import pytest

from engine import Net
from engine.errors import ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (16,), (3, 5), (8, 3), (3, 5, 7), (8, 3, 5), (2, 3, 4, 5), (4, 2, 3, 5)]


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("axis", [0, 1, 2, 3])
@pytest.mark.parametrize("tiles", [None, 1, 2, 3])
def test_axis_form(tmp_path, shape, axis, tiles):
    x = rand(shape)
    params = {0: axis, **({1: tiles} if tiles is not None else {})}
    (y,) = check_layer(tmp_path, "Tile", params, [x])
    ax = 0 if x.ndim == 1 else axis
    expected = x
    if ax < x.ndim:  # an axis the blob lacks changes nothing
        reps = [1] * x.ndim
        reps[ax] = tiles or 1
        expected = np.tile(x, reps)
    np.testing.assert_array_equal(y, expected)


REPEATS = [[2], [3], [2, 1], [1, 3], [2, 3], [1, 1], [2, 1, 3], [1, 2, 1], [1, 1, 1], [2, 1, 2, 3], [1, 2, 1, 1],
           [1, 1, 1, 1]]


def ncnn_tile(x, reps):
    """np.tile, except that ncnn keeps a 3-D blob's channels as channels under 4 repeats."""
    if x.ndim == 3 and len(reps) == 4:
        return np.tile(x[:, None], reps)
    return np.tile(x, reps)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("repeats", REPEATS)
def test_repeats_form(tmp_path, shape, repeats):
    x = rand(shape, 1)
    (y,) = check_layer(tmp_path, "Tile", {2: repeats, 0: 1, 1: 5}, [x])  # repeats win over axis/tiles
    np.testing.assert_array_equal(y, ncnn_tile(x, repeats))


def test_three_d_with_four_repeats_keeps_channels(tmp_path):
    x = rand((3, 2, 4), 2)
    (y,) = check_layer(tmp_path, "Tile", {2: [2, 3, 1, 1]}, [x])
    assert y.shape == (6, 3, 2, 4)  # numpy would give (2, 9, 2, 4)


@pytest.mark.parametrize("params", [{0: -1, 1: 2}, {0: 4, 1: 2}, {1: 0}, {1: -1}, {2: [1, 1, 1, 1, 1]}, {2: [0, 1]},
                                    {2: [-1, 2]}])
def test_refused_at_load(tmp_path, params):
    param, binf = one_layer_model(tmp_path, "Tile", params, 1, 1)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": rand((2, 3, 4))}, ["out0"])
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
