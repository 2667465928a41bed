import math

import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, softplus64, typical

pytestmark = pytest.mark.oracle


def mish64(v: float) -> float:
    return v * math.tanh(softplus64(v))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_mish_matches_ncnn(tmp_path, shape):
    check(tmp_path, "Mish", {}, typical(shape), mish64)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_mish_extremes_match_ncnn(tmp_path, shape):
    y = check(tmp_path, "Mish", {}, extreme(shape), mish64, atol=1e-30)
    assert np.isfinite(y).all()
