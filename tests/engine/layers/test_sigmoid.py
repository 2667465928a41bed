import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, sigmoid64, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_sigmoid_matches_ncnn(tmp_path, shape):
    check(tmp_path, "Sigmoid", {}, typical(shape), sigmoid64)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_sigmoid_extremes_match_ncnn(tmp_path, shape):
    y = check(tmp_path, "Sigmoid", {}, extreme(shape))
    assert np.isfinite(y).all() and (y >= 0).all() and (y <= 1).all()
