import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_tanh_matches_ncnn(tmp_path, shape):
    check(tmp_path, "TanH", {}, typical(shape, 1.5), math.tanh)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_tanh_extremes_match_ncnn(tmp_path, shape):
    y = check(tmp_path, "TanH", {}, extreme(shape), math.tanh)
    assert np.isfinite(y).all()
