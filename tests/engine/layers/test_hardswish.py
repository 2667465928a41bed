import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle

# (params, alpha, beta): ncnn's defaults 0.2/0.5, PyTorch's 1/6, and an asymmetric pair.
PARAMS = [({}, 0.2, 0.5), ({0: 1 / 6, 1: 0.5}, 1 / 6, 0.5), ({0: 0.35, 1: 0.2}, 0.35, 0.2)]


def expected(alpha: float, beta: float):
    return lambda v: v * min(max(alpha * v + beta, 0.0), 1.0)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params,alpha,beta", PARAMS, ids=["default", "pytorch", "custom"])
def test_hardswish_matches_ncnn(tmp_path, shape, params, alpha, beta):
    a, b = float(np.float32(alpha)), float(np.float32(beta))
    check(tmp_path, "HardSwish", params, typical(shape), expected(a, b), atol=5e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_hardswish_extremes_match_ncnn(tmp_path, shape):
    x = extreme(shape)
    y = check(tmp_path, "HardSwish", {}, x, expected(0.2, 0.5))
    np.testing.assert_array_equal(y[x > 2.5], x[x > 2.5])
