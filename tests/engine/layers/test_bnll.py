import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, softplus64, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_bnll_matches_ncnn(tmp_path, shape):
    check(tmp_path, "BNLL", {}, typical(shape), softplus64, atol=1e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_bnll_extremes_match_ncnn(tmp_path, shape):
    # Unlike Softplus, ncnn's BNLL form never overflows.
    y = check(tmp_path, "BNLL", {}, extreme(shape), softplus64, atol=1e-7)
    assert np.isfinite(y).all()
