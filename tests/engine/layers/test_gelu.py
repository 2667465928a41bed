import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle


def gelu64(v: float) -> float:
    return 0.5 * v * math.erfc(-v / math.sqrt(2))


def fast_gelu64(v: float) -> float:
    return 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("fast", [None, 0, 1])
def test_gelu_matches_ncnn(tmp_path, shape, fast):
    params = {} if fast is None else {0: fast}
    check(tmp_path, "GELU", params, typical(shape), fast_gelu64 if fast else gelu64, atol=3e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("fast", [0, 1])
def test_gelu_extremes_match_ncnn(tmp_path, shape, fast):
    x = extreme(shape)
    y = check(tmp_path, "GELU", {0: fast}, x, fast_gelu64 if fast else gelu64, atol=3e-7)
    assert np.isfinite(y).all()


def test_gelu_modes_differ(tmp_path):
    # The tanh approximation is off by up to ~5e-4 near |x| = 2: make sure each mode is the one asked for.
    x = np.linspace(-3, 3, 61, dtype=np.float32)
    exact = check(tmp_path, "GELU", {0: 0}, x, gelu64, atol=3e-7)
    fast = check(tmp_path, "GELU", {0: 1}, x, fast_gelu64, atol=3e-7)
    assert np.abs(exact - fast).max() > 1e-4
