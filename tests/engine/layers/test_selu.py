import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle

DEFAULT_ALPHA, DEFAULT_LAMBDA = 1.67326324, 1.050700987


def expected(alpha: float, lam: float):
    return lambda v: lam * v if v >= 0 else alpha * lam * math.expm1(v)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params", [{}, {0: 1.5}, {1: 0.8}, {0: 0.7, 1: 2.0}], ids=["default", "alpha", "lambda",
                                                                                  "both"])
def test_selu_matches_ncnn(tmp_path, shape, params):
    a = float(np.float32(params.get(0, DEFAULT_ALPHA)))
    lam = float(np.float32(params.get(1, DEFAULT_LAMBDA)))
    check(tmp_path, "SELU", params, typical(shape), expected(a, lam), atol=3e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_selu_extremes_match_ncnn(tmp_path, shape):
    a, lam = float(np.float32(DEFAULT_ALPHA)), float(np.float32(DEFAULT_LAMBDA))
    y = check(tmp_path, "SELU", {}, extreme(shape), expected(a, lam), atol=3e-7)
    assert np.isfinite(y).all()
