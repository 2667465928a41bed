import numpy as np
import pytest

from engine.errors import LayerRuntimeError
from engine.formats.ncnn_writer import LayerLine, write_model
from tests.support.layer_check import check_layer, run_layerscope
from tests.support.oracle import assert_blob_close, run_ncnn

pytestmark = pytest.mark.oracle

SHAPES = [(7,), (5, 7), (4, 6), (3, 5, 7), (4, 5, 7), (5, 2, 3), (3, 2, 5, 7), (8, 2, 3, 3)]

# values where truncation and round-to-nearest-even differ, ties, overflow, fp16 subnormals, specials
SPECIAL = np.array([1.0009766, 1.0014648, -1.0014648, 2049.0, 2051.0, 65519.0, 65520.0, 70000.0, -1e6,
                    3e-5, -3e-5, 1e-7, 6e-8, 1e-9, 0.0, -0.0, np.inf, -np.inf, 0.1, 1 / 3, -2 / 3],
                   np.float32)


def _x(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * rng.choice([1e-3, 1.0, 300.0], size=shape)).astype(np.float32)
    flat = x.reshape(-1)
    n = min(flat.size, SPECIAL.size)
    # put the special values at the start and at the end (ncnn's scalar tail) of the data
    flat[:n] = SPECIAL[:n]
    flat[-n:] = SPECIAL[::-1][:n]
    return x


def _chain(tmp_path, x, casts):
    lines = [LayerLine("Input", "input", [], ["in0"])]
    prev = "in0"
    for i, (a, b) in enumerate(casts):
        lines.append(LayerLine("Cast", f"cast{i}", [prev], [f"t{i}"], {0: a, 1: b}))
        prev = f"t{i}"
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    write_model(param, binf, lines)
    names = [f"t{i}" for i in range(len(casts))]
    return run_ncnn(param, binf, {"in0": x}, names), run_layerscope(param, binf, {"in0": x}, names)


def _bits16(a):
    return np.ascontiguousarray(a).view(np.uint16)


@pytest.mark.parametrize("shape", SHAPES)
def test_cast_fp32_fp16_fp32(tmp_path, shape):
    x = _x(shape)
    ref, ours = _chain(tmp_path, x, [(1, 2), (2, 1)])
    assert ref["t0"].dtype == np.float16  # the pip binding hands an fp16 blob back as float16
    # bit-exact: truncation vs rounding differs by far less than the tolerance at large values
    np.testing.assert_array_equal(_bits16(ours["t0"].astype(np.float16)), _bits16(ref["t0"]))
    assert ours["t1"].dtype == np.float32
    np.testing.assert_array_equal(ours["t1"].view(np.uint32), ref["t1"].view(np.uint32))
    assert_blob_close(ours["t1"], ref["t1"], "Cast fp16->fp32")


@pytest.mark.parametrize("value, body, tail", [
    (1 + 2.5 * 2**-10, 15362, 15363),    # a tie: nearest-even in the SIMD body, away from zero in the tail
    (2049.0, 26624, 26625),
    (6.1035e-05, 1024, 0),                # rounds up to the smallest normal; the tail flushes it
    (3e-05, 503, 0),                      # fp16 subnormal: kept by F16C, flushed by the scalar code
    (-1.0017, 48130, 48130),
])
def test_cast_fp16_simd_body_and_scalar_tail(tmp_path, value, body, tail):
    x = np.full((7,), value, np.float32)  # elements 0-3 go through F16C, 4-6 through ncnn's scalar code
    ref, ours = _chain(tmp_path, x, [(1, 2)])
    expected = np.array([body] * 4 + [tail] * 3, np.uint16)
    np.testing.assert_array_equal(_bits16(ref["t0"]), expected)
    np.testing.assert_array_equal(_bits16(ours["t0"].astype(np.float16)), expected)  # extract() gives fp32


@pytest.mark.parametrize("shape", SHAPES)
def test_cast_fp32_bf16_fp32(tmp_path, shape):
    x = _x(shape, 1)
    ref, ours = _chain(tmp_path, x, [(1, 4), (4, 1)])
    rounded = ((x.view(np.uint32) + np.uint32(0x8000)) & np.uint32(0xFFFF0000)).view(np.float32)
    # the pip binding shows the bf16 blob's bits as float16; ours holds the bf16 values as float32
    np.testing.assert_array_equal(_bits16(ref["t0"]), (ours["t0"].view(np.uint32) >> 16).astype(np.uint16))
    np.testing.assert_array_equal(ours["t1"].view(np.uint32), ref["t1"].view(np.uint32))
    np.testing.assert_array_equal(ours["t1"], rounded)


def test_cast_bf16_rounds_ties_away_from_zero(tmp_path):
    x = np.array([1 + 2**-8, -(1 + 2**-8), 1 + 2**-9, 1 + 3 * 2**-9], np.float32)
    ref, ours = _chain(tmp_path, x, [(1, 4), (4, 1)])
    expected = np.array([1 + 2**-7, -(1 + 2**-7), 1.0, 1 + 2**-7], np.float32)
    np.testing.assert_array_equal(ref["t1"], expected)
    np.testing.assert_array_equal(ours["t1"], expected)


@pytest.mark.parametrize("shape", [(7,), (3, 5, 7), (4, 5, 7), (3, 2, 5, 7)])
def test_cast_int8_to_fp32(tmp_path, shape):
    x = np.random.default_rng(2).integers(-128, 128, size=shape).astype(np.int8)
    (y,) = check_layer(tmp_path, "Cast", {0: 3, 1: 1}, [x])
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x.astype(np.float32))


@pytest.mark.parametrize("types", [(1, 1), (2, 2), (0, 0)])
def test_cast_same_type_passes_through(tmp_path, types):
    x = _x((3, 5, 7))
    (y,) = check_layer(tmp_path, "Cast", {0: types[0], 1: types[1]}, [x])
    np.testing.assert_array_equal(y, x)


@pytest.mark.parametrize("types", [(1, 3), (0, 2), (2, 4), (1, 5)])
def test_cast_unconverted_pairs_are_refused(tmp_path, types):
    # ncnn leaves the output uninitialised for these
    with pytest.raises(LayerRuntimeError):
        _chain(tmp_path, _x((7,)), [types])
