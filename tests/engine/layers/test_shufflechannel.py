import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def shuffled(x, g):
    """Output channel j*g+i takes input channel i*(c/g)+j, by explicit loops."""
    c = x.shape[0]
    cpg = c // g
    y = np.empty_like(x)
    for i in range(g):
        for j in range(cpg):
            y[j * g + i] = x[i * cpg + j]
    return y


# (channels, group): odd counts and counts ncnn packs by 4/8/16, groups 2..4 (x86 kernels) and larger.
CASES = [(6, 2), (6, 3), (9, 3), (4, 2), (8, 2), (8, 4), (12, 3), (12, 2), (16, 2), (16, 4), (24, 3), (32, 8),
         (48, 16), (15, 5), (20, 4), (40, 5)]


@pytest.mark.parametrize("c,group", CASES)
@pytest.mark.parametrize("reverse", [0, 1])
@pytest.mark.parametrize("inner", [(3, 5), (2, 3, 5)])
def test_shuffle_matches_ncnn(tmp_path, c, group, reverse, inner):
    x = rand((c, *inner), c + group)
    (y,) = check_layer(tmp_path, "ShuffleChannel", {0: group, 1: reverse}, [x])
    np.testing.assert_array_equal(y, shuffled(x, c // group if reverse else group))


def test_reverse_undoes_shuffle(tmp_path):
    x = rand((12, 3, 4))
    (y,) = check_layer(tmp_path, "ShuffleChannel", {0: 3}, [x])
    (z,) = check_layer(tmp_path, "ShuffleChannel", {0: 3, 1: 1}, [y])
    np.testing.assert_array_equal(z, x)


@pytest.mark.parametrize("shape,params", [((7,), {}), ((3, 5), {0: 1}), ((3, 5), {0: 1, 1: 1}), ((6, 3, 4), {0: 1}),
                                          ((6, 3, 4), {0: 6, 1: 1}), ((6, 3, 4), {0: 4, 1: 1})])
def test_passthrough(tmp_path, shape, params):
    x = rand(shape)
    (y,) = check_layer(tmp_path, "ShuffleChannel", params, [x])
    np.testing.assert_array_equal(y, x)  # one group: even 6 channels in "groups" of 4 pass through


@pytest.mark.parametrize("group", [0, -1])
def test_refused_at_load(tmp_path, group):
    param, binf = one_layer_model(tmp_path, "ShuffleChannel", {0: group}, 1, 1)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": rand((6, 2, 2))}, ["out0"])
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


@pytest.mark.parametrize("shape,params,check_ncnn", [((6, 2, 2), {0: 4}, True), ((5, 2, 2), {0: 2}, True),
                                                     ((3, 5), {0: 2}, True), ((6, 2, 2), {0: 7, 1: 1}, False)])
def test_refused_at_run_time(tmp_path, shape, params, check_ncnn):
    param, binf = one_layer_model(tmp_path, "ShuffleChannel", params, 1, 1)
    x = rand(shape)
    if check_ncnn:  # a reverse group above the channel count makes ncnn divide by zero
        with pytest.raises(OracleError):
            run_ncnn(param, binf, {"in0": x}, ["out0"])
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": x}, ["out0"])
