import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from engine.formats.ncnn_writer import LayerLine, write_model
from tests.support.layer_check import check_layer, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

SHAPES = [(210,), (6, 35), (2, 3, 35), (2, 3, 5, 7)]


def _x(shape):
    return np.random.default_rng(1).standard_normal(shape).astype(np.float32)


# params (ncnn ids: 0=w 1=h 11=d 2=c) -> expected numpy shape for a 210-element input
CASES = [
    ({0: 210}, (210,)),
    ({0: -1}, (210,)),
    ({0: 7, 1: 30}, (30, 7)),
    ({0: -1, 1: 5}, (5, 42)),
    ({0: 14, 1: -1}, (15, 14)),
    ({0: 7, 1: 5, 2: 6}, (6, 5, 7)),
    ({0: -1, 1: 5, 2: 3}, (3, 5, 14)),
    ({0: 7, 1: -1, 2: 3}, (3, 10, 7)),
    ({0: 7, 1: 3, 2: -1}, (10, 3, 7)),
    ({0: 7, 1: 5, 11: 3, 2: 2}, (2, 3, 5, 7)),
    ({0: 5, 1: 7, 11: -1, 2: 2}, (2, 3, 7, 5)),
    ({0: -1, 1: 3, 11: 5, 2: 2}, (2, 5, 3, 7)),
    ({0: 3, 1: 5, 11: 2, 2: -1}, (7, 2, 5, 3)),
    ({0: 1, 1: 210}, (210, 1)),
    ({0: 210, 1: 1, 2: 1}, (1, 1, 210)),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("params, expected", CASES)
def test_reshape_matches_ncnn(tmp_path, shape, params, expected):
    x = _x(shape)
    if x.ndim == 2 and len(expected) == 2 and expected[0] == x.shape[0]:
        expected = x.shape  # ncnn's 2-D fast path (same h) keeps the input as is
    (y,) = check_layer(tmp_path, "Reshape", params, [x])
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), x.reshape(-1))


# 0 copies the input's same-named size (w from w, not by position); ncnn's x86 layer (the oracle) keeps
# the head of the data when the target is smaller instead of failing
@pytest.mark.parametrize("shape, params, expected", [
    ((2, 3, 35), {0: 0, 1: -1}, (6, 35)),
    ((2, 3, 35), {0: -1, 1: 0}, (3, 70)),
    ((2, 3, 35), {0: 0, 1: 0, 2: -1}, (2, 3, 35)),
    ((2, 3, 35), {0: -1, 1: 0, 2: 0}, (2, 3, 35)),
    ((2, 3, 35), {0: 0, 1: 6, 2: 1}, (1, 6, 35)),
    ((6, 35), {0: 0, 1: 0, 2: -1}, (1, 6, 35)),
    ((6, 35), {0: 5, 1: 0, 2: -1}, (7, 6, 5)),
    ((2, 3, 5, 7), {0: 0, 1: 0, 11: 0, 2: 0}, (2, 3, 5, 7)),
    ((2, 3, 5, 7), {0: 0, 1: -1, 11: 1, 2: 0}, (2, 1, 15, 7)),
    ((2, 3, 5, 7), {0: 0, 1: 0, 2: -1}, (6, 5, 7)),
    ((2, 3, 5, 7), {0: 0, 1: -1, 2: 0}, (2, 15, 7)),
    ((210,), {0: 0, 1: -1}, (1, 210)),
    ((7,), {0: 0, 1: 1, 11: 1, 2: 1}, (1, 1, 1, 7)),
    ((2, 3, 5), {0: 0, 1: 0, 11: 1, 2: 0}, (2, 1, 3, 5)),
    # quirks of ncnn's x86 layer
    ((2, 3, 5, 7), {0: 0}, (210,)),                     # a 1-D target always flattens everything
    ((6, 35), {0: 7, 1: 0}, (6, 35)),                   # same h on 2-D: the input as is
    ((2, 3, 35), {0: 5, 1: 0, 2: 0}, (2, 3, 5)),        # same c: the head of each channel
    ((2, 3, 35), {0: 7, 1: 2, 2: 0}, (2, 2, 7)),
    ((2, 3, 5, 7), {0: 7, 1: 2, 11: 2, 2: 0}, (2, 2, 2, 7)),
    ((2, 3, 5, 7), {0: 7, 1: 2, 2: 2}, (2, 2, 7)),
    ((6, 35), {0: 7, 1: 2}, (2, 7)),                    # smaller total: the head of the data
    ((2, 3, 35), {0: 7, 1: 4, 2: 3}, (3, 4, 7)),
    ((2, 3, 35), {0: 5, 1: 7}, (7, 5)),
    ((2, 3, 35), {0: 7, 1: 4, 11: 2, 2: 3}, (3, 2, 4, 7)),
])
def test_reshape_zero_and_minus_one(tmp_path, shape, params, expected):
    x = _x(shape)
    (y,) = check_layer(tmp_path, "Reshape", params, [x])
    assert y.shape == expected


