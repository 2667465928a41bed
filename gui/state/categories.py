"""Layer type -> display category and colour (Netron-like: one hue per kind of work)."""
from __future__ import annotations

CATEGORY_COLOURS = {
    "input": "#6f8fa6",
    "conv": "#3a6ea5",
    "pool": "#3f8f6b",
    "activation": "#a8473f",
    "norm": "#5f5f9e",
    "elementwise": "#8a6d3b",
    "shape": "#6b6b6b",
    "dense": "#2f7f8f",
    "attention": "#8a4f9e",
    "resample": "#4f8f3f",
    "quant": "#9e6f2f",
    "detection": "#7f3f5f",
    "other": "#555555",
    "unknown": "#c0392b",
}

_BY_TYPE = {
    "input": ["Input", "MemoryData"],
    "conv": ["Convolution", "ConvolutionDepthWise", "Convolution1D", "ConvolutionDepthWise1D", "Convolution3D",
             "ConvolutionDepthWise3D", "Deconvolution", "DeconvolutionDepthWise", "Deconvolution1D",
             "DeconvolutionDepthWise1D", "Deconvolution3D", "DeconvolutionDepthWise3D", "DeformableConv2D"],
    "pool": ["Pooling", "Pooling1D", "Pooling3D", "SPP", "StatisticsPooling"],
    "activation": ["ReLU", "Clip", "Sigmoid", "TanH", "Swish", "Mish", "HardSigmoid", "HardSwish", "GELU", "ELU",
                   "SELU", "CELU", "PReLU", "Softplus", "AbsVal", "BNLL", "Exp", "Log", "Power", "Threshold",
                   "Erf", "Shrink", "Softmax", "GLU"],
    "norm": ["BatchNorm", "Scale", "Bias", "InstanceNorm", "GroupNorm", "LayerNorm", "Normalize", "LRN", "MVN",
             "RMSNorm"],
    "elementwise": ["BinaryOp", "UnaryOp", "Eltwise", "Dropout", "Reduction", "ArgMax", "CumulativeSum"],
    "shape": ["Split", "Noop", "Concat", "Slice", "Crop", "Padding", "Reshape", "Flatten", "Permute", "Squeeze",
              "ExpandDims", "Tile", "ShuffleChannel", "Flip", "Cast", "Packing", "CopyTo", "DeepCopy"],
    "dense": ["InnerProduct", "Gemm", "MatMul", "Embed", "Einsum"],
    "attention": ["MultiHeadAttention", "SDPA", "RotaryEmbed", "LSTM", "GRU", "RNN"],
    "resample": ["Interp", "PixelShuffle", "Reorg", "GridSample", "Fold", "Unfold"],
    "quant": ["Quantize", "Dequantize", "Requantize"],
    "detection": ["PriorBox", "DetectionOutput", "Yolov3DetectionOutput", "YoloDetectionOutput", "Proposal",
                  "ROIPooling", "ROIAlign", "PSROIPooling"],
}
_CATEGORY = {t: cat for cat, types in _BY_TYPE.items() for t in types}


def category(layer_type: str, supported: bool = True) -> str:
    if not supported:
        return "unknown"
    return _CATEGORY.get(layer_type, "other")


def colour(layer_type: str, supported: bool = True) -> str:
    return CATEGORY_COLOURS[category(layer_type, supported)]
