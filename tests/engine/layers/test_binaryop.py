"""BinaryOp against ncnn: every op_type, the scalar form, and ncnn's (leading-axis) broadcasting
for every rank pair in both orders, including channel counts that make ncnn pack (4/8/16)."""
import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]
N_OPS = 19

# float64 reference of each op_type, with C semantics (remainder = IEEE, floor_divide = floor(a/b)).
REF = [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    np.maximum, np.minimum, np.power,
    lambda a, b: b - a, lambda a, b: b / a, lambda a, b: np.power(b, a),
    np.arctan2, lambda a, b: np.arctan2(b, a),
    np.fmod, lambda a, b: np.fmod(b, a),
    np.logaddexp, lambda a, b: np.floor(a / b), lambda a, b: np.floor(b / a),
    lambda a, b: a - np.rint(a / b) * b, lambda a, b: b - np.rint(b / a) * a,
]
POW_LIKE = {6: "a", 9: "b"}  # which operand is the base: kept positive (ncnn's SIMD pow needs it)
DIVISOR = {3: "b", 8: "a", 12: "b", 13: "a", 15: "b", 16: "a", 17: "b", 18: "a"}


def operands(op: int, a_shape, b_shape, seed: int = 0):
    """Random operands inside the op's domain: bases > 0, divisors away from zero."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(-3, 3, a_shape).astype(np.float32)
    b = rng.uniform(-3, 3, b_shape).astype(np.float32)
    if POW_LIKE.get(op) == "a":
        a, b = np.abs(a) + np.float32(0.1), b * np.float32(0.7)
    if POW_LIKE.get(op) == "b":
        a, b = a * np.float32(0.7), np.abs(b) + np.float32(0.1)
    if DIVISOR.get(op) == "b":
        b = np.where(np.abs(b) < 0.5, np.float32(0.5) + b, b).astype(np.float32)
    if DIVISOR.get(op) == "a":
        a = np.where(np.abs(a) < 0.5, np.float32(0.5) + a, a).astype(np.float32)
    return a, b


def close_to_ref(y, ref):
    np.testing.assert_allclose(y, ref.astype(np.float32), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op", range(N_OPS))
def test_two_same_shape_inputs(tmp_path, op, shape):
    a, b = operands(op, shape, shape)
    (y,) = check_layer(tmp_path, "BinaryOp", {0: op}, [a, b])
    if op not in (12, 13, 17, 18):  # fmod/remainder jump at their discontinuities; ncnn is the judge
        close_to_ref(y, REF[op](a.astype(np.float64), b.astype(np.float64)))


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("op", range(N_OPS))
def test_with_scalar(tmp_path, op, shape):
    scalar = {6: 1.7, 9: 1.3}.get(op, -1.25)  # rpow: base 1.3 > 0
    a, _ = operands(op, shape, (1,))
    if op == 6:
        a = np.abs(a) + np.float32(0.1)
    (y,) = check_layer(tmp_path, "BinaryOp", {0: op, 1: 1, 2: scalar}, [a])
    assert y.shape == a.shape and y.dtype == np.float32
    if op not in (12, 13, 17, 18):
        close_to_ref(y, REF[op](a.astype(np.float64), np.float64(np.float32(scalar))))


def test_scalar_defaults_to_zero(tmp_path):
    a = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    (y,) = check_layer(tmp_path, "BinaryOp", {0: 4, 1: 1}, [a])  # max(a, 0)
    np.testing.assert_array_equal(y, np.maximum(a, 0))


# (a shape, b shape, numpy shape ncnn gives a, numpy shape ncnn gives b): the last two written out
# by hand from ncnn's rule, so the test does not reuse the engine's own shape logic.
BROADCAST = [
    # same rank: unit axes broadcast
    ((7,), (7,), (7,), (7,)),
    ((7,), (1,), (7,), (1,)),
    ((5, 7), (1, 7), (5, 7), (1, 7)),
    ((5, 7), (5, 1), (5, 7), (5, 1)),
    ((1, 7), (5, 1), (1, 7), (5, 1)),
    ((3, 5, 7), (3, 1, 1), (3, 5, 7), (3, 1, 1)),
    ((3, 5, 7), (1, 5, 7), (3, 5, 7), (1, 5, 7)),
    ((3, 5, 7), (3, 5, 1), (3, 5, 7), (3, 5, 1)),
    ((3, 5, 7), (1, 1, 7), (3, 5, 7), (1, 1, 7)),
    ((3, 5, 7), (3, 1, 7), (3, 5, 7), (3, 1, 7)),
    ((3, 5, 7), (1, 1, 1), (3, 5, 7), (1, 1, 1)),
    ((2, 3, 4, 5), (2, 1, 1, 1), (2, 3, 4, 5), (2, 1, 1, 1)),
    ((2, 3, 4, 5), (1, 3, 4, 5), (2, 3, 4, 5), (1, 3, 4, 5)),
    ((2, 3, 4, 5), (2, 3, 4, 1), (2, 3, 4, 5), (2, 3, 4, 1)),
    ((2, 3, 4, 5), (1, 1, 1, 5), (2, 3, 4, 5), (1, 1, 1, 5)),
    ((2, 3, 4, 5), (2, 3, 1, 1), (2, 3, 4, 5), (2, 3, 1, 1)),
    ((16, 3, 5), (16, 1, 1), (16, 3, 5), (16, 1, 1)),
    ((16, 3, 5), (1, 3, 5), (16, 3, 5), (1, 3, 5)),
    ((8, 2, 3, 5), (8, 1, 1, 1), (8, 2, 3, 5), (8, 1, 1, 1)),
    ((8, 5), (8, 1), (8, 5), (8, 1)),
    # 2-D against 1-D: per row when the length equals h (h wins a tie with w), else along w
    ((5, 7), (5,), (5, 7), (5, 1)),
    ((5, 7), (7,), (5, 7), (1, 7)),
    ((5, 5), (5,), (5, 5), (5, 1)),
    ((5, 7), (1,), (5, 7), (1, 1)),
    ((8, 5), (8,), (8, 5), (8, 1)),
    ((16, 8), (8,), (16, 8), (1, 8)),
    # 3-D against 1-D: per channel when the length equals c (c wins a tie with w), else along w
    ((3, 5, 7), (3,), (3, 5, 7), (3, 1, 1)),
    ((3, 5, 7), (7,), (3, 5, 7), (1, 1, 7)),
    ((7, 5, 7), (7,), (7, 5, 7), (7, 1, 1)),
    ((3, 5, 7), (1,), (3, 5, 7), (1, 1, 1)),
    ((16, 3, 5), (16,), (16, 3, 5), (16, 1, 1)),
    ((16, 3, 5), (5,), (16, 3, 5), (1, 1, 5)),
    ((4, 3, 8), (8,), (4, 3, 8), (1, 1, 8)),
    # 3-D against 2-D: (h0, w0) becomes (c=h0, h=w0, w=1)
    ((3, 5, 7), (3, 5), (3, 5, 7), (3, 5, 1)),
    ((3, 5, 7), (1, 5), (3, 5, 7), (1, 5, 1)),
    ((3, 5, 7), (3, 1), (3, 5, 7), (3, 1, 1)),
    ((16, 3, 5), (16, 3), (16, 3, 5), (16, 3, 1)),
    # 4-D against 1-D, 2-D, 3-D: trailing unit axes, a 1-D per channel or along w
    ((2, 3, 4, 5), (2,), (2, 3, 4, 5), (2, 1, 1, 1)),
    ((2, 3, 4, 5), (5,), (2, 3, 4, 5), (1, 1, 1, 5)),
    ((8, 2, 3, 5), (8,), (8, 2, 3, 5), (8, 1, 1, 1)),
    ((2, 3, 4, 5), (2, 3), (2, 3, 4, 5), (2, 3, 1, 1)),
    ((2, 3, 4, 5), (1, 3), (2, 3, 4, 5), (1, 3, 1, 1)),
    ((2, 3, 4, 5), (2, 3, 4), (2, 3, 4, 5), (2, 3, 4, 1)),
    ((2, 3, 4, 5), (1, 3, 4), (2, 3, 4, 5), (1, 3, 4, 1)),
    ((4, 2, 3, 5), (4, 2, 3), (4, 2, 3, 5), (4, 2, 3, 1)),
    ((8, 2, 3, 5), (8, 2), (8, 2, 3, 5), (8, 2, 1, 1)),
]
BROADCAST_IDS = [f"{a}-{b}".replace(" ", "") for a, b, _, _ in BROADCAST]


@pytest.mark.parametrize("swap", [False, True], ids=["ab", "ba"])
@pytest.mark.parametrize("a_shape,b_shape,a_view,b_view", BROADCAST, ids=BROADCAST_IDS)
@pytest.mark.parametrize("op", [1, 8])  # SUB and RDIV: order-sensitive, so a swapped operand shows
def test_broadcasting(tmp_path, op, a_shape, b_shape, a_view, b_view, swap):
    if swap:
        a_shape, b_shape, a_view, b_view = b_shape, a_shape, b_view, a_view
    a, b = operands(op, a_shape, b_shape, seed=7)
    (y,) = check_layer(tmp_path, "BinaryOp", {0: op}, [a, b])
    expected = REF[op](a.reshape(a_view).astype(np.float64), b.reshape(b_view).astype(np.float64))
    assert y.shape == expected.shape
    close_to_ref(y, expected)


@pytest.mark.parametrize("op", range(N_OPS))
def test_every_op_broadcasts_per_channel(tmp_path, op):
    a, b = operands(op, (16, 3, 5), (16,), seed=2)
    (y,) = check_layer(tmp_path, "BinaryOp", {0: op}, [a, b])
    if op not in (12, 13, 17, 18):
        close_to_ref(y, REF[op](a.astype(np.float64), b.astype(np.float64)[:, None, None]))
    b, a = operands(op, (16,), (16, 3, 5), seed=3)  # swapped: the 1-D operand comes first
    (y,) = check_layer(tmp_path, "BinaryOp", {0: op}, [b, a])
    if op not in (12, 13, 17, 18):
        close_to_ref(y, REF[op](b.astype(np.float64)[:, None, None], a.astype(np.float64)))


def test_pow_keeps_c_semantics_for_integer_powers_of_negatives(tmp_path):
    """powf(-2, 3) = -8 (ncnn's x86 SIMD pow returns 3.4e38-ish garbage for a base <= 0; we keep C)."""
    a = np.array([-2.0, -1.5, 3.0], np.float32)
    b = np.array([3.0, 2.0, 0.5], np.float32)
    net = _net(tmp_path, {0: 6}, 2)
    ex = net.create_extractor()
    ex.input("in0", a)
    ex.input("in1", b)
    np.testing.assert_allclose(ex.extract("out0"), [-8.0, 2.25, np.sqrt(3.0)], rtol=1e-6)


def test_remainder_is_ieee_not_python_modulo(tmp_path):
    a = np.array([5.0, -5.0, 7.0, 2.5, -2.5], np.float32)
    (y,) = check_layer(tmp_path, "BinaryOp", {0: 17, 1: 1, 2: 3.0}, [a])
    np.testing.assert_array_equal(y, [-1.0, 1.0, 1.0, -0.5, 0.5])
    (y,) = check_layer(tmp_path, "BinaryOp", {0: 12, 1: 1, 2: 3.0}, [a])  # fmod: sign of a
    np.testing.assert_array_equal(y, [2.0, -2.0, 1.0, 2.5, -2.5])


def test_inputs_are_not_modified(tmp_path):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.ones(3, np.float32)
    a0, b0 = a.copy(), b.copy()
    a.flags.writeable = b.flags.writeable = False
    net = _net(tmp_path, {0: 0}, 2)
    ex = net.create_extractor()
    ex.input("in0", a)
    ex.input("in1", b)
    ex.extract("out0")
    np.testing.assert_array_equal(a, a0)
    np.testing.assert_array_equal(b, b0)


def _net(tmp_path, params, n_inputs):
    param, binf = one_layer_model(tmp_path, "BinaryOp", params, n_inputs, 1)
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    return net


@pytest.mark.parametrize("params,n_inputs", [({0: 19}, 2), ({0: -1}, 2), ({0: 19, 1: 1}, 1)])
def test_unknown_op_type_is_refused_like_ncnn(tmp_path, params, n_inputs):
    ncnn = pytest.importorskip("ncnn")
    param, _ = one_layer_model(tmp_path, "BinaryOp", params, n_inputs, 1)
    assert ncnn.Net().load_param(str(param)) != 0, "ncnn accepts it"
    with pytest.raises(ModelFormatError, match="op_type"):
        Net().load_param(param)


@pytest.mark.parametrize("a_shape,b_shape", [((3, 4), (2, 4)), ((3, 5, 7), (4,)), ((2, 3, 4, 5), (3, 4, 5)),
                                             ((5, 7), (6,))])
def test_shapes_that_do_not_broadcast_are_a_runtime_error(tmp_path, a_shape, b_shape):
    net = _net(tmp_path, {0: 0}, 2)
    ex = net.create_extractor()
    ex.input("in0", np.zeros(a_shape, np.float32))
    ex.input("in1", np.zeros(b_shape, np.float32))
    with pytest.raises(LayerRuntimeError, match="broadcast"):
        ex.extract("out0")
