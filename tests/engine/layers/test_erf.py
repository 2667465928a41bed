import math

import numpy as np
import pytest

from engine.kernels.special import erf
from tests.engine.layers.elementwise_support import SHAPE_IDS, SHAPES, check, extreme, typical

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_erf_matches_ncnn(tmp_path, shape):
    check(tmp_path, "Erf", {}, typical(shape, 1.5), math.erf, rtol=3e-7, atol=1e-7)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_erf_extremes_match_ncnn(tmp_path, shape):
    check(tmp_path, "Erf", {}, extreme(shape), math.erf, rtol=3e-7, atol=1e-7)


def test_erf_dense_sweep_against_ncnn_and_math(tmp_path):
    # Every branch and both sides of the |x| = 1 and |x| = 4 seams, through ncnn too.
    x = np.concatenate([np.linspace(-6, 6, 24003, dtype=np.float32),
                        np.float32(10) ** np.linspace(-30, 0.7, 301, dtype=np.float32)]).reshape(-1, 7)
    y = check(tmp_path, "Erf", {}, x)
    ref = np.vectorize(math.erf)(x.astype(np.float64))
    ulp = np.spacing(np.abs(ref.astype(np.float32)))
    assert np.abs(y - ref).max() <= 1e-7
    assert (np.abs(y - ref) / ulp).max() <= 1.5


def test_erf_kernel_accuracy_and_specials():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.standard_normal(200_000).astype(np.float32) * 2,
                        np.float32(10) ** rng.uniform(-38, 1, 20_000).astype(np.float32)])
    x[::2] *= -1
    y = erf(x)
    assert y.dtype == np.float32
    ref = np.vectorize(math.erf)(x.astype(np.float64))
    assert np.abs(y - ref).max() <= 1e-7
    assert (np.abs(y - ref) / np.abs(ref)).max() <= 2e-7  # also relative: tiny |x| stays accurate
    specials = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 4.0, -4.0, 90.0], np.float32)
    got = erf(specials)
    np.testing.assert_array_equal(got[:2], [1, -1])
    assert np.isnan(got[2]) and got[3] == 0 and np.signbit(got[4])
    np.testing.assert_array_equal(got[5:], [1, -1, 1])
