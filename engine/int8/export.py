"""Write an int8 model from an fp32 Net and a calibration table, as ncnn's `ncnn2int8` does.

What ncnn2int8 (tools/quantize/ncnn2int8.cpp, with ModelWriter's storage_type 1) produces:

* Every Convolution / ConvolutionDepthWise / InnerProduct whose *name* has a bottom-blob entry in the
  table is quantised: weights `float2int8(w * scale)` per output channel (per group for the depthwise
  layer), written with the int8 tag; bias stays fp32; then the weight scales, the bottom scale and
  (if fused, below) the top scale, all untagged fp32. `int8_scale_term` = 2 (Convolution,
  InnerProduct) or 1 (ConvolutionDepthWise: one scale per group). Such a layer without its
  `<name>_param_0` weight entry is an error.
* Requantize fusion: a quantised Convolution/ConvDW whose top is the single bottom of a later
  quantised Convolution/ConvDW (the first such consumer), or feeds a Split whose every top goes to
  one, gets `int8_scale_term += 100` and the (first) consumer's bottom scale as its top scale: it
  then hands int8 to its consumers.
* Every other tagged weight is written as fp16; untagged data stays fp32 (values below 1e-30 in
  magnitude flushed to 0, as ModelWriter does).

Not done (ncnn2int8 also quantises them): RNN/LSTM/GRU/Embed/MultiHeadAttention weights given in the
table, constant Gemm operands, SDPA flags. Those layers are written as ncnn2int8 writes unquantised
layers (fp16 tagged weights), which ncnn and Layerscope both run in floating point.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ..errors import ModelFormatError
from ..formats.ncnn_bin import INT8
from ..formats.ncnn_writer import BinWriter, LayerLine, param_text
from ..ir import ParamValue
from ..kernels.int8 import quantize
from ..layer import Layer
from ..net import Net
from .table import Int8Table

QUANTISABLE = ("Convolution", "ConvolutionDepthWise", "InnerProduct")
_CONVS = ("Convolution", "ConvolutionDepthWise")


class Int8ExportError(ModelFormatError):
    """The net and table cannot make an int8 model (names the layer and what is wrong)."""


def quantised_layers(net: Net, table: Int8Table) -> dict[str, tuple[np.ndarray, np.float32]]:
    """name -> (weight scales, bottom scale) of the layers ncnn2int8 would quantise, checked."""
    out: dict[str, tuple[np.ndarray, np.float32]] = {}
    for layer in net.layers:
        if layer.spec.type not in QUANTISABLE or table.blob(layer.name) is None:
            continue
        where = f"layer '{layer.name}' ({layer.spec.type})"
        if getattr(layer, "dynamic_weight", 0):
            raise Int8ExportError(f"{where}: dynamic weights cannot be quantised", layer=layer.name)
        if "weight_data" not in layer.weights:
            raise Int8ExportError(f"{where}: the net has no weights loaded", layer=layer.name)
        if layer.weight_storage.get("weight_data") == INT8 or getattr(layer, "int8_scale_term", 0):
            raise Int8ExportError(f"{where}: already quantised (int8_scale_term "
                                  f"{getattr(layer, 'int8_scale_term', 0)})", layer=layer.name)
        ws = table.weight(layer.name, 0)
        if ws is None:
            raise Int8ExportError(f"{where}: the table has a bottom scale but no '{layer.name}_param_0' "
                                  f"weight scales", layer=layer.name)
        want = layer.group if layer.spec.type == "ConvolutionDepthWise" else layer.num_output
        if ws.size != want:
            per = "group" if layer.spec.type == "ConvolutionDepthWise" else "output channel"
            raise Int8ExportError(f"{where}: {ws.size} weight scales in the table, the layer needs {want} "
                                  f"(one per {per})", layer=layer.name)
        bs = table.blob(layer.name)
        assert bs is not None
        if bs.size != 1:
            raise Int8ExportError(f"{where}: {bs.size} bottom scales in the table, ncnn reads one",
                                  layer=layer.name)
        out[layer.name] = (np.asarray(ws, np.float32), np.float32(bs[0]))
    return out


def quantise_weights(layer: Layer, scales: np.ndarray) -> np.ndarray:
    """float2int8(w * scale), one scale per output row (per group for ConvolutionDepthWise)."""
    w = np.asarray(layer.weights["weight_data"], np.float32)
    rows = w.reshape(scales.size, -1)
    return quantize(rows, scales[:, None]).reshape(-1)


def fused_top_scales(net: Net, quantised: dict[str, tuple[np.ndarray, np.float32]]) -> dict[str, np.float32]:
    """Producer name -> top scale for ncnn2int8's fuse_requantize (both of its passes)."""
    graph = net.graph
    assert graph is not None
    specs = graph.layers
    consumers_of: dict[str, list[int]] = {}
    for i, spec in enumerate(specs):
        for b in spec.bottoms:
            consumers_of.setdefault(b, []).append(i)

    def first_conv_consumer(blob: str, after: int) -> int | None:
        for j in consumers_of.get(blob, []):
            if j > after and specs[j].type in _CONVS and len(specs[j].bottoms) == 1:
                return j
        return None

    out: dict[str, np.float32] = {}
    for i, spec in enumerate(specs):  # pass 1: conv -> conv
        if spec.type not in _CONVS or not spec.tops:
            continue
        j = first_conv_consumer(spec.tops[0], i)
        if j is not None and spec.name in quantised and specs[j].name in quantised:
            out[spec.name] = quantised[specs[j].name][1]
    for i, spec in enumerate(specs):  # pass 2: conv -> Split -> convs only
        if spec.type not in _CONVS or not spec.tops:
            continue
        split = next((j for j in consumers_of.get(spec.tops[0], []) if j > i and specs[j].type == "Split"
                      and len(specs[j].bottoms) == 1), None)
        if split is None:
            continue
        targets = [first_conv_consumer(t, split) for t in specs[split].tops]
        if any(k is None or specs[k].name not in quantised for k in targets) or spec.name not in quantised:
            continue
        first = graph.blobs[graph.blob_index(specs[split].tops[0])].consumers  # type: ignore[index]
        if not first or specs[first[0]].type not in _CONVS or specs[first[0]].name not in quantised:
            continue
        # ncnn2int8 adds 100 once per pass that matches; a layer matching both would be malformed
        out.setdefault(spec.name, quantised[specs[first[0]].name][1])
    return out


