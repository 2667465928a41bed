"""One-layer models run through ncnn and through Layerscope, every output compared."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from engine import Net
from engine.formats.ncnn_writer import BinWriter, LayerLine, write_model

from .oracle import assert_blob_close, run_ncnn


def one_layer_model(tmp_path: Path, layer_type: str, params: Mapping[int, Any], n_inputs: int,
                    n_outputs: int, weights: BinWriter | None = None) -> tuple[Path, Path]:
    inputs = [f"in{i}" for i in range(n_inputs)]
    lines = [LayerLine("Input", f"input{i}", [], [b]) for i, b in enumerate(inputs)]
    lines.append(LayerLine(layer_type, "op", inputs, [f"out{i}" for i in range(n_outputs)], params))
    param, binf = tmp_path / "m.param", tmp_path / "m.bin"
    write_model(param, binf, lines, weights)
    return param, binf


def run_layerscope(param: Path, bin_path: Path, inputs: Mapping[str, np.ndarray],
                   outputs: Sequence[str], threads: int = 1) -> dict[str, np.ndarray]:
    net = Net()
    net.opt.num_threads = threads
    net.load_param(param)
    net.load_model(bin_path)
    ex = net.create_extractor()
    for k, v in inputs.items():
        ex.input(k, v)
    return {name: ex.extract(name) for name in outputs}


def check_layer(tmp_path: Path, layer_type: str, params: Mapping[int, Any], inputs: Sequence[np.ndarray],
                weights: BinWriter | None = None, n_outputs: int = 1, rel: float = 1e-4) -> list[np.ndarray]:
    """Build a one-layer model, run both engines, assert every output matches; return ours."""
    param, binf = one_layer_model(tmp_path, layer_type, params, len(inputs), n_outputs, weights)
    feeds = {f"in{i}": np.ascontiguousarray(x) for i, x in enumerate(inputs)}
    names = [f"out{i}" for i in range(n_outputs)]
    ref = run_ncnn(param, binf, feeds, names)
    ours = run_layerscope(param, binf, feeds, names)
    for name in names:
        assert_blob_close(ours[name], ref[name], f"{layer_type} {dict(params)} {name}", rel)
    return [ours[n] for n in names]
