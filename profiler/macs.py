"""Multiply-accumulates per layer run, from the layer's weights and the shapes it saw."""
from __future__ import annotations

from math import prod

from engine.layer import Layer

Shapes = tuple[tuple[int, ...], ...]

# Layers whose main weight is applied once per output element (per output channel row).
_PER_OUTPUT = {"Convolution", "ConvolutionDepthWise", "Convolution1D", "ConvolutionDepthWise1D",
               "Convolution3D", "ConvolutionDepthWise3D"}
_PER_INPUT_PIXEL = {"Deconvolution", "DeconvolutionDepthWise", "Deconvolution1D", "DeconvolutionDepthWise1D"}


def _main_weight(layer: Layer) -> int:
    return max((w.size for w in layer.weights.values()), default=0)


def layer_macs(layer: Layer, inputs: Shapes, outputs: Shapes) -> int:
    t = layer.spec.type
    if not outputs:
        return 0
    out = outputs[0]
    num_output = getattr(layer, "num_output", 0) or 0
    if t in _PER_OUTPUT and num_output:
        return prod(out) * (_main_weight(layer) // num_output)
    if t in _PER_INPUT_PIXEL and inputs:
        spatial = prod(inputs[0][1:]) if len(inputs[0]) > 1 else 1
        return spatial * _main_weight(layer)
    if t == "InnerProduct" and num_output:
        rows = prod(out) // num_output
        return rows * _main_weight(layer)
    if t in ("Gemm", "MatMul") and len(inputs) >= 1:
        # M x N output, K = shared dim: MACs = |out| * K; K from the first input's last axis.
        a = inputs[0] if inputs else ()
        k = a[-1] if a else 0
        if t == "Gemm" and getattr(layer, "transA", 0) and len(a) >= 2:
            k = a[-2]
        if not k and layer.weights:
            k = _main_weight(layer) // max(1, out[-1])
        return prod(out) * k
    if t == "MultiHeadAttention" and inputs:
        seq_q = inputs[0][0] if len(inputs[0]) == 2 else 1
        seq_k = inputs[1][0] if len(inputs) > 1 and len(inputs[1]) == 2 else seq_q
        embed = getattr(layer, "embed_dim", 0)
        proj = seq_q * _weight(layer, "q") + seq_k * (_weight(layer, "k") + _weight(layer, "v")) \
            + seq_q * _weight(layer, "out")
        return proj + 2 * seq_q * seq_k * embed
    if t in ("LSTM", "GRU", "RNN") and inputs:
        steps = inputs[0][0] if len(inputs[0]) == 2 else 1
        return steps * sum(w.size for name, w in layer.weights.items() if "weight" in name)
    return 0


def _weight(layer: Layer, prefix: str) -> int:
    return sum(w.size for name, w in layer.weights.items() if name.startswith(prefix) and "weight" in name)
