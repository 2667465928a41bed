"""`.bin` weights: every storage tag, alignment, and hostile or truncated files."""
from __future__ import annotations

import struct
import tracemalloc

import numpy as np
import pytest

from engine import ModelFormatError, Net
from engine.formats.ncnn_bin import FileWeights, SyntheticWeights
from engine.formats.ncnn_writer import BinWriter

rng = np.random.default_rng(7)


def reader(data: bytes) -> FileWeights:
    return FileWeights("mem.bin", data)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5])
def test_fp32_fp16_int8_tags_and_padding(count):
    a = rng.standard_normal(count).astype(np.float32)
    q = rng.integers(-127, 128, count).astype(np.int8)
    data = (BinWriter().tagged(a, "fp32").tagged(a, "fp16").tagged(q, "int8").raw(a).bytes())
    r = reader(data)
    got32, s32 = r.load(count, True, "w32", "L")
    got16, s16 = r.load(count, True, "w16", "L")
    got8, s8 = r.load(count, True, "w8", "L")
    raw, sraw = r.load(count, False, "b", "L")
    assert (s32, s16, s8, sraw) == ("fp32", "fp16", "int8", "fp32")
    np.testing.assert_array_equal(got32, a)
    np.testing.assert_array_equal(got16, a.astype(np.float16).astype(np.float32))
    assert got8.dtype == np.int8
    np.testing.assert_array_equal(got8, q)
    np.testing.assert_array_equal(raw, a)
    assert r.remaining() == 0  # every padding byte was consumed


def test_raw_scaled_tag_reads_as_fp32():
    a = np.arange(3, dtype=np.float32)
    got, storage = reader(struct.pack("<I", 0x0002C056) + a.tobytes()).load(3, True, "w", "L")
    np.testing.assert_array_equal(got, a)
    assert storage == "fp32"


def test_codebook_tag_maps_uint8_indices_through_256_floats():
    codebook = np.linspace(-1, 1, 256).astype(np.float32)
    idx = np.array([0, 255, 7, 128, 3], np.uint8)
    data = b"\x01\x02\x03\x04" + codebook.tobytes() + idx.tobytes() + b"\0" * 3
    r = reader(data)
    got, storage = r.load(5, True, "w", "L")
    assert storage == "codebook"
    np.testing.assert_array_equal(got, codebook[idx])
    assert r.remaining() == 0


def test_truncated_weights_name_layer_and_offset():
    r = reader(BinWriter().tagged(np.ones(4, np.float32)).bytes())
    with pytest.raises(ModelFormatError, match=r"byte offset 4, layer 'conv1'.*'weight' needs 40 bytes"):
        r.load(10, True, "weight", "conv1")


def test_hostile_count_fails_fast_without_allocating():
    tracemalloc.start()
    r = reader(b"\0" * 64)
    with pytest.raises(ModelFormatError, match="needs 4000000000000 bytes"):
        r.load(10**12, True, "weight", "conv")
    with pytest.raises(ModelFormatError, match="negative size"):
        r.load(-5, False, "bias", "conv")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 1 << 20


def test_synthetic_weights_are_seeded_and_bounded():
    a, _ = SyntheticWeights("random", seed=3).load(100, True, "w", "L")
    b, _ = SyntheticWeights("random", seed=3).load(100, True, "w", "L")
    np.testing.assert_array_equal(a, b)
    assert np.all(np.abs(a) <= 0.1) and a.std() > 0.01
    var, _ = SyntheticWeights("random").load(50, False, "var_data", "bn")
    assert np.all(var > 0)
    with pytest.raises(ModelFormatError, match="synthetic values"):
        SyntheticWeights("zeros", max_bytes=1000).load(10**12, True, "w", "big")


def test_a_bin_that_does_not_belong_to_the_param_is_refused(tmp_path):
    (tmp_path / "m.param").write_text("7767517\n2 2\nInput in 0 1 data\nPReLU p 1 1 data out 0=16\n")
    (tmp_path / "m.bin").write_bytes(b"\0" * 20)
    net = Net()
    net.load_param(tmp_path / "m.param")
    with pytest.raises(ModelFormatError, match=r"m\.bin.*layer 'p'"):
        net.load_model(tmp_path / "m.bin")


@pytest.mark.oracle
@pytest.mark.parametrize("storage", ["fp32", "fp16", "codebook"])
def test_ncnn_reads_the_same_weight_values(tmp_path, storage):
    """A 1x1 convolution exposes its weights exactly: ncnn and we must see the same values."""
    from tests.support.layer_check import check_layer
    w = rng.standard_normal((5, 3)).astype(np.float32)
    if storage == "codebook":
        codebook = np.linspace(-2, 2, 256).astype(np.float32)
        idx = rng.integers(0, 256, 15).astype(np.uint8)
        w = codebook[idx]

        class _Raw(BinWriter):
            def bytes(self) -> bytes:
                return b"\x05\x06\x07\x08" + codebook.tobytes() + idx.tobytes() + b"\0"
        weights = _Raw()
    else:
        weights = BinWriter().tagged(w, storage)
    x = rng.standard_normal((3, 4, 6)).astype(np.float32)
    (y,) = check_layer(tmp_path, "Convolution", {0: 5, 1: 1, 6: 15}, [x], weights)
    wf = w.reshape(5, 3).astype(np.float16).astype(np.float32) if storage == "fp16" else w.reshape(5, 3)
    np.testing.assert_allclose(y, np.einsum("oi,ihw->ohw", wf, x), rtol=1e-5, atol=1e-5)
