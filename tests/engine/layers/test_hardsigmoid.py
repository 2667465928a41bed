import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle

# (params, alpha, beta): defaults 0.2/0.5, PyTorch's 1/6, and an asymmetric pair.
PARAMS = [({}, 0.2, 0.5), ({0: 1 / 6, 1: 0.5}, 1 / 6, 0.5), ({0: 0.35, 1: 0.2}, 0.35, 0.2)]


def expected(alpha: float, beta: float):
    return lambda v: min(max(alpha * v + beta, 0.0), 1.0)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params,alpha,beta", PARAMS, ids=["default", "pytorch", "custom"])
def test_hardsigmoid_matches_ncnn(tmp_path, shape, params, alpha, beta):
    a, b = float(np.float32(alpha)), float(np.float32(beta))
    check(tmp_path, "HardSigmoid", params, typical(shape), expected(a, b))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_hardsigmoid_extremes_match_ncnn(tmp_path, shape):
    y = check(tmp_path, "HardSigmoid", {}, extreme(shape), expected(0.2, 0.5))
    assert y.min() == 0 and y.max() == 1


def test_hardsigmoid_thresholds_exact(tmp_path):
    # At and around lower = -2.5 / upper = 2.5 the branches, not a clip, decide.
    x = np.array([-2.5001, -2.5, -2.4999, 0, 2.4999, 2.5, 2.5001], np.float32)
    y = check(tmp_path, "HardSigmoid", {}, x, expected(0.2, 0.5))
    assert y[0] == 0 and y[-1] == 1
