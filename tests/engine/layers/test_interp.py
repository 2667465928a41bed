import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

# How the output size is given: 3=output_height 4=output_width, 1=height_scale 2=width_scale
SIZES = [
    {3: 9, 4: 13},  # explicit, up
    {3: 3, 4: 4},  # explicit, down
    {1: 2.0, 2: 2.0},  # integer scale
    {1: 1.7, 2: 1.3},  # fractional scales: ncnn maps by 1/scale, not by the truncated size
    {1: 0.5, 2: 0.6},
    {4: 9, 2: 1.3, 1: 1.5},  # only output_width: the size comes from the scales, w maps by size, h by scale
    {1: 1.1, 2: 1.0},  # same size from a scale != 1: passed through
]


def assert_ncnn_refuses(param):
    with pytest.raises(OracleError, match="refused the param"):
        run_ncnn(param, None, {}, [])


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("shape", [(3, 5, 7), (8, 6, 9), (4, 4, 5)])  # c=8 / c=4: ncnn's packed x86 paths
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("resize_type", [1, 2, 3])
@pytest.mark.parametrize("align_corner", [0, 1])
def test_3d_matches_ncnn(tmp_path, shape, size, resize_type, align_corner):
    check_layer(tmp_path, "Interp", {0: resize_type, 6: align_corner, **size}, [rand(shape)])


@pytest.mark.parametrize("shape", [(5, 7), (3, 4), (8, 5)])  # h = 8: ncnn packs the rows
@pytest.mark.parametrize("size", [{4: 13}, {4: 3}, {2: 2.0}, {2: 1.3}, {2: 0.6}, {4: 9, 3: 5}])
@pytest.mark.parametrize("resize_type", [1, 2, 3])
@pytest.mark.parametrize("align_corner", [0, 1])
def test_2d_resizes_width_only(tmp_path, shape, size, resize_type, align_corner):
    params = {0: resize_type, 6: align_corner, **size}
    if 3 not in params and 4 in params:
        params[3] = 1  # output_width alone would be ignored (both sizes must be nonzero)
    (y,) = check_layer(tmp_path, "Interp", params, [rand(shape, 1)])
    assert y.ndim == 2 and y.shape[0] == shape[0]


@pytest.mark.parametrize("resize_type", [0, 1, 2, 3])
@pytest.mark.parametrize("size", [{3: 3, 4: 4}, {1: 2.0, 2: 3.0}])
@pytest.mark.parametrize("length", [5, 8])  # 8: ncnn packs the values
def test_1d_fills_channels(tmp_path, resize_type, size, length):
    x = rand((length,), 2)
    (y,) = check_layer(tmp_path, "Interp", {0: resize_type, **size}, [x])
    np.testing.assert_array_equal(y, np.broadcast_to(x[:, None, None], y.shape))


@pytest.mark.parametrize("resize_type", [1, 2])
@pytest.mark.parametrize("shape", [(4, 1, 1), (3, 1, 5), (3, 6, 1)])
def test_from_single_cells(tmp_path, resize_type, shape):
    # Bilinear from one cell reads a zero-weighted neighbour outside: the value is replicated.
    check_layer(tmp_path, "Interp", {0: resize_type, 3: 6, 4: 7}, [rand(shape, 3)])
    check_layer(tmp_path, "Interp", {0: resize_type, 1: 2.0, 2: 3.0, 6: 1}, [rand(shape, 3)])


@pytest.mark.parametrize("ref_shape", [(2, 9, 11), (5, 3), (7,), (1, 2, 3, 4)])
@pytest.mark.parametrize("resize_type", [1, 2, 3])
@pytest.mark.parametrize("x_shape", [(3, 5, 7), (5, 7), (6,)])
def test_dynamic_size(tmp_path, ref_shape, resize_type, x_shape):
    # The scales are ignored: the reference blob's w and h decide, and nearest maps by size.
    params = {0: resize_type, 5: 1, 1: 3.0, 2: 0.5}
    check_layer(tmp_path, "Interp", params, [rand(x_shape, 4), rand(ref_shape, 5)])


