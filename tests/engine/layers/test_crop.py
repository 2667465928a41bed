import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

INT_MAX = 2147483647
SHAPES = [(13,), (16,), (5, 7), (8, 6), (3, 5, 7), (8, 5, 7), (16, 4, 6), (3, 4, 5, 6), (8, 3, 4, 5)]


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def numpy_slice(x, starts, ends, axes):
    """What ncnn's numpy-style crop means, written independently of the layer."""
    index = [slice(None)] * x.ndim
    axes = [a % x.ndim for a in axes] if axes else list(range(x.ndim))
    for a, s, e in zip(axes, starts, ends):
        if x.ndim == 1:
            a = 0
        n = x.shape[a]
        s = 0 if s == -233 else s
        e = n if e == -233 else e
        s = s if s >= 0 else n + s
        e = min(n, e if e > 0 else n + e)
        index[a] = slice(s, e)
    return x[tuple(index)]


SLICES = [  # (starts, ends, axes), each applied to every rank it fits
    ([1], [-1], [0]), ([1], [-1], [-1]), ([2], [INT_MAX], [-1]), ([-3], [0], [-1]), ([-233], [2], [0]),
    ([1, 0], [-233, -1], [-2, -1]), ([0, 1], [3, 4], []), ([1, 1], [-1, 0], [1, 0]),
    ([1, 1, 1], [-1, -1, -1], []), ([0, 1, 2], [2, INT_MAX, -1], [0, 2, 1]), ([1, 1, 1, 1], [3, 3, 3, 4], []),
]


def slice_cases():
    for shape in SHAPES:
        for starts, ends, axes in SLICES:
            n = len(axes) or len(starts)
            if len(shape) == 1 and n > 1 or len(shape) > 1 and (n > len(shape) or any(a >= len(shape) for a in axes)):
                continue
            if not axes and len(starts) != len(shape):
                continue
            if 0 in numpy_slice(np.zeros(shape), starts, ends, axes).shape:
                continue  # an empty box fails in ncnn (see test_both_refuse)
            yield shape, starts, ends, axes


@pytest.mark.parametrize("shape,starts,ends,axes", list(slice_cases()))
def test_numpy_style(tmp_path, shape, starts, ends, axes):
    x = rand(shape)
    params = {9: starts, 10: ends, **({11: axes} if axes else {})}
    (y,) = check_layer(tmp_path, "Crop", params, [x])
    np.testing.assert_array_equal(y, numpy_slice(x, starts, ends, axes))


def test_one_d_ignores_axis(tmp_path):
    x = rand((13,))
    (y,) = check_layer(tmp_path, "Crop", {9: [2], 10: [-3], 11: [3]}, [x])
    np.testing.assert_array_equal(y, x[2:-3])


OFFSETS = [  # ncnn param dicts for the offsets form
    {0: 1, 1: 1, 13: 1, 2: 1, 3: -233, 4: -233, 14: -233, 5: -233},
    {0: 2, 1: 1, 13: 1, 2: 1, 3: 3, 4: 2, 14: 1, 5: 2},
    {0: 1, 6: 2, 1: 2, 7: 1, 13: 1, 15: 1, 2: 1, 8: 1, 3: -233, 4: -233, 14: -233, 5: -233},
    {0: 1, 3: 100, 4: 100, 14: 100, 5: 100},  # sizes clamp to what is left
    {2: 4, 3: -233, 4: -233, 14: -233, 5: 4},  # channels only (w, h, d full)
    {0: 0, 1: 0, 3: -233, 4: 3, 14: -233, 5: -233},
]


def offsets_expected(x, p):
    names = {1: "w", 2: "hw", 3: "chw", 4: "cdhw"}[x.ndim]
    ids = {"w": (0, 6, 3), "h": (1, 7, 4), "d": (13, 15, 14), "c": (2, 8, 5)}
    index = []
    for n, dim in zip(names, x.shape):
        o, o2, out = (p.get(i, 0) for i in ids[n])
        size = dim - o - o2 if out == -233 else min(out, dim - o - o2)
        index.append(slice(o, o + size))
    return x[tuple(index)]