def _flush_tiny(array: np.ndarray) -> np.ndarray:
    """ModelWriter zeroes untagged fp32 values with 0 < |v| < 1e-30 (denormals and near them)."""
    a = np.asarray(array, np.float32)
    tiny = (np.abs(a) < np.float32(1e-30)) & (a != 0)
    return np.where(tiny, np.float32(0), a) if tiny.any() else a


def int8_model(net: Net, table: Int8Table) -> tuple[str, bytes]:
    """The int8 model's `.param` text and `.bin` bytes."""
    if net.graph is None or not net.weights_loaded:
        raise Int8ExportError("the net needs its .param and weights loaded before an int8 export")
    unknown = net.unsupported_layers()
    if unknown:  # their weights were never read, so the .bin cannot be rewritten
        raise Int8ExportError(f"layer '{unknown[0].name}' has type '{unknown[0].spec.type}', which Layerscope "
                              f"cannot read, so its weights cannot be rewritten", layer=unknown[0].name)
    quantised = quantised_layers(net, table)
    tops = fused_top_scales(net, quantised)
    lines: list[LayerLine] = []
    bw = BinWriter()
    for layer in net.layers:
        spec = layer.spec
        params = dict(spec.params)
        q = quantised.get(layer.name)
        for what, array in layer.weights.items():
            storage = layer.weight_storage.get(what, "fp32")
            if q is not None and what == "weight_data":
                bw.tagged(quantise_weights(layer, q[0]), "int8")
            elif layer.weight_tagged.get(what, False):
                bw.tagged(array, "int8" if storage == INT8 else "fp16")
            else:
                bw.raw(_flush_tiny(array))
        if q is not None:
            term = 1 if spec.type == "ConvolutionDepthWise" else 2
            if layer.name in tops:
                term += 100
            params[8] = ParamValue.of_int(term)
            bw.raw(q[0]).raw(np.array([q[1]], np.float32))
            if layer.name in tops:
                bw.raw(np.array([tops[layer.name]], np.float32))
        lines.append(LayerLine(spec.type, spec.name, spec.bottoms, spec.tops, params))
    return param_text(lines), bw.bytes()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_int8_model(net: Net, table: Int8Table, param_out: Path, bin_out: Path) -> None:
    """ncnn2int8: write `param_out` / `bin_out` (each replaced atomically; nothing written on error)."""
    text, data = int8_model(net, table)
    for path, content in ((Path(param_out), text.encode("utf-8")), (Path(bin_out), data)):
        try:
            _write_atomic(path, content)
        except OSError as e:
            raise Int8ExportError(f"cannot write the int8 model: {e.strerror or e}", path=str(path)) from e
