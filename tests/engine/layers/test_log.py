import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle

# (params, base, scale, shift); base -1 means natural log.
PARAMS = [({}, -1, 1, 0), ({1: 0.5, 2: 3.0}, -1, 0.5, 3.0), ({0: 2.0}, 2, 1, 0),
          ({0: 10.0, 1: 2.0, 2: 0.25}, 10, 2.0, 0.25), ({0: 0.5, 1: -1.5, 2: 20.0}, 0.5, -1.5, 20.0)]


def expected(base: float, scale: float, shift: float):
    s, t = float(np.float32(scale)), float(np.float32(shift))

    def f(v: float) -> float:
        z = float(np.float32(np.float32(v) * np.float32(s) + np.float32(t)))  # ncnn forms z in float32
        return math.log(z) if base == -1 else math.log(z) / math.log(base)
    return f


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params,base,scale,shift", PARAMS, ids=["e", "e-scale-shift", "2", "10-scale-shift",
                                                                 "half-negscale"])
def test_log_matches_ncnn(tmp_path, shape, params, base, scale, shift):
    # Positive arguments (|x| + 0.05 keeps shift + scale*x > 0 for every PARAMS row).
    x = np.abs(typical(shape, 3.0)) + np.float32(0.05)
    check(tmp_path, "Log", params, x, expected(base, scale, shift), rtol=3e-6, atol=3e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params", [{}, {0: 10.0}], ids=["e", "10"])
def test_log_nan_and_inf_match_ncnn(tmp_path, shape, params):
    # Negative arguments give NaN, zero gives -inf: positions must agree with ncnn.
    x = extreme(shape)
    y = check(tmp_path, "Log", params, x)
    assert np.array_equal(np.isnan(y), x < 0)
    assert np.array_equal(np.isneginf(y), x == 0)
