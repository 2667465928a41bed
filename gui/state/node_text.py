"""The short text a graph node shows under its type: the params a reader looks for first."""
from __future__ import annotations

from engine.layer import Layer

_BINARY_OPS = ["add", "sub", "mul", "div", "max", "min", "pow", "rsub", "rdiv", "rpow", "atan2", "ratan2",
               "fmod", "rfmod", "logaddexp", "floordiv", "rfloordiv", "remainder", "rremainder"]
_UNARY_OPS = ["abs", "neg", "floor", "ceil", "square", "sqrt", "rsqrt", "exp", "log", "sin", "cos", "tan", "asin",
              "acos", "atan", "reciprocal", "tanh", "log10", "round", "trunc", "sign", "expm1", "sinh", "asinh",
              "cosh", "acosh", "atanh", "log1p"]
_ACTIVATIONS = {1: "relu", 2: "leaky", 3: "clip", 4: "sigmoid", 5: "mish", 6: "hswish"}


def _g(layer: Layer, name: str, default: object = None) -> object:
    return getattr(layer, name, default)


def _pair(a: object, b: object, sep: str = "×") -> str:
    return f"{a}" if a == b else f"{a}{sep}{b}"


def key_params(layer: Layer) -> str:
    t = layer.spec.type
    parts: list[str] = []
    if t.startswith(("Convolution", "Deconvolution")):
        kw, kh = _g(layer, "kernel_w", 0), _g(layer, "kernel_h", _g(layer, "kernel_w", 0))
        parts.append(f"{kh}×{kw}")
        sw, sh = _g(layer, "stride_w", 1), _g(layer, "stride_h", _g(layer, "stride_w", 1))
        if (sw, sh) != (1, 1):
            parts.append(f"s{_pair(sh, sw)}")
        dw = _g(layer, "dilation_w", 1)
        if dw not in (1, None):
            parts.append(f"d{dw}")
        parts.append(f"→{_g(layer, 'num_output', '?')}")
        group = _g(layer, "group", 1)
        if group and group != 1:
            parts.append(f"g{group}")
        act = _ACTIVATIONS.get(int(_g(layer, "activation_type", 0) or 0))
        if act:
            parts.append(f"+{act}")
    elif t in ("Pooling", "Pooling1D"):
        if _g(layer, "global_pooling", 0):
            parts.append("global")
        else:
            kw = _g(layer, "kernel_w", 0)
            parts.append(f"{_g(layer, 'kernel_h', kw)}×{kw} s{_g(layer, 'stride_w', 1)}")
        parts.insert(0, "avg" if _g(layer, "pooling_type", 0) == 1 else "max")
    elif t in ("InnerProduct", "Embed"):
        parts.append(f"→{_g(layer, 'num_output', '?')}")
    elif t == "BinaryOp":
        op = int(_g(layer, "op_type", 0) or 0)
        parts.append(_BINARY_OPS[op] if 0 <= op < len(_BINARY_OPS) else f"op{op}")
        if _g(layer, "with_scalar", 0):
            parts.append(f"{_g(layer, 'b', 0):g}")
    elif t == "UnaryOp":
        op = int(_g(layer, "op_type", 0) or 0)
        parts.append(_UNARY_OPS[op] if 0 <= op < len(_UNARY_OPS) else f"op{op}")
    elif t == "Eltwise":
        parts.append(["prod", "sum", "max"][int(_g(layer, "op_type", 1) or 0) % 3])
    elif t == "Interp":
        parts.append({1: "nearest", 2: "bilinear", 3: "bicubic"}.get(int(_g(layer, "resize_type", 0) or 0), "?"))
        ow, oh = _g(layer, "output_width", 0), _g(layer, "output_height", 0)
        parts.append(f"{oh}×{ow}" if ow and oh else f"×{_g(layer, 'width_scale', 1.0):g}")
    elif t in ("Concat", "Slice", "Softmax"):
        parts.append(f"axis {_g(layer, 'axis', 0)}")
    elif t == "PixelShuffle":
        parts.append(f"×{_g(layer, 'upscale_factor', 1)}")
    elif t == "MultiHeadAttention":
        parts.append(f"{_g(layer, 'num_heads', 1)} heads, {_g(layer, 'embed_dim', '?')}")
    elif t in ("LSTM", "GRU", "RNN"):
        parts.append(f"→{_g(layer, 'num_output', '?')}")
    elif t == "Permute":
        parts.append(f"order {_g(layer, 'order_type', 0)}")
    elif t == "Reshape":
        dims = [_g(layer, n, -233) for n in ("c", "d", "h", "w")]
        parts.append("(" + ",".join(str(d) for d in dims if d != -233) + ")")
    return " ".join(p for p in parts if p)
