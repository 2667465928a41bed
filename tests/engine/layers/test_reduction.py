"""Reduction against ncnn: every operation, every rank, every axes subset, keepdims, coeff, reduce_all."""
from itertools import combinations

import numpy as np
import pytest

from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

OPS = range(11)
SHAPES = [(7,), (5, 7), (3, 5, 7), (3, 4, 5, 7)]


def data(shape: tuple[int, ...], op: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if op == 6:  # prod: values near 1 stay in range
        return rng.uniform(0.8, 1.25, shape).astype(np.float32) * rng.choice([-1, 1], shape).astype(np.float32)
    if op == 9:  # logsum: positive sums
        return rng.uniform(0.1, 2.0, shape).astype(np.float32)
    return rng.standard_normal(shape).astype(np.float32)


def expected(x: np.ndarray, op: int, axes: tuple[int, ...], keepdims: bool, coeff: float) -> np.ndarray:
    x = x.astype(np.float64)
    kw = {"axis": axes, "keepdims": keepdims}
    f = [lambda: np.sum(x, **kw), lambda: np.sum(np.abs(x), **kw), lambda: np.sum(x * x, **kw),
         lambda: np.mean(x, **kw), lambda: np.max(x, **kw), lambda: np.min(x, **kw), lambda: np.prod(x, **kw),
         lambda: np.sum(np.abs(x), **kw), lambda: np.sqrt(np.sum(x * x, **kw)), lambda: np.log(np.sum(x, **kw)),
         lambda: np.log(np.sum(np.exp(x), **kw))][op]()
    return np.atleast_1d(f * coeff)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", OPS)
def test_reduction_every_axes_subset(tmp_path, shape, op):
    x = data(shape, op)
    nd = len(shape)
    for k in range(1, nd + 1):
        for axes in combinations(range(nd), k):
            for keepdims in (0, 1):
                params = {0: op, 1: 0, 3: list(axes), 4: keepdims, 5: 1}
                (y,) = check_layer(tmp_path, "Reduction", params, [x])
                want = expected(x, op, axes, bool(keepdims), 1.0)
                assert y.shape == want.shape
                np.testing.assert_allclose(y, want, rtol=2e-4, atol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("keepdims", [0, 1])
def test_reduction_reduce_all_with_coeff(tmp_path, shape, op, keepdims):
    x = data(shape, op, seed=1)
    (y,) = check_layer(tmp_path, "Reduction", {0: op, 2: -0.75, 4: keepdims}, [x])
    want = expected(x, op, tuple(range(len(shape))), bool(keepdims), -0.75)
    np.testing.assert_allclose(y, want, rtol=2e-4, atol=1e-5)


@pytest.mark.parametrize("shape,axes", [((5, 7), [-1]), ((3, 5, 7), [-3, -1]), ((3, 4, 5, 7), [-2]),
                                        ((3, 4, 5, 7), [1, -1]), ((7,), [0]), ((7,), [-1])])
@pytest.mark.parametrize("op", [0, 3, 8])
def test_reduction_negative_axes(tmp_path, shape, axes, op):
    x = data(shape, op, seed=2)
    check_layer(tmp_path, "Reduction", {0: op, 1: 0, 2: 2.5, 3: axes, 5: 1}, [x])


def test_reduction_default_params_sum_everything(tmp_path):
    x = data((3, 5, 7), 0, seed=3)
    (y,) = check_layer(tmp_path, "Reduction", {}, [x])
    assert y.shape == (1,)
    np.testing.assert_allclose(y, [x.astype(np.float64).sum()], rtol=1e-4)


def test_reduction_axis_beyond_rank_is_ignored(tmp_path):
    x = data((5, 7), 0, seed=4)
    (y,) = check_layer(tmp_path, "Reduction", {0: 0, 1: 0, 3: [1, 3], 5: 1}, [x])
    np.testing.assert_allclose(y, x.sum(1), rtol=1e-5, atol=1e-5)


def test_reduction_saturation_and_special_values(tmp_path):
    x = np.array([[np.inf, 1.0, 2.0], [-np.inf, -np.inf, -np.inf], [1e-20, 1e-20, 0.0], [100.0, 1.0, 0.0]],
                 np.float32)
    (y,) = check_layer(tmp_path, "Reduction", {0: 4, 1: 0, 3: [1], 5: 1}, [x])  # max
    assert y[0] == np.inf and y[1] == np.float32(-3.4028235e38)  # -inf saturates at -FLT_MAX
    (y,) = check_layer(tmp_path, "Reduction", {0: 8, 1: 0, 3: [1], 5: 1}, [x[2:]])  # l2 flushes tiny sums
    assert y[0] == 0
    check_layer(tmp_path, "Reduction", {0: 10, 1: 0, 3: [1], 5: 1}, [x[3:]])  # logsumexp overflows to inf


def test_reduction_refusals(tmp_path):
    param, binf = one_layer_model(tmp_path, "Reduction", {0: 0, 1: 0, 3: [1]}, 1, 1)
    with pytest.raises(ModelFormatError, match="fixbug0"):
        run_layerscope(param, binf, {"in0": np.zeros((3, 4), np.float32)}, ["out0"])
    param, binf = one_layer_model(tmp_path, "Reduction", {0: 0, 1: 0}, 1, 1)
    with pytest.raises(LayerRuntimeError, match="select no axis"):
        run_layerscope(param, binf, {"in0": np.zeros((3, 4), np.float32)}, ["out0"])
