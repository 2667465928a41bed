import numpy as np
import pytest

from tests.support.layer_check import check_layer

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("shape", [(7,), (5, 7), (3, 5, 7), (3, 2, 5, 7)])
def test_noop_single(tmp_path, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Noop", {}, [x])
    np.testing.assert_array_equal(y, x)


def test_noop_passes_every_bottom(tmp_path):
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal(s).astype(np.float32) for s in [(7,), (3, 5, 7), (2, 2, 3, 4)]]
    ys = check_layer(tmp_path, "Noop", {}, xs, n_outputs=3)
    for x, y in zip(xs, ys, strict=False):
        np.testing.assert_array_equal(y, x)
