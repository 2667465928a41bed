import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (16,), (7, 9), (8, 6), (5, 7, 9), (8, 5, 7), (16, 4, 6), (5, 6, 7, 9), (8, 4, 5, 6)]

# (slices, n_outputs): fixed sizes (that fit every axis of size >= 4), -233 shares, mixes.
SLICES = [([1, 2], 2), ([-233, -233], 2), ([-233, -233, -233], 3), ([1, -233, -233], 3), ([2, -233], 2),
          ([1, 1, 1, 1], 4), ([-233], 1), ([1, 2, 1], 2)]
# (indices, n_outputs): cut points, negative from the end; the last output takes the rest.
INDICES = [([1], 2), ([-1], 2), ([1, 3], 3), ([1, -2], 3), ([2, 3, -1], 4), ([], 1), ([2], 1)]


def expected(x, axis, sizes):
    axis %= x.ndim
    if sum(sizes) < x.shape[axis] and (x.ndim, axis) in ((3, 2), (4, 3), (4, 2)):
        # ncnn's x86 Slice reads each channel as one stream of rows (w) / slabs (h) sum(sizes) long
        flat = x.reshape(x.shape[0], -1)
        shape = list(x.shape)
        shape[axis] = sum(sizes)
        x = flat[:, :int(np.prod(shape[1:]))].reshape(shape)
    out, q = [], 0
    for n in sizes:
        out.append(np.take(x, range(q, q + n), axis=axis))
        q += n
    return out


def slice_sizes(n, slices, n_out):
    sizes, q = [], 0
    for i in range(n_out):
        s = slices[i]
        s = (n - q) // (n_out - i) if s == -233 else s
        sizes.append(s)
        q += s
    return sizes


def index_sizes(n, indices, n_out):
    cuts = [c + n if c < 0 else c for c in indices[:n_out - 1]] + [n]
    return [b - a for a, b in zip([0] + cuts[:-1], cuts)]


def fits(sizes, n):
    return all(s > 0 for s in sizes) and sum(sizes) <= n


def cases(table, sizes_of):
    for shape in SHAPES:
        for axis in [*range(len(shape)), -1, -len(shape)]:  # negative axes: one from each end
            n = shape[axis]
            for arr, n_out in table:
                sizes = sizes_of(n, arr, n_out)
                if fits(sizes, n):
                    yield shape, axis, arr, n_out, sizes


@pytest.mark.parametrize("shape,axis,slices,n_out,sizes", list(cases(SLICES, slice_sizes)))
def test_slices(tmp_path, shape, axis, slices, n_out, sizes):
    x = np.random.default_rng(len(shape) + axis).standard_normal(shape).astype(np.float32)
    ys = check_layer(tmp_path, "Slice", {0: slices, 1: axis}, [x], n_outputs=n_out)
    for y, e in zip(ys, expected(x, axis, sizes)):
        np.testing.assert_array_equal(y, e)


@pytest.mark.parametrize("shape,axis,indices,n_out,sizes", list(cases(INDICES, index_sizes)))
def test_indices(tmp_path, shape, axis, indices, n_out, sizes):
    x = np.random.default_rng(len(shape) - axis).standard_normal(shape).astype(np.float32)
    params = {2: indices, 1: axis, 0: [1] * n_out}  # indices win over slices when both are given
    if not indices:
        params = {0: [-233], 1: axis}
    ys = check_layer(tmp_path, "Slice", params, [x], n_outputs=n_out)
    for y, e in zip(ys, expected(x, axis, sizes)):
        np.testing.assert_array_equal(y, e)


def test_one_d_ignores_axis(tmp_path):
    x = np.arange(10, dtype=np.float32)
    ys = check_layer(tmp_path, "Slice", {0: [3, -233], 1: 3}, [x], n_outputs=2)
    np.testing.assert_array_equal(ys[1], x[3:])


@pytest.mark.parametrize("params", [{0: [1, 2], 1: 4}, {0: [1, 2], 1: -5}, {0: [0, -233]}, {0: [1, -1]}])
def test_refused_at_load(tmp_path, params):
    param, binf = one_layer_model(tmp_path, "Slice", params, 1, 2)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": np.zeros((3, 5, 7), np.float32)}, ["out0", "out1"])
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


@pytest.mark.parametrize("params,check_ncnn", [({2: [0]}, True), ({2: [-3]}, True), ({2: [2, 1]}, True),
                                               ({0: [4, -233]}, True), ({0: [2, 2]}, False), ({0: [1]}, False),
                                               ({}, False), ({0: [1, 2], 1: 3}, False)])
def test_refused_at_run_time(tmp_path, params, check_ncnn):
    n_out = 3 if params.get(2) == [2, 1] else 2
    outs = [f"out{i}" for i in range(n_out)]
    x = np.zeros((3, 5, 7), np.float32)
    param, binf = one_layer_model(tmp_path, "Slice", params, 1, n_out)
    if check_ncnn:  # elsewhere ncnn reads out of bounds, crashes or returns empty blobs
        with pytest.raises(OracleError):
            run_ncnn(param, binf, {"in0": x}, outs)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": x}, outs)
