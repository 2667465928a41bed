"""Clip against ncnn: default (±FLT_MAX) bounds, one or both bounds, min > max, infinities."""
import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]
FLT_MAX = float(np.finfo(np.float32).max)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params", [{}, {0: -0.5}, {1: 0.75}, {0: 0.0, 1: 6.0}, {0: -1.25, 1: 1.25}, {0: 1.0, 1: -1.0}],
                         ids=["default", "min", "max", "relu6", "sym", "min>max"])
def test_clip_matches_ncnn(tmp_path, shape, params):
    x = (np.random.default_rng(0).standard_normal(shape) * 4).astype(np.float32)
    (y,) = check_layer(tmp_path, "Clip", params, [x])
    lo, hi = params.get(0, -FLT_MAX), params.get(1, FLT_MAX)
    expected = np.minimum(np.maximum(x, np.float32(lo)), np.float32(hi))  # min > max: everything is max
    np.testing.assert_array_equal(y, expected)


def test_infinities_clip_to_flt_max_by_default(tmp_path):
    x = np.array([-np.inf, np.inf, 1.0, -2.0] * 3, np.float32)
    (y,) = check_layer(tmp_path, "Clip", {}, [x])
    np.testing.assert_array_equal(y[:4], np.array([-FLT_MAX, FLT_MAX, 1.0, -2.0], np.float32))
