"""PReLU against ncnn: shared slope and one slope per outermost axis (w for 1-D, h for 2-D, c for 3-D/4-D)."""
import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer, one_layer_model

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5), (16,), (8, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed", "1d-packed", "2d-packed"]


# The engine picks max(x, s*x), min(x, s*x) or a masked form from the slopes: cover each.
SLOPE_RANGES = {"leaky": (0.01, 1.0), "steep": (1.0, 3.0), "negative": (-1.0, -0.1), "mixed": (-0.5, 1.5)}


def slopes(n, kind="mixed", seed=1):
    s = np.random.default_rng(seed).uniform(*SLOPE_RANGES[kind], n).astype(np.float32)
    if kind == "mixed":
        s[::3] = 0.0
    if kind == "leaky":
        s[::2] = 1.0
    return s


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("per_axis", [False, True], ids=["shared", "per-axis"])
@pytest.mark.parametrize("kind", list(SLOPE_RANGES))
def test_prelu_matches_ncnn(tmp_path, shape, per_axis, kind):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    n = shape[0] if per_axis else 1
    s = slopes(n, kind)
    (y,) = check_layer(tmp_path, "PReLU", {0: n}, [x], weights=BinWriter().raw(s))
    s_b = s.reshape((n,) + (1,) * (x.ndim - 1))
    np.testing.assert_allclose(y, np.where(x < 0, x * s_b, x), rtol=1e-6, atol=0)
    assert y.dtype == np.float32


def test_more_slopes_than_channels_uses_the_first(tmp_path):
    x = np.random.default_rng(2).standard_normal((3, 4, 5)).astype(np.float32)
    s = slopes(7)
    (y,) = check_layer(tmp_path, "PReLU", {0: 7}, [x], weights=BinWriter().raw(s))
    np.testing.assert_allclose(y, np.where(x < 0, x * s[:3, None, None], x), rtol=1e-6)


@pytest.mark.parametrize("num_slope", [0, -1])
def test_no_slope_is_refused(tmp_path, num_slope):
    param, binf = one_layer_model(tmp_path, "PReLU", {0: num_slope}, 1, 1, BinWriter().raw(slopes(1)))
    with pytest.raises(ModelFormatError, match="num_slope"):
        Net().load_param(param)


def test_fewer_slopes_than_channels_is_a_runtime_error(tmp_path):
    param, binf = one_layer_model(tmp_path, "PReLU", {0: 3}, 1, 1, BinWriter().raw(slopes(3)))
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    ex = net.create_extractor()
    ex.input("in0", np.zeros((5, 2, 2), np.float32))
    with pytest.raises(LayerRuntimeError, match="3 slopes"):
        ex.extract("out0")


@pytest.mark.parametrize("slope", [0.25, 0.0, 2.0, -0.5])
def test_special_values(tmp_path, slope):
    x = np.array([-np.inf, np.inf, np.nan, -0.0, 0.0, -1e-38, 1e-38, -3.0] * 2, np.float32)
    (y,) = check_layer(tmp_path, "PReLU", {0: 1}, [x], weights=BinWriter().raw(np.array([slope], np.float32)))
    with np.errstate(invalid="ignore"):
        expected = np.where(x < 0, x * np.float32(slope), x)  # -inf * 0 is NaN in ncnn too
    np.testing.assert_array_equal(y, expected)
