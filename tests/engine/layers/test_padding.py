import numpy as np
import pytest

from engine import Net
from engine.errors import LayerRuntimeError, ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope
from tests.support.oracle import OracleError, run_ncnn

pytestmark = pytest.mark.oracle

# Odd sizes, plus channel counts ncnn packs by 4/8/16 (its packed paths differ from the plain one).
SHAPES = [(7,), (16,), (5, 7), (8, 7), (3, 5, 7), (8, 5, 7), (16, 3, 4), (3, 4, 5, 6), (8, 3, 4, 5)]

# (top, bottom, left, right, front, behind)
PADS = [(1, 2, 3, 1, 0, 0), (0, 0, 4, 0, 0, 0), (4, 4, 0, 0, 0, 0), (1, 0, 2, 2, 1, 2), (0, 0, 0, 0, 2, 1),
        (0, 0, 0, 0, 4, 4), (2, 1, 0, 3, 8, 0)]


def rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def pad_params(pads, ptype, value=None):
    t, b, l, r, f, be = pads
    p = {0: t, 1: b, 2: l, 3: r, 4: ptype, 7: f, 8: be}
    if value is not None:
        p[5] = value
    return p


def numpy_pads(shape, pads):
    t, b, l, r, f, be = pads
    return {1: [(l, r)], 2: [(t, b), (l, r)], 3: [(f, be), (t, b), (l, r)],
            4: [(0, 0), (f, be), (t, b), (l, r)]}[len(shape)]


def reflect_ok(shape, pads):
    npads = numpy_pads(shape, pads)
    fold = {3: 0, 4: 1}.get(len(shape), -1)
    return all(b <= (2 * (n - 1) if i == fold else n - 1) and a <= n - 1
               for i, (n, (b, a)) in enumerate(zip(shape, npads)))


# Reflect pads wider than ncnn can read in bounds are left out (see test_refused_at_run_time).
CASES = [(shape, pads, ptype, value) for shape in SHAPES for pads in PADS
         for ptype, value in [(0, None), (0, -1.5), (1, None), (2, None)] if ptype != 2 or reflect_ok(shape, pads)]


@pytest.mark.parametrize("shape,pads,ptype,value", CASES)
def test_padding_matches_ncnn(tmp_path, shape, pads, ptype, value):
    x = rand(shape)
    (y,) = check_layer(tmp_path, "Padding", pad_params(pads, ptype, value), [x])
    mode = {0: "constant", 1: "edge", 2: "reflect"}[ptype]
    kw = {"constant_values": value or 0.0} if ptype == 0 else {}
    np.testing.assert_array_equal(y, np.pad(x, numpy_pads(shape, pads), mode=mode, **kw))


@pytest.mark.parametrize("shape", [(3, 5, 7), (8, 5, 7), (16, 3, 4), (3, 4, 5, 6), (8, 3, 4, 5), (4, 2, 3, 5)])
@pytest.mark.parametrize("pads", [(1, 2, 3, 1, 0, 0), (1, 0, 2, 2, 1, 2), (0, 0, 0, 0, 4, 4), (1, 1, 1, 1, 8, 0)])
def test_per_channel_pad_data(tmp_path, shape, pads):
    out_c = shape[0] + (pads[4] + pads[5] if len(shape) == 3 else 0)
    pcd = np.arange(1, out_c + 1, dtype=np.float32) * np.float32(-0.5)
    x = rand(shape, 1)
    params = {**pad_params(pads, 0, 9.0), 6: out_c}
    (y,) = check_layer(tmp_path, "Padding", params, [x], weights=BinWriter().raw(pcd))
    npads = numpy_pads(shape, pads)
    inner = tuple(slice(b, b + n) for n, (b, _) in zip(shape, npads))
    np.testing.assert_array_equal(y[inner], x)
    mask = np.ones(y.shape, bool)
    mask[inner] = False
    expected = np.broadcast_to(pcd.reshape((-1,) + (1,) * (len(shape) - 1)), y.shape)
    np.testing.assert_array_equal(y[mask], expected[mask])  # indexed by output channel


@pytest.mark.parametrize("shape", [(7,), (5, 7)])
def test_per_channel_ignored_below_3d(tmp_path, shape):
    x = rand(shape, 2)
    params = {**pad_params((1, 1, 2, 2, 0, 0), 0, 2.5), 6: 3}
    (y,) = check_layer(tmp_path, "Padding", params, [x], weights=BinWriter().raw(np.ones(3, np.float32)))
    assert y.max() == np.float32(2.5)


@pytest.mark.parametrize("ptype", [0, 1, 2])
def test_no_padding_is_passthrough(tmp_path, ptype):
    x = rand((3, 5, 7), 3)
    (y,) = check_layer(tmp_path, "Padding", {4: ptype, 5: 1.0}, [x])
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize("ptype", [3, -1, 7])
def test_unknown_type_refused_at_load(tmp_path, ptype):
    param, binf = one_layer_model(tmp_path, "Padding", {4: ptype, 2: 1}, 1, 1)
    with pytest.raises(OracleError):
        run_ncnn(param, binf, {"in0": rand((3, 5, 7))}, ["out0"])
    with pytest.raises(ModelFormatError):
        Net().load_param(param)


# ncnn corrupts its heap on negative pads and reads out of bounds on too-wide reflect pads.
@pytest.mark.parametrize("params,shape", [({2: -1}, (3, 5, 7)), ({8: -1}, (3, 5, 7)), ({4: 2, 2: 7}, (3, 5, 7)),
                                          ({4: 2, 8: 3}, (3, 5, 7)), ({4: 2, 7: 5}, (3, 5, 7)),
                                          ({4: 2, 0: 1}, (1, 1, 5)), ({4: 0, 6: 2, 2: 1}, (3, 5, 7))])
def test_refused_at_run_time(tmp_path, params, shape):
    bw = BinWriter().raw(np.ones(params.get(6, 0), np.float32))  # too few per-channel values
    param, binf = one_layer_model(tmp_path, "Padding", params, 1, 1, bw)
    with pytest.raises(LayerRuntimeError):
        run_layerscope(param, binf, {"in0": rand(shape)}, ["out0"])
