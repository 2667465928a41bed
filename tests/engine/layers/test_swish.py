import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, sigmoid64, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_swish_matches_ncnn(tmp_path, shape):
    check(tmp_path, "Swish", {}, typical(shape), lambda v: v * sigmoid64(v))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_swish_extremes_match_ncnn(tmp_path, shape):
    x = extreme(shape)
    y = check(tmp_path, "Swish", {}, x, lambda v: v * sigmoid64(v), atol=1e-30)
    assert np.isfinite(y).all()
