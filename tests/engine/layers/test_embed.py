import numpy as np
import pytest

from engine.errors import ModelFormatError
from engine.formats.ncnn_writer import BinWriter
from tests.support.layer_check import check_layer, one_layer_model, run_layerscope

pytestmark = pytest.mark.oracle

NUM_OUTPUT, INPUT_DIM = 7, 11


def _weights(bias, seed=0, extra=0):
    rng = np.random.default_rng(seed)
    table = rng.standard_normal(INPUT_DIM * NUM_OUTPUT + extra).astype(np.float32)
    w = BinWriter().tagged(table)
    b = rng.standard_normal(NUM_OUTPUT).astype(np.float32)
    if bias:
        w.raw(b)
    return table, b, w


def _params(bias, extra=0):
    return {0: NUM_OUTPUT, 1: INPUT_DIM, 2: int(bias), 3: INPUT_DIM * NUM_OUTPUT + extra}


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("extra", [0, 5])  # a table larger than input_dim rows: the rest is unused
def test_embed_matches_ncnn(tmp_path, bias, extra):
    table, b, w = _weights(bias, extra=extra)
    idx = np.array([0, 3, 10, 3, 7, 1, 2, 9, 4], np.int32)
    (y,) = check_layer(tmp_path, "Embed", _params(bias, extra), [idx], weights=w)
    expected = table[:INPUT_DIM * NUM_OUTPUT].reshape(INPUT_DIM, NUM_OUTPUT)[idx] + (b if bias else 0)
    assert y.shape == (idx.size, NUM_OUTPUT)
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_embed_clamps_out_of_range_indices(tmp_path):
    table, _, w = _weights(False, seed=1)
    idx = np.array([-5, -1, 11, 1000, 2**31 - 1, -(2**31), 5], np.int32)
    (y,) = check_layer(tmp_path, "Embed", _params(False), [idx], weights=w)
    clamped = np.clip(idx, 0, INPUT_DIM - 1)
    np.testing.assert_array_equal(y, table.reshape(INPUT_DIM, NUM_OUTPUT)[clamped])


@pytest.mark.parametrize("shape", [(2, 5), (3, 2, 4), (2, 2, 2, 3)])
def test_embed_reads_the_first_w_elements(tmp_path, shape):
    # ncnn's word count is the input's w and it reads the first w elements of the data
    table, b, w = _weights(True, seed=2)
    idx = np.random.default_rng(3).integers(0, INPUT_DIM, size=shape).astype(np.int32)
    (y,) = check_layer(tmp_path, "Embed", _params(True), [idx], weights=w)
    assert y.shape == (shape[-1], NUM_OUTPUT)
    np.testing.assert_allclose(y, table.reshape(INPUT_DIM, NUM_OUTPUT)[idx.reshape(-1)[:shape[-1]]] + b, rtol=1e-6)


def test_embed_reads_float_blobs_as_int_bits(tmp_path):
    # 0.0 has the bits of 0; 1.0 is 0x3f800000 (clamped to the last row); -2.0 is negative (row 0)
    table, _, w = _weights(False, seed=4)
    x = np.array([0.0, 1.0, 2.0, -2.0], np.float32)
    (y,) = check_layer(tmp_path, "Embed", _params(False), [x], weights=w)
    rows = table.reshape(INPUT_DIM, NUM_OUTPUT)
    np.testing.assert_array_equal(y, rows[[0, INPUT_DIM - 1, INPUT_DIM - 1, 0]])


def test_embed_int8_table(tmp_path):
    rng = np.random.default_rng(5)
    q = rng.integers(-127, 128, size=INPUT_DIM * NUM_OUTPUT).astype(np.int8)
    b = rng.standard_normal(NUM_OUTPUT).astype(np.float32)
    scale = np.float32(37.5)
    w = BinWriter().tagged(q, "int8").raw(b).raw(np.array([scale], np.float32))
    params = {**_params(True), 18: 1}
    idx = np.array([0, 4, 10, 4, 2], np.int32)
    (y,) = check_layer(tmp_path, "Embed", params, [idx], weights=w)
    expected = q.reshape(INPUT_DIM, NUM_OUTPUT)[idx].astype(np.float32) * (np.float32(1) / scale) + b
    np.testing.assert_allclose(y, expected, rtol=1e-6)


@pytest.mark.parametrize("params", [
    {0: NUM_OUTPUT, 1: INPUT_DIM, 3: INPUT_DIM * NUM_OUTPUT - 1},   # table smaller than input_dim rows
    {0: NUM_OUTPUT, 1: 0, 3: INPUT_DIM * NUM_OUTPUT},
])
def test_embed_refuses_params_that_read_past_the_table(tmp_path, params):
    param, binf = one_layer_model(tmp_path, "Embed", params, 1, 1, BinWriter().tagged(np.zeros(100, np.float32)))
    with pytest.raises(ModelFormatError):
        run_layerscope(param, binf, {"in0": np.zeros(3, np.int32)}, ["out0"])