def offsets_fit(x, p):
    return all(s > 0 for s in offsets_expected(x, p).shape)


@pytest.mark.parametrize("shape,params", [(s, p) for s in SHAPES for p in OFFSETS if offsets_fit(np.zeros(s), p)])
def test_offsets(tmp_path, shape, params):
    x = rand(shape, 1)
    (y,) = check_layer(tmp_path, "Crop", params, [x])
    np.testing.assert_array_equal(y, offsets_expected(x, params))


def test_three_d_ignores_doffset(tmp_path):
    x = rand((3, 5, 7), 1)
    (y,) = check_layer(tmp_path, "Crop", {13: 2, 0: 1, 3: -233, 4: -233, 5: -233}, [x])
    np.testing.assert_array_equal(y, x[:, :, 1:])


REFS = [  # (shape, reference shape, offsets)
    ((13,), (5,), {0: 3}), ((5, 7), (3, 4), {0: 2, 1: 1}), ((5, 7), (4,), {0: 1, 1: 2}),
    ((3, 5, 7), (2, 3, 4), {0: 1, 1: 2, 2: 1}), ((8, 5, 7), (3, 4), {0: 3, 1: 1}),
    ((8, 5, 7), (4, 3, 4), {0: 3, 1: 1, 2: 4}), ((16, 4, 6), (8, 4, 6), {2: 8}),
    ((3, 4, 5, 6), (2, 2, 3, 4), {0: 1, 1: 1, 13: 2, 2: 1}), ((8, 3, 4, 5), (2, 3, 4), {0: 1, 1: 1, 13: 1, 2: 0}),
    ((8, 3, 4, 5), (4, 3, 4, 5), {2: 4}),
]


@pytest.mark.parametrize("shape,ref_shape,params", REFS)
def test_reference_blob(tmp_path, shape, ref_shape, params):
    x, ref = rand(shape, 2), rand(ref_shape, 3)
    (y,) = check_layer(tmp_path, "Crop", params, [x, ref])
    names = {1: "w", 2: "hw", 3: "chw", 4: "cdhw"}[x.ndim]
    r = (1,) * (4 - ref.ndim) + ref.shape
    rc, rd, rh, rw = (r[1], 1, r[2], r[3]) if ref.ndim == 3 else r
    sizes = {"w": rw, "h": rh, "d": rd, "c": rc if ref.ndim == x.ndim else x.shape[0]}
    offs = {"w": params.get(0, 0), "h": params.get(1, 0), "d": params.get(13, 0), "c": params.get(2, 0)}
    np.testing.assert_array_equal(y, x[tuple(slice(offs[n], offs[n] + sizes[n]) for n in names)])


def test_reference_same_size_ignores_offsets(tmp_path):
    x = rand((3, 5, 7), 4)
    (y,) = check_layer(tmp_path, "Crop", {0: 2, 1: 3}, [x, rand((5, 7))])
    np.testing.assert_array_equal(y, x)  # ncnn returns the bottom: the offsets are never read


@pytest.mark.parametrize("shape,ref_shape", [((3, 5, 7), (2, 5, 7)), ((8, 5, 7), (4, 5, 7)),
                                             ((8, 2, 5, 7), (4, 2, 5, 7))])
def test_reference_full_plane_ignores_inner_offsets(tmp_path, shape, ref_shape):
    x = rand(shape, 4)
    (y,) = check_layer(tmp_path, "Crop", {0: 2, 1: 1, 13: 1, 2: 1}, [x, rand(ref_shape)])
    np.testing.assert_array_equal(y, x[1:1 + ref_shape[0]])  # only the channel offset is used


@pytest.mark.parametrize("shape,ints", [((13,), [3, 0, 0, 6]), ((5, 7), [2, 1, 0, 4, 3]),
                                        ((8, 5, 7), [1, 2, 3, 5, 3, 4]), ((3, 4, 5, 6), [1, 2, 1, 0, 4, 3, 2, 3])])
