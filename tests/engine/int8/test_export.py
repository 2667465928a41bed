"""write_int8_model (ncnn2int8's job): the real ncnn loads Layerscope's int8 model and every blob it
computes equals Layerscope's run of the same file (int8 blobs bit-exact, float blobs within 1e-5
relative), on SqueezeNet and PP-OCRv4 det; plus the file layout itself, read back."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from engine import Net
from engine.formats.ncnn_bin import FileWeights
from engine.formats.ncnn_writer import LayerLine, write_model
from engine.int8.export import QUANTISABLE, Int8ExportError, int8_model, write_int8_model
from engine.int8.table import Int8Table, read_table
from engine.kernels.int8 import float2int8
from tests.engine.int8.int8_support import (
    SQUEEZENET, compare_all_blobs, fire_model, fire_scales, load_net, maxabs_table, squeezenet_input)
from tests.support.zoo import model_files

N2I = Path(__file__).resolve().parents[2] / "fixtures" / "int8" / "ncnn2int8"


@pytest.mark.oracle
def test_squeezenet_int8_model_runs_the_same_in_ncnn(tmp_path):
    net = load_net(*SQUEEZENET)
    x = {"data": squeezenet_input()}
    table = maxabs_table(net, x)
    write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    for packing in (True, False):  # no depthwise layers: ncnn's packed layout agrees as well
        kinds = compare_all_blobs(tmp_path / "q.param", tmp_path / "q.bin", x, packing=packing)
        assert kinds["float"] == len(net.blobs) - 1
    q = load_net(tmp_path / "q.param", tmp_path / "q.bin")
    assert sum(layer.weight_storage.get("weight_data") == "int8" for layer in q.layers) == 26
    # Still the same classifier: the fp32 top-1 (tabby, 281) is in the int8 top-3 for this image.
    ex = q.create_extractor()
    ex.input("data", x["data"])
    assert 281 in np.argsort(-ex.extract("prob").ravel())[:3]


@pytest.mark.oracle
@pytest.mark.models
def test_ppocr_det_int8_model_runs_the_same_in_ncnn(tmp_path):
    """Depthwise layers, requantise fusion (int8 blobs between convolutions), InnerProduct, fp16
    Deconvolution weights. Compared with ncnn's packed layout off: its packed depthwise int8 kernel
    uses an approximate reciprocal (see tests/engine/layers/test_convolutiondepthwise_int8.py)."""
    files = model_files("pp-ocrv4-det")
    net = load_net(files["param"], files["bin"])
    x = {"in0": np.random.default_rng(0).uniform(-1, 1, (3, 64, 64)).astype(np.float32)}
    write_int8_model(net, maxabs_table(net, x), tmp_path / "q.param", tmp_path / "q.bin")
    kinds = compare_all_blobs(tmp_path / "q.param", tmp_path / "q.bin", x, packing=False)
    assert kinds["int8"] >= 5 and kinds["int8"] + kinds["float"] == len(net.blobs) - 1
    q = load_net(tmp_path / "q.param", tmp_path / "q.bin")
    storage = {layer.spec.type: layer.weight_storage.get("weight_data") for layer in q.layers
               if "weight_data" in layer.weights}
    assert storage["Deconvolution"] == "fp16"
    assert storage["Convolution"] == storage["ConvolutionDepthWise"] == storage["InnerProduct"] == "int8"


@pytest.mark.oracle
def test_requantize_fusion_through_split_and_file_layout(tmp_path):
    net, w0, wd = fire_model(tmp_path)
    table = fire_scales(net)
    table.blob_scales["conv2"] = table.blob_scales["conv1"] * 2  # ncnn2int8 takes the first consumer's
    write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    text = (tmp_path / "q.param").read_text()
    assert " 8=102" in text.splitlines()[3]  # conv0: every Split top goes to a quantised conv
    q = load_net(tmp_path / "q.param", tmp_path / "q.bin")
    conv0 = q.layers[1]
    assert conv0.int8_scale_term == 102
    assert conv0.weights["top_blob_int8_scales"].tolist() == table.blob("conv1").tolist()
    ws = table.weight("conv0")
    np.testing.assert_array_equal(conv0.weights["weight_data"],
                                  float2int8(w0.reshape(6, -1) * ws[:, None]).ravel())
    np.testing.assert_array_equal(conv0.weights["weight_data_int8_scales"], ws)
    assert [q.layers[i].int8_scale_term for i in (3, 4)] == [2, 2]  # conv1 feeds a Deconvolution
    deconv = q.layers[5]
    assert deconv.weight_storage["weight_data"] == "fp16"
    np.testing.assert_array_equal(deconv.weights["weight_data"], wd.astype(np.float16).astype(np.float32))
    x = {"in0": np.random.default_rng(3).standard_normal((3, 9, 10)).astype(np.float32)}
    kinds = compare_all_blobs(tmp_path / "q.param", tmp_path / "q.bin", x)
    assert kinds["int8"] == 3  # c0 and both Split tops


def test_no_fusion_when_a_split_top_is_not_a_quantised_conv(tmp_path):
    net, *_ = fire_model(tmp_path, tail="Pooling")
    write_int8_model(net, fire_scales(net), tmp_path / "q.param", tmp_path / "q.bin")
    assert load_net(tmp_path / "q.param", tmp_path / "q.bin").layers[1].int8_scale_term == 2
    net, *_ = fire_model(tmp_path)
    table = fire_scales(net)
    del table.blob_scales["conv2"]  # conv2 stays fp32 ("commented out" in the table)
    write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    q = load_net(tmp_path / "q.param", tmp_path / "q.bin")
    assert [layer.int8_scale_term for layer in q.layers[1:5:3]] == [2, 0]
    assert q.layers[4].weight_storage["weight_data"] == "fp16"


def test_bad_tables_are_refused_naming_the_layer(tmp_path):
    net, *_ = fire_model(tmp_path)
    table = fire_scales(net)
    del table.weight_scales["conv1"]
    with pytest.raises(Int8ExportError, match="conv1.*conv1_param_0"):
        write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    assert not (tmp_path / "q.param").exists()
    table = fire_scales(net)
    table.weight_scales["conv2"][0] = table.weight_scales["conv2"][0][:3]
    with pytest.raises(Int8ExportError, match="conv2.*3 weight scales.*needs 5"):
        write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    table = fire_scales(net)
    write_int8_model(net, table, tmp_path / "q.param", tmp_path / "q.bin")
    with pytest.raises(Int8ExportError, match="already quantised"):
        write_int8_model(load_net(tmp_path / "q.param", tmp_path / "q.bin"), table, tmp_path / "r.param",
                         tmp_path / "r.bin")
    with pytest.raises(Int8ExportError, match="cannot write"):
        write_int8_model(net, table, tmp_path / "missing" / "r.param", tmp_path / "r.bin")


def test_models_with_unreadable_layers_are_refused(tmp_path):
    lines = [LayerLine("Input", "input", [], ["in0"]), LayerLine("NoSuchLayer", "odd", ["in0"], ["out0"])]
    write_model(tmp_path / "u.param", tmp_path / "u.bin", lines)
    net = load_net(tmp_path / "u.param", tmp_path / "u.bin")
    with pytest.raises(Int8ExportError, match="odd.*NoSuchLayer"):
        write_int8_model(net, Int8Table(), tmp_path / "q.param", tmp_path / "q.bin")


# -- against ncnn's own ncnn2int8 (outputs recorded in tests/fixtures/int8/ncnn2int8, see its README) -----

def _recorded(model: str) -> tuple[dict, Path]:
    return json.loads((N2I / "ncnn2int8.json").read_text())[model], N2I


def _same_params(text: str, theirs: Path) -> None:
    ours, ref = Net(), Net()
    ours.load_param_text(text)
    ref.load_param(theirs)
    assert len(ours.layers) == len(ref.layers)
    for a, b in zip(ours.layers, ref.layers):
        assert (a.spec.type, a.name, a.spec.bottoms, a.spec.tops) == (b.spec.type, b.name, b.spec.bottoms, b.spec.tops)
        assert [(p.pid, p.value) for p in a.param_values()] == [(p.pid, p.value) for p in b.param_values()], a.name


def test_squeezenet_export_is_byte_identical_to_ncnn2int8():
    rec, _ = _recorded("squeezenet_v1.1")
    text, data = int8_model(load_net(*SQUEEZENET), read_table(N2I / "squeezenet_v1.1.table"))
    assert len(data) == rec["bin_size"] and hashlib.sha256(data).hexdigest() == rec["bin_sha256"]
    _same_params(text, N2I / "squeezenet_v1.1.int8.param")


@pytest.mark.oracle
def test_ncnn2int8_squeezenet_model_runs_the_same_here(tmp_path):
    """ncnn2int8's own files (its .param; its .bin rebuilt byte for byte, checked by sha256)."""
    rec, _ = _recorded("squeezenet_v1.1")
    _, data = int8_model(load_net(*SQUEEZENET), read_table(N2I / "squeezenet_v1.1.table"))
    assert hashlib.sha256(data).hexdigest() == rec["bin_sha256"]
    (tmp_path / "n.bin").write_bytes(data)
    (tmp_path / "n.param").write_bytes((N2I / "squeezenet_v1.1.int8.param").read_bytes())
    for packing in (True, False):
        kinds = compare_all_blobs(tmp_path / "n.param", tmp_path / "n.bin", {"data": squeezenet_input()},
                                  packing=packing)
        assert kinds["float"] == 82


