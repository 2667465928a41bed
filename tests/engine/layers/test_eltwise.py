"""Eltwise against ncnn: PROD / SUM / MAX over 2..4 same-shape inputs of every rank, SUM with coeffs."""
import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model

pytestmark = pytest.mark.oracle

SHAPES = [(13,), (5, 7), (3, 5, 7), (2, 3, 4, 5), (16, 3, 5), (8, 2, 3, 5)]
SHAPE_IDS = ["1d", "2d", "3d", "4d", "3d-packed", "4d-packed"]
COEFFS = [-0.5, 2.0, 0.25, 3.0, 1.5]


def blobs(n, shape, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(np.float32) for _ in range(n)]


@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("op,coeffs", [(0, None), (1, None), (1, "given"), (2, None), (0, "given"), (2, "given")],
                         ids=["prod", "sum", "sum-coeffs", "max", "prod-coeffs-ignored", "max-coeffs-ignored"])
def test_eltwise_matches_ncnn(tmp_path, op, coeffs, n, shape):
    xs = blobs(n, shape)
    params = {0: op}
    if coeffs:
        params[1] = COEFFS[: n + (op == 1 and n == 2)]  # SUM also takes spare coeffs (ignored)
    (y,) = check_layer(tmp_path, "Eltwise", params, xs)
    x64 = [x.astype(np.float64) for x in xs]
    if op == 0:
        expected = np.prod(x64, axis=0)
    elif op == 2:
        expected = np.max(x64, axis=0)
    elif coeffs:
        expected = sum(c * x for c, x in zip(COEFFS, x64))
    else:
        expected = np.sum(x64, axis=0)
    assert y.shape == shape and y.dtype == np.float32
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_default_op_is_prod(tmp_path):
    xs = blobs(2, (3, 4))
    (y,) = check_layer(tmp_path, "Eltwise", {}, xs)
    np.testing.assert_array_equal(y, xs[0] * xs[1])


@pytest.mark.parametrize("op", [3, -1])
def test_unknown_op_type_is_refused_like_ncnn(tmp_path, op):
    ncnn = pytest.importorskip("ncnn")
    param, _ = one_layer_model(tmp_path, "Eltwise", {0: op}, 2, 1)
    assert ncnn.Net().load_param(str(param)) != 0, "ncnn accepts it"
    with pytest.raises(ModelFormatError, match="op_type"):
        Net().load_param(param)


def test_too_few_coeffs_are_refused(tmp_path):
    # ncnn loads this and reads past the end of coeffs; we refuse it.
    param, _ = one_layer_model(tmp_path, "Eltwise", {0: 1, 1: [2.0, 1.0]}, 3, 1)
    with pytest.raises(ModelFormatError, match="coeffs"):
        Net().load_param(param)


def _extract(tmp_path, xs):
    param, binf = one_layer_model(tmp_path, "Eltwise", {0: 1}, len(xs), 1)
    net = Net()
    net.load_param(param)
    net.load_model(binf)
    ex = net.create_extractor()
    for i, x in enumerate(xs):
        ex.input(f"in{i}", x)
    return ex.extract("out0")


def test_mismatched_shapes_are_a_runtime_error(tmp_path):
    with pytest.raises(LayerRuntimeError, match="same shape"):
        _extract(tmp_path, [np.zeros((3, 4), np.float32), np.zeros((4, 3), np.float32)])


def test_one_input_is_a_runtime_error(tmp_path):
    with pytest.raises(LayerRuntimeError, match="2 input"):
        _extract(tmp_path, [np.zeros((3, 4), np.float32)])


def test_inputs_are_not_modified(tmp_path):
    xs = blobs(3, (2, 3, 5))
    copies = [x.copy() for x in xs]
    for x in xs:
        x.flags.writeable = False
    for op in (0, 1, 2):
        param, binf = one_layer_model(tmp_path, "Eltwise", {0: op}, 3, 1)
        net = Net()
        net.load_param(param)
        net.load_model(binf)
        ex = net.create_extractor()
        for i, x in enumerate(xs):
            ex.input(f"in{i}", x)
        ex.extract("out0")
    for x, c in zip(xs, copies):
        np.testing.assert_array_equal(x, c)
