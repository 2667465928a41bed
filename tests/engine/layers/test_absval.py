import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("make", [typical, extreme], ids=["typical", "extreme"])
def test_absval_matches_ncnn(tmp_path, shape, make):
    x = make(shape)
    y = check(tmp_path, "AbsVal", {}, x, abs, rtol=0, atol=0)
    assert not np.shares_memory(x, y)