# where ncnn would read past the data (garbage), the engine refuses
@pytest.mark.parametrize("shape, params", [
    ((2, 3, 35), {0: 0, 1: 6, 2: 0}),
    ((6, 35), {0: 7, 1: 40}),
    ((2, 3, 35), {0: 7, 1: 5, 2: 7}),
    ((2, 3, 35), {0: -1, 1: -1, 2: 1}),
])
def test_reshape_past_the_data_is_refused(tmp_path, shape, params):
    with pytest.raises(LayerRuntimeError):
        run_ours(tmp_path, params, _x(shape))


def _model(tmp_path, params, n_inputs=1):
    lines = [LayerLine("Input", f"input{i}", [], [f"in{i}"]) for i in range(n_inputs)]
    lines.append(LayerLine("Reshape", "op", [f"in{i}" for i in range(n_inputs)], ["out0"], params))
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    write_model(param, binf, lines)
    return param, binf


def run_ncnn_and_ours(tmp_path, params, x):
    param, binf = _model(tmp_path, params)
    return run_ncnn(param, binf, {"in0": x}, ["out0"])


def run_ours(tmp_path, params, x):
    param, binf = _model(tmp_path, params)
    return run_layerscope(param, binf, {"in0": x}, ["out0"])


@pytest.mark.parametrize("shapes, expr, expected", [
    ([(2, 3, 35)], "-1,*(0h,2),+(0c,-1)", (1, 6, 35)),
    ([(2, 3, 35)], "0w,-1", (6, 35)),
    ([(2, 3, 35)], "//(0w,5),0h,-1", (10, 3, 7)),
    ([(6, 35)], "0w,3,-1", (2, 3, 35)),
    ([(2, 3, 35)], "0w,7,-1", None),                   # c = 210/7/35 = 0: both fail
    ([(2, 3, 5, 7)], "0w,0h,*(0d,0c)", (6, 5, 7)),
    ([(2, 3, 5, 7)], "0w,0h,0d,0c", (2, 3, 5, 7)),
    ([(2, 3, 5, 7)], "0w,0h,1,-1", (6, 1, 5, 7)),
    ([(2, 3, 5, 7)], "-1", (210,)),
    ([(2, 3, 35), (5, 7)], "0w,-1,1h", None),          # several bottoms: ncnn checks the total
    ([(6, 35), (4,)], "+(7,*(0,1w)),2", None),
    ([(6, 35), (4,)], "+(1,*(0,1w))", None),
    ([(6, 35), (4,)], "+(-1,*(0,1w)),4", None),
    ([(2, 3, 35), (4,)], "+(0,*(0,1w)),-1,0,0", (2, 1, 3, 35)),
    ([(6, 35)], "7,2", (2, 7)),                          # one bottom: the head, as with params
    ([(6, 35)], "-1,4", (4, 52)),
    ([(6, 35)], "7,0,1", (1, 6, 7)),
    ([(2, 3, 35), (5, 7)], "1w,-1", (30, 7)),
    ([(2, 3, 35), (5, 7)], "*(1h,1w),trunc(/(0c,2)),-1", (6, 1, 35)),
    ([(2, 3, 35), (4,)], "/(0w,1w),-1", None),          # 35/4 = 8.75 -> 8; 8*26 != 210
    ([(2, 3, 35), (5,)], "/(0w,1w),-1", (30, 7)),
    ([(2, 3, 35), (4,)], "+(floor(/(0w,1w)),-1),ceil(/(0h,2)),round(2.5),-1", (5, 3, 2, 7)),
    ([(2, 3, 35)], "+(floor(/(0w,4)),-1),ceil(/(0h,2)),round(2.5),-1", (5, 3, 2, 7)),
    ([(2, 3, 35)], "max(0w,0h),min(0h,0c),-1", (3, 2, 35)),
    ([(2, 3, 35)], "0w,0h,0c", (2, 3, 35)),
    ([(6, 35)], "+(//(-7,2),10),-1", (30, 7)),            # int // truncates toward zero: -3
    ([(6, 35)], "+(//(-7.0,2),10),-1", (30, 7)),          # "-7.0" reads as the int -7 (sscanf %d == %f)
    ([(6, 35)], "+(//(-7.5,2),10),-1", (35, 6)),          # float // floors: -4
    ([(6, 35)], "+(sign(neg(3)),abs(-6)),-1", (42, 5)),
    ([(6, 35)], "trunc(*(sqrt(49),1.5)),-1", (21, 10)),   # float 10.5 -> 10
    ([(6, 35)], "and(7,14),-1", (35, 6)),
])
def test_reshape_shape_expression(tmp_path, shapes, expr, expected):
    xs = [_x(s) for s in shapes]
    if expected is None:
        param, binf = _model(tmp_path, {6: f'"{expr}"'}, len(xs))
        feeds = {f"in{i}": x for i, x in enumerate(xs)}
        with pytest.raises(OracleError):
            run_ncnn(param, binf, feeds, ["out0"])
        with pytest.raises(LayerRuntimeError):
            run_layerscope(param, binf, feeds, ["out0"])
        return
    # ncnn reads a value as a string only if it starts with a letter or a quote
    (y,) = check_layer(tmp_path, "Reshape", {6: f'"{expr}"'}, xs)
    assert y.shape == expected
    np.testing.assert_array_equal(y.reshape(-1), xs[0].reshape(-1)[:y.size])


