import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

rng = np.random.default_rng(0)


@pytest.mark.parametrize("order", [0, 1])
def test_permute_2d(tmp_path, order):
    x = rng.standard_normal((5, 7)).astype(np.float32)
    (y,) = check_layer(tmp_path, "Permute", {0: order}, [x])
    np.testing.assert_array_equal(y, x if order == 0 else x.T)


# hand-written expectations for a few orders (letters = output axes innermost first)
EXPECTED_3D = {0: (0, 1, 2), 1: (0, 2, 1), 3: (1, 2, 0), 5: (2, 1, 0)}


@pytest.mark.parametrize("shape", [(3, 5, 7), (4, 5, 7)])  # c=4 takes ncnn's packed layout
@pytest.mark.parametrize("order", range(6))
def test_permute_3d(tmp_path, shape, order):
    x = rng.standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Permute", {0: order}, [x])
    if order in EXPECTED_3D:
        np.testing.assert_array_equal(y, x.transpose(EXPECTED_3D[order]))


@pytest.mark.parametrize("shape", [(3, 2, 5, 7), (4, 2, 5, 7)])
@pytest.mark.parametrize("order", range(24))
def test_permute_4d(tmp_path, shape, order):
    x = rng.standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Permute", {0: order}, [x])
    assert sorted(y.shape) == sorted(shape)
    if order == 23:  # CDHW: w becomes the outermost axis
        np.testing.assert_array_equal(y, x.transpose(3, 2, 1, 0))


@pytest.mark.parametrize("order", [0, 3])
def test_permute_1d_passes_through(tmp_path, order):
    x = rng.standard_normal((7,)).astype(np.float32)
    (y,) = check_layer(tmp_path, "Permute", {0: order}, [x])
    np.testing.assert_array_equal(y, x)


def test_permute_undefined_order_is_refused(tmp_path):
    x = rng.standard_normal((3, 5, 7)).astype(np.float32)
    param, binf = one_layer_model(tmp_path, "Permute", {0: 6}, 1, 1)
    with pytest.raises(LayerRuntimeError, match="order_type 6"):
        run_layerscope(param, binf, {"in0": x}, ["out0"])
