"""Power against ncnn: (shift + x * scale) ^ power over every rank and each param's variants."""
import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]

PARAMS = [
    {},                               # identity
    {0: 2.0},                         # square, negative bases fine
    {0: 3.0, 1: -0.5, 2: 0.25},       # odd integer power of negatives
    {0: 0.5, 2: 4.0},                 # sqrt of a positive base
    {0: -1.0, 1: 2.0, 2: 5.0},        # reciprocal
    {0: 1.7, 1: 0.5, 2: 3.0},         # fractional power
    {1: 3.0, 2: -1.0},                # power 1: plain scale and shift
    {0: 0.5},                         # negative bases give NaN, at the same places as ncnn
    {0: 0.0},                         # x^0 = 1 everywhere
]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("params", PARAMS)
def test_power_matches_ncnn(tmp_path, shape, params):
    x = np.random.default_rng(0).uniform(-1.5, 1.5, shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Power", params, [x])
    base = np.float32(params.get(2, 0.0)) + x * np.float32(params.get(1, 1.0))
    with np.errstate(invalid="ignore"):
        expected = np.power(base.astype(np.float64), params.get(0, 1.0))
    np.testing.assert_allclose(y, expected, rtol=2e-6, atol=1e-6, equal_nan=True)
    assert y.dtype == np.float32