def test_reshape_expression_is_not_evaluated_at_load(tmp_path):
    # with empty blobs 0w is 0 and this divides by zero; ncnn only takes the rank from it at load
    param, binf = _model(tmp_path, {6: '"//(210,0w),-1"'})
    x = _x((6, 35))
    ref = run_ncnn(param, binf, {"in0": x}, ["out0"])["out0"]
    ours = run_layerscope(param, binf, {"in0": x}, ["out0"])["out0"]
    assert ref.shape == ours.shape == (35, 6)
    np.testing.assert_array_equal(ours, ref)


def test_reshape_expression_runtime_failure(tmp_path):
    param, binf = _model(tmp_path, {6: '"//(210,-(0h,6)),-1"'})
    x = _x((6, 35))
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": x}, ["out0"])
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": x}, ["out0"])


# 12/13 = batch axes (ncnn's NCNN_BATCH path): sizes in numpy order, 0 copies by *position* in the
# logical shape (the input with its batch axis of 1 inserted), the output batch axis is dropped.
@pytest.mark.parametrize("shape, params, expected", [
    ((2, 3, 35), {0: 35, 1: -1, 2: 0, 12: 0, 13: 0}, (6, 35)),   # logical [1,2,3,35] -> [1,6,35]
    ((6, 35), {0: -1, 12: 0}, (210,)),
    ((6, 35), {0: -1, 1: 1, 13: 0}, (210,)),
    ((6, 35), {0: 35, 1: 6, 12: 0}, (6, 35)),
    ((6, 35), {0: 35, 1: 6, 2: 1, 12: 0}, (1, 6, 35)),
    ((2, 3, 5, 7), {0: 7, 1: -1, 11: 0, 2: 1, 12: -1, 13: 0}, (3, 10, 7)),  # logical [2,3,5,7,1]
    ((2, 3, 35), {0: -1, 12: 0, 13: 0}, None),           # no axis left once the batch axis goes
    ((2, 3, 35), {0: 35, 1: 0, 12: 0, 13: 0}, None),     # 0 copies the logical batch 1: 35 != 210
    ((6, 35), {0: 0, 1: 0, 2: 0, 13: 0}, None),          # 0 past the input's rank
])
def test_reshape_batch_axes(tmp_path, shape, params, expected):
    x = _x(shape)
    if expected is None:
        with pytest.raises(OracleError):
            run_ncnn_and_ours(tmp_path, params, x)
        with pytest.raises(LayerRuntimeError):
            run_ours(tmp_path, params, x)
        return
    (y,) = check_layer(tmp_path, "Reshape", params, [x])
    assert y.shape == expected


def test_reshape_batch_output_larger_than_one_is_refused(tmp_path):
    # ncnn makes a blob with n = 6 here; blobs in this engine have no batch axis
    with pytest.raises(LayerRuntimeError, match="batch of 6"):
        run_ours(tmp_path, {0: -1, 1: 0, 12: 1, 13: 0}, _x((6, 35)))


def test_reshape_without_params_fails_like_ncnn(tmp_path):
    with pytest.raises(OracleError):
        run_ncnn_and_ours(tmp_path, {}, _x((6,)))
    with pytest.raises(LayerRuntimeError):
        run_ours(tmp_path, {}, _x((6,)))