def _fp16_truncated(w: np.ndarray) -> np.ndarray:
    """ncnn's scalar float32_to_float16: mantissa truncated, fp16 subnormals flushed to zero."""
    u = np.asarray(w, np.float32).view(np.uint32)
    sign, exp, sig = (u >> 31).astype(np.uint16), ((u >> 23) & 0xFF).astype(np.int32), u & 0x7FFFFF
    newexp = exp - 127 + 15
    bits = (sign << 15) | (np.clip(newexp, 0, 31).astype(np.uint16) << 10) | (sig >> 13).astype(np.uint16)
    bits = np.where(newexp >= 31, (sign << 15) | 0x7C00, bits)
    bits = np.where((newexp <= 0) | (exp == 0), sign << 15, bits)
    return bits.astype(np.uint16).view(np.float16)


@pytest.mark.models
def test_ppocr_det_export_equals_ncnn2int8_but_for_fp16_rounding():
    """int8 and fp32 chunks byte-identical; the fp16 chunks (Deconvolution weights) are the nearest fp16
    here and truncated in that ncnn2int8 build: with them truncated, the whole .bin is ncnn2int8's."""
    rec, _ = _recorded("pp-ocrv4-det")
    files = model_files("pp-ocrv4-det")
    net = load_net(files["param"], files["bin"])
    text, data = int8_model(net, read_table(N2I / "pp-ocrv4-det.table"))
    rebuilt = bytearray(data)
    q = Net()
    q.load_param_text(text)
    reader = FileWeights("ours", data)
    fp16_chunks = 0
    for layer, src in zip(q.layers, net.layers):
        if layer.spec.type in QUANTISABLE:
            layer.load_model(reader)
            continue
        for what, tagged in src.weight_tagged.items():
            start = reader.position
            reader.load(src.weights[what].size, tagged, what, layer.name)
            if tagged:  # ncnn2int8 writes these as fp16
                w = src.weights[what]
                ours = np.frombuffer(data[start + 4:start + 4 + 2 * w.size], "<f2")
                np.testing.assert_array_equal(ours, w.astype(np.float16))
                rebuilt[start + 4:start + 4 + 2 * w.size] = _fp16_truncated(w).astype("<f2").tobytes()
                fp16_chunks += 1
    assert fp16_chunks == 2 and reader.remaining() == 0
    assert hashlib.sha256(bytes(rebuilt)).hexdigest() == rec["bin_sha256"]
