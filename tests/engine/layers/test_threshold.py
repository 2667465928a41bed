"""Threshold against ncnn: x > threshold ? 1 : 0 (equal gives 0), every rank."""
import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("threshold", [None, 0.5, -1.0])
def test_threshold_matches_ncnn(tmp_path, shape, threshold):
    t = 0.0 if threshold is None else threshold
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32).reshape(-1)
    x[: min(4, x.size)] = t  # values equal to the threshold give 0
    x = x.reshape(shape)
    params = {} if threshold is None else {0: threshold}
    (y,) = check_layer(tmp_path, "Threshold", params, [x])
    np.testing.assert_array_equal(y, (x > np.float32(t)).astype(np.float32))
    assert y.dtype == np.float32


def test_nan_gives_zero(tmp_path):
    x = np.array([np.nan, 1.0, -1.0, np.inf, -np.inf] * 2, np.float32)
    (y,) = check_layer(tmp_path, "Threshold", {}, [x])
    np.testing.assert_array_equal(y, np.tile([0, 1, 0, 1, 0], 2).astype(np.float32))
