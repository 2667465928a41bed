import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle


def expected(alpha: float):
    return lambda v: v if v >= 0 else alpha * math.expm1(v)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("alpha", [None, 1.0, 0.37])
def test_elu_matches_ncnn(tmp_path, shape, alpha):
    params = {} if alpha is None else {0: alpha}
    a = float(np.float32(0.1 if alpha is None else alpha))
    check(tmp_path, "ELU", params, typical(shape), expected(a), atol=2e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_elu_extremes_match_ncnn(tmp_path, shape):
    y = check(tmp_path, "ELU", {0: 1.0}, extreme(shape), expected(1.0), atol=2e-7)
    assert np.isfinite(y).all()
