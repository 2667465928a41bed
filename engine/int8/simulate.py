"""Simulated int8: an fp32 Net plus a table -> a Net that runs int8 where the table says, no files written.

The new Net is exactly the model `write_int8_model` would write, loaded back (same bytes, built in
memory), so what-if runs here equal the real int8 model bit for bit: same topology, layer names and
blob names; quantised layers run ncnn's int8 path, the rest stay floating point (with fp16-rounded
tagged weights, as ncnn2int8 writes them).
"""
from __future__ import annotations

from typing import Collection

from ..formats.ncnn_bin import FileWeights
from ..net import Net
from .export import QUANTISABLE, int8_model
from .table import Int8Table


def table_without(table: Int8Table, keep_fp32: Collection[str]) -> Int8Table:
    """The table minus the entries of the named layers (ncnn2int8's "comment the line out")."""
    keep = set(keep_fp32)
    return Int8Table({k: v for k, v in table.weight_scales.items() if k not in keep},
                     {k: v for k, v in table.blob_scales.items() if k not in keep})


def int8_net(net: Net, table: Int8Table, keep_fp32: Collection[str] = ()) -> Net:
    """A new Net in which every Convolution/ConvolutionDepthWise/InnerProduct with table entries (and
    not named in keep_fp32) runs int8 with those scales; `net` itself is not changed."""
    unknown = set(keep_fp32) - {layer.name for layer in net.layers}
    if unknown:
        from ..errors import EngineError
        raise EngineError(f"keep_fp32 names no layer of the model: {', '.join(sorted(unknown))}")
    text, data = int8_model(net, table_without(table, keep_fp32))
    source = net.param_path or "<net>"
    out = Net()
    out.opt = net.opt.copy()
    out.opt.use_int8_inference = True
    out.load_param_text(text, f"{source} (int8)")
    out._load_weights(FileWeights(f"{source} (int8 weights)", data))  # the .bin bytes, never on disk
    out.model_path = f"<int8 of {net.model_path or source}>"
    return out


def quantised_layer_names(net: Net) -> list[str]:
    """Names of the layers of `net` that run int8 (int8 weights and an int8_scale_term)."""
    return [layer.name for layer in net.layers
            if layer.spec.type in QUANTISABLE and getattr(layer, "int8_scale_term", 0)
            and layer.weight_storage.get("weight_data") == "int8"]
