import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle

# (params, base, scale, shift); base -1 means e.
PARAMS = [({}, -1, 1, 0), ({1: 0.5, 2: -1.25}, -1, 0.5, -1.25), ({0: 2.0}, 2, 1, 0),
          ({0: 10.0, 1: 0.3, 2: 0.2}, 10, 0.3, 0.2), ({0: 0.5, 1: -1.5}, 0.5, -1.5, 0)]


def expected(base: float, scale: float, shift: float):
    s, t = float(np.float32(scale)), float(np.float32(shift))

    def f(v: float) -> float:
        z = float(np.float32(np.float32(v) * np.float32(s) + np.float32(t)))  # ncnn forms z in float32
        return math.exp(z) if base == -1 else float(base) ** z
    return f


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params,base,scale,shift", PARAMS, ids=["e", "e-scale-shift", "2", "10-scale-shift",
                                                                 "half-negscale"])
def test_exp_matches_ncnn(tmp_path, shape, params, base, scale, shift):
    check(tmp_path, "Exp", params, typical(shape, 1.5), expected(base, scale, shift), rtol=3e-6)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params", [{}, {0: 2.0}], ids=["e", "2"])
def test_exp_overflow_matches_ncnn(tmp_path, shape, params):
    # exp(±90) and 2^±90 beyond float32: ncnn gives inf / 0 (or denormals); inf positions must agree.
    x = extreme(shape)
    y = check(tmp_path, "Exp", params, x)
    if not params:
        assert np.array_equal(np.isinf(y), x > 88.8)


def test_exp_negative_base_nan(tmp_path):
    # powf(-2, z): NaN for non-integer z, a real value for integer z.
    x = np.array([-2, -1, 0, 1, 2, 3, 0.5, -1.5, 2.25], np.float32)
    y = check(tmp_path, "Exp", {0: -2.0}, x)
    np.testing.assert_array_equal(y[:6], [0.25, -0.5, 1, -2, 4, -8])
    assert np.isnan(y[6:]).all()
