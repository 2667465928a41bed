import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

# Base shapes (odd, and with sizes ncnn packs by 4/8/16) and the extents the other inputs take on the axis.
SHAPES = [(7,), (16,), (5, 7), (8, 4), (3, 5, 7), (8, 5, 7), (16, 3, 4), (3, 4, 5, 6), (8, 3, 4, 5)]
EXTENTS = [(1,), (3, 4), (8, 2, 5)]


def cases():
    for shape in SHAPES:
        for axis in range(-len(shape), len(shape)):
            for extents in EXTENTS:
                yield shape, axis, extents


@pytest.mark.parametrize("shape,axis,extents", list(cases()))
def test_concat_matches_ncnn(tmp_path, shape, axis, extents):
    rng = np.random.default_rng(len(shape) * 10 + axis)
    blobs = [rng.standard_normal(shape).astype(np.float32)]
    for n in extents:
        s = list(shape)
        s[axis] = n
        blobs.append(rng.standard_normal(s).astype(np.float32))
    (y,) = check_layer(tmp_path, "Concat", {0: axis}, blobs)
    np.testing.assert_array_equal(y, np.concatenate(blobs, axis=axis))


def test_default_axis_is_zero(tmp_path):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((3, 5, 7)).astype(np.float32), rng.standard_normal((2, 5, 7)).astype(np.float32)
    (y,) = check_layer(tmp_path, "Concat", {}, [a, b])
    np.testing.assert_array_equal(y, np.concatenate([a, b]))


@pytest.mark.parametrize("shape", [(7,), (3, 5, 7)])
def test_single_input(tmp_path, shape):
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    (y,) = check_layer(tmp_path, "Concat", {0: 0}, [x])
    np.testing.assert_array_equal(y, x)


def test_one_d_ignores_axis(tmp_path):
    a, b = np.arange(5, dtype=np.float32), np.arange(3, dtype=np.float32)
    (y,) = check_layer(tmp_path, "Concat", {0: 2}, [a, b])
    np.testing.assert_array_equal(y, np.concatenate([a, b]))


# ncnn reads out of bounds on mismatched sizes and leaves the output empty on a missing axis.
@pytest.mark.parametrize("shapes,axis", [([(3, 5, 7), (3, 4, 7)], 0), ([(3, 5, 7), (5, 7)], 0), ([(3, 5, 7)] * 2, 3),
                                         ([(3, 5, 7)] * 2, -4)])
def test_refused(tmp_path, shapes, axis):
    param, binf = one_layer_model(tmp_path, "Concat", {0: axis}, len(shapes), 1)
    feeds = {f"in{i}": np.zeros(s, np.float32) for i, s in enumerate(shapes)}
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, feeds, ["out0"])