def test_int_parameter_blob(tmp_path, shape, ints):
    x = rand(shape, 5)
    p = np.array(ints, np.int32).view(np.float32)  # ncnn reads the second bottom's bits as int32
    (y,) = check_layer(tmp_path, "Crop", {0: -233}, [x, p])
    if len(shape) == 4:
        wo, ho, do, co, ow, oh, od, oc = ints
        expected = x[co:co + oc, do:do + od, ho:ho + oh, wo:wo + ow]
    else:
        offs, sizes = ints[:3], ints[3:]
        index = [slice(offs[i], offs[i] + sizes[i]) for i in range(len(shape))][::-1]
        expected = x[tuple(index)]
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("shape,params", [
    ((5, 7), {0: 1, 3: 3}),  # outh left at 0: ncnn makes an empty blob and fails
    ((3, 5, 7), {9: [3], 10: [-233], 11: [0]}),  # start at the end
    ((3, 5, 7), {9: [2], 10: [2], 11: [1]}),  # end == start
])
def test_both_refuse(tmp_path, shape, params):
    x = rand(shape)
    param, binf = one_layer_model(tmp_path, "Crop", params, 1, 1)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": x}, ["out0"])
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": x}, ["out0"])


# Boxes with a negative size or outside the blob: ncnn aborts in malloc or reads out of bounds.
@pytest.mark.parametrize("shape,params", [
    ((3, 5, 7), {9: [4], 10: [-233], 11: [0]}), ((3, 5, 7), {9: [2], 10: [1], 11: [1]}),
    ((3, 5, 7), {9: [1, 1], 10: [-1, -1]}),  # no axes: one start per dim needed, ncnn reads past the array
    ((13,), {0: -1, 3: -233}), ((13,), {3: -5}), ((5, 7), {0: 1, 1: -1, 3: 3, 4: 3}),
])
def test_we_refuse_what_ncnn_cannot_do(tmp_path, shape, params):
    param, binf = one_layer_model(tmp_path, "Crop", params, 1, 1)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": rand(shape)}, ["out0"])


@pytest.mark.parametrize("params", [{9: [1], 10: [-1], 11: [4]}, {9: [1], 10: [-1], 11: [-5]}, {9: [1, 1], 10: [-1]},
                                    {9: [1, 1], 10: [-1, -1], 11: [0]}, {9: [1]}, {11: [0]},
                                    {9: [1] * 5, 10: [-1] * 5}])
def test_refused_at_load(tmp_path, params):
    param, binf = one_layer_model(tmp_path, "Crop", params, 1, 1)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": rand((3, 5, 7))}, ["out0"])
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


EXPRS = [  # (shapes, starts_expr, ends_expr, axes_expr or None, numpy expectation on bottom 0)
    ([(3, 5, 7)], "1", "-1", "0", lambda x: x[1:-1]),
    ([(3, 5, 7)], "1,2", "-(0h,1),0w", "1,2", lambda x: x[:, 1:4, 2:]),
    ([(3, 5, 7)], "0,1,1", "2,-1,*(2,2)", "0,1,2", lambda x: x[0:2, 1:-1, 1:4]),
    ([(8, 5, 7), (2, 3)], "0,0", "1c,1w", "0,-1", lambda x: x[0:1, :, 0:3]),  # sizes from bottom 1
    ([(13,)], "//(0w,2)", "-233", "0", lambda x: x[6:]),
    ([(3, 4, 5, 6)], "1,1", "+(1,1),-1", "1,-1", lambda x: x[:, 1:2, :, 1:-1]),
]


@pytest.mark.parametrize("shapes,starts,ends,axes,expect", EXPRS)
def test_expressions(tmp_path, shapes, starts, ends, axes, expect):
    xs = [rand(s, i) for i, s in enumerate(shapes)]
    params = {19: f'"{starts}"', 20: f'"{ends}"', 21: f'"{axes}"'}
    (y,) = check_layer(tmp_path, "Crop", params, xs)
    np.testing.assert_array_equal(y, expect(xs[0]))


@pytest.mark.parametrize("params", [{19: '"1"', 20: '"-1"'}, {19: '"1"', 20: '"-1"', 21: '"+(0w)"'}])
def test_expression_refused(tmp_path, params):
    param, binf = one_layer_model(tmp_path, "Crop", params, 1, 1)  # ncnn crashes on these
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": rand((3, 5, 7))}, ["out0"])