def test_passthrough_and_identity(tmp_path):
    x = rand((3, 5, 7), 6)
    # Same size, even from scales that are not 1 (int(5 * 1.1) = 5, int(7 * 1.1) = 7): passed on.
    for params in ({0: 2}, {0: 1, 3: 5, 4: 7}, {0: 3, 1: 1.0, 2: 1.0}, {0: 0}, {0: 2, 1: 1.1, 2: 1.1}):
        (y,) = check_layer(tmp_path, "Interp", params, [x])
        np.testing.assert_array_equal(y, x)
    (y,) = check_layer(tmp_path, "Interp", {0: 2, 2: 1.1}, [x[0]])
    np.testing.assert_array_equal(y, x[0])
    # Bicubic always resamples: by 1/scale, or exactly the input when mapped by size or scale 1.
    (y,) = check_layer(tmp_path, "Interp", {0: 3, 1: 1.1, 2: 1.0}, [x])
    assert not np.array_equal(y, x)
    for params in ({0: 3, 1: 1.0, 2: 1.0}, {0: 3, 3: 5, 4: 7}):
        (y,) = check_layer(tmp_path, "Interp", params, [x])
        np.testing.assert_array_equal(y, x)
    check_layer(tmp_path, "Interp", {0: 3, 2: 1.1}, [x[0]])


def test_odd_param_values(tmp_path):
    x = rand((3, 5, 7), 8)
    check_layer(tmp_path, "Interp", {0: 2, 6: 2, 3: 4, 4: 9}, [x])  # align_corner: any nonzero
    # dynamic_target_size 2: one input and the size from the scales, but every axis maps by size.
    check_layer(tmp_path, "Interp", {0: 1, 5: 2, 1: 1.6, 2: 1.6}, [x])
    check_layer(tmp_path, "Interp", {0: 2, 5: 2, 1: 1.3, 2: 1.7}, [x])
    # align_corner to a single row or column: (n-1)/(out-1) divides by zero; ncnn reads cell 0.
    for rt in (1, 2, 3):
        for size in ({3: 1, 4: 1}, {3: 4, 4: 1}, {3: 1, 4: 9}):
            check_layer(tmp_path, "Interp", {0: rt, 6: 1, **size}, [x])
    # Bicubic from fewer than 4 cells: taps outside the input read the border cell.
    for shape, size in (((2, 1, 5), {3: 4, 4: 5}), ((2, 1, 1), {3: 3, 4: 3}), ((3, 6, 1), {3: 5, 4: 4}),
                        ((3, 1, 4), {1: 3.0, 2: 1.5, 6: 1})):
        check_layer(tmp_path, "Interp", {0: 3, **size}, [rand(shape, 10)])
    check_layer(tmp_path, "Interp", {0: 3, 3: 8, 4: 7}, [rand((2, 2, 3), 9)])
    check_layer(tmp_path, "Interp", {0: 3, 3: 3, 4: 2}, [rand((2, 3, 2), 9)])


def test_hand_computed(tmp_path):
    x = np.arange(4, dtype=np.float32).reshape(1, 1, 4) * np.ones((1, 2, 1), np.float32)
    (y,) = check_layer(tmp_path, "Interp", {0: 2, 2: 2.0}, [x])
    np.testing.assert_allclose(y[0, 0], [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3], rtol=1e-6)
    (y,) = check_layer(tmp_path, "Interp", {0: 2, 4: 7, 3: 2, 6: 1}, [x])
    np.testing.assert_allclose(y[0, 0], np.linspace(0, 3, 7), rtol=1e-6, atol=1e-6)
    (y,) = check_layer(tmp_path, "Interp", {0: 1, 2: 2.0}, [x])
    np.testing.assert_array_equal(y[0, 0], [0, 0, 1, 1, 2, 2, 3, 3])


@pytest.mark.parametrize("params", [{0: 4}, {0: -1}, {0: 2, 9: "[size(@0,0),size(@0,1)]"}])
def test_refused_params(tmp_path, params):
    param, _ = one_layer_model(tmp_path, "Interp", params, 1, 1)
    with pytest.raises(ModelFormatError):
        Net().load_param(param)
    if params != {0: 2, 9: "[size(@0,0),size(@0,1)]"}:  # the others ncnn accepts, then misbehaves or we cannot run
        assert_ncnn_refuses(param)


@pytest.mark.parametrize("params,shape", [
    ({0: 0, 1: 2.0, 2: 2.0}, (3, 4, 4)),  # resize_type 0 leaves ncnn's output unfilled
    ({0: 2, 1: 2.0, 2: 2.0}, (2, 3, 4, 4)),  # 4-D
    ({0: 2, 1: 0.1, 2: 0.1}, (3, 4, 4)),  # empty output
    ({0: 2, 3: -2, 4: 3}, (3, 4, 4)),  # negative size
    ({0: 1, 3: 200000, 4: 200000}, (3, 4, 4)),  # a hostile size: refused before allocating
    ({0: 1, 3: 200000, 4: 200000}, (3,)),
])
def test_runtime_errors(tmp_path, params, shape):
    param, binf = one_layer_model(tmp_path, "Interp", params, 1, 1)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": np.zeros(shape, np.float32)}, ["out0"])
