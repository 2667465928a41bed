import numpy as np
import pytest

from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, softplus64, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_softplus_matches_ncnn(tmp_path, shape):
    check(tmp_path, "Softplus", {}, typical(shape), softplus64, atol=1e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_softplus_extremes_match_ncnn(tmp_path, shape):
    # ncnn has no threshold: log(exp(x) + 1) is +inf once exp overflows (x > ~88.72); check_layer
    # requires the inf positions to agree.
    x = extreme(shape)
    y = check(tmp_path, "Softplus", {}, x)
    assert np.array_equal(np.isinf(y), x > 88.8)
    finite = x < 88
    np.testing.assert_allclose(y[finite], np.vectorize(softplus64)(x[finite].astype(np.float64)),
                               rtol=2e-6, atol=1e-7)
