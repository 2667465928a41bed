"""2-D (grouped) convolution and transposed convolution on (c, h, w) float32 arrays.

Weights are prepared once (`prepare_conv`, `prepare_deconv`) in the layout of the method that
`pick_method` chooses for the layer's shape; `conv2d` then runs one of:

* pointwise (1x1): the input *is* the GEMM operand, one matmul (out, in) @ (in, h*w), no copy;
* im2col: one strided copy into an (in*kh*kw, oh*ow) matrix, then one (batched) matmul;
* rows (stride_h 1): im2col over the kx shifts only, (in*kw, hp*ow), one GEMM with the kh kernel
  rows stacked, (kh*out, in*kw), then kh row-shifted slab additions;
* taps (stride 1): no copy: one GEMM (kh*kw*out, in) @ (in, hp*wp) over the padded input, then
  kh*kw shifted additions;
* depthwise (one input channel per group): kh*kw broadcast multiply-adds over all channels at
  once, in channel chunks that stay in cache. Each tap reads one contiguous run per channel (rows
  computed at the plane's pitch, surplus columns dropped at the end); strides > 1 first split the
  input into its stride phases, where every tap is a stride-1 shift.

The GEMM sits near the machine's peak, so the methods differ in the scratch memory they move per
output pixel: im2col in*kh*kw, rows in*kw + kh*out, taps kh*kw*out (`pick_method`). Measured on
2 cores, medians of 15: 64->64 3x3 on 64x64, im2col 2.24 ms, rows 1.75 ms, taps 2.37 ms;
16->64 on 56x56, im2col 0.56 ms, rows 0.58 ms; 64->16 on 56x56, im2col 1.5 ms, taps 0.83 ms.
(Winograd F(2,3)/F(4,3) written with numpy transforms measured slower than these.) Scratch
beyond `scratch_bytes` is avoided by running the GEMM methods over bands of output rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

SAME_UPPER, SAME_LOWER = -233, -234
SCRATCH_BYTES = 16 << 20  # measured: 16 MB bands beat one huge im2col on 256x256 maps
_DW_CHUNK = 65536  # elements per depthwise working array: keeps acc + tmp in L2
_DW_SMALL = 100_000  # outputs below which one einsum beats two numpy calls per tap (measured)
_DW_EINSUM_VALUES = 4 << 20  # tap values one stride-1 depthwise einsum may gather (16 MB of float32)


def same_pad_total(size: int, kernel_extent: int, stride: int) -> int:
    """Total padding of tensorflow/onnx SAME along one axis (ncnn's formula; may be <= 0)."""
    return kernel_extent + (size - 1) // stride * stride - size


def resolve_pads(h: int, w: int, pads: tuple[int, int, int, int], kernel_extent: tuple[int, int],
                 stride: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) actually applied, from the params (top, bottom, left, right).

    Any pad > 0: explicit. All four -233 / -234: SAME_UPPER / SAME_LOWER (extra pixel at the end /
    start). Anything else (zeros, partial sentinels): no padding, as ncnn does.
    """
    if any(p > 0 for p in pads):
        return tuple(max(p, 0) for p in pads)  # type: ignore[return-value]
    if all(p == SAME_UPPER for p in pads) or all(p == SAME_LOWER for p in pads):
        hp = max(same_pad_total(h, kernel_extent[0], stride[0]), 0)
        wp = max(same_pad_total(w, kernel_extent[1], stride[1]), 0)
        if pads[0] == SAME_UPPER:
            return hp // 2, hp - hp // 2, wp // 2, wp - wp // 2
        return hp - hp // 2, hp // 2, wp - wp // 2, wp // 2
    return 0, 0, 0, 0


def pad_hw(x: np.ndarray, top: int, bottom: int, left: int, right: int, value: float) -> np.ndarray:
    """x (c, h, w) bordered with `value`; one allocation, C-contiguous (x itself when already so)."""
    if not (top or bottom or left or right):
        return np.ascontiguousarray(x, dtype=np.float32)
    c, h, w = x.shape
    out = np.empty((c, h + top + bottom, w + left + right), np.float32)
    v = np.float32(value)
    out[:, :top] = v
    out[:, top + h:] = v
    out[:, top:top + h, :left] = v
    out[:, top:top + h, left + w:] = v
    out[:, top:top + h, left:left + w] = x
    return out


@dataclass(frozen=True, eq=False)
class ConvWeights:
    """Weights of a grouped 2-D convolution, in the layout of the method `conv2d` will use."""

    num_output: int
    num_input: int
    group: int
    kernel_h: int
    kernel_w: int
    method: str  # "pointwise", "im2col", "rows", "taps" or "depthwise"
    mat: np.ndarray  # the method's weight matrix (see prepare_conv)
    bias: np.ndarray | None  # (out, 1, 1)


def pick_method(num_output: int, num_input: int, group: int, kh: int, kw: int, stride: tuple[int, int]) -> str:
    """The GEMM formulation moving the least scratch memory per output pixel (large-map estimate):
    im2col copies in*kh*kw values; "rows" copies in*kw (the kx shifts only) and writes kh*out
    partial sums; "taps" copies nothing and writes kh*kw*out partial sums (stride 1 only)."""
    if num_input == group and group > 1:
        return "depthwise"
    if kh == kw == 1:
        return "pointwise"
    costs = {"im2col": num_input // group * kh * kw}
    if group == 1 and stride[0] == 1:
        costs["rows"] = num_input * kw + kh * num_output
    if group == 1 and stride == (1, 1):
        costs["taps"] = kh * kw * num_output
    return min(costs, key=lambda k: (costs[k], k != "im2col"))


def prepare_conv(weight: np.ndarray, bias: np.ndarray | None, group: int,
                 stride: tuple[int, int] = (1, 1), method: str | None = None) -> ConvWeights:
    """weight: (out, in/group, kh, kw) as ncnn/PyTorch store it; bias: (out,) or None.

    `method` forces a formulation (tests); by default `pick_method` chooses for the stride.
    """
    weight = np.asarray(weight, np.float32)
    out_c, in_g, kh, kw = weight.shape
    method = method or pick_method(out_c, in_g * group, group, kh, kw, stride)
    if method == "depthwise":  # (kh*kw, group, out/group, 1)
        mat = weight.reshape(group, out_c // group, kh * kw).transpose(2, 0, 1)[..., None]
    elif method == "rows":  # (kh*out, in*kw): row ky of the kernel, columns (in, kx)
        mat = weight.transpose(2, 0, 1, 3).reshape(kh * out_c, in_g * kw)
    elif method == "taps":  # (kh*kw*out, in)
        mat = weight.transpose(2, 3, 0, 1).reshape(kh * kw * out_c, in_g)
    else:  # pointwise / im2col: (group, out/group, in/group*kh*kw)
        mat = weight.reshape(group, out_c // group, in_g * kh * kw)
    b = None if bias is None else np.asarray(bias, np.float32).reshape(out_c, 1, 1)
    return ConvWeights(out_c, in_g * group, group, kh, kw, method, np.ascontiguousarray(mat), b)


def conv_output_size(size: int, kernel_extent: int, stride: int) -> int:
    return (size - kernel_extent) // stride + 1


def conv2d(xp: np.ndarray, cw: ConvWeights, stride: tuple[int, int], dilation: tuple[int, int],
           scratch_bytes: int = SCRATCH_BYTES) -> np.ndarray:
    """Convolve an already padded (in, hp, wp) float32 array; returns (out, oh, ow) with bias added.

    The caller checks that in == cw.num_input and that oh, ow >= 1.
    """
    _, hp, wp = xp.shape
    kext_h = dilation[0] * (cw.kernel_h - 1) + 1
    oh = conv_output_size(hp, kext_h, stride[0])
    ow = conv_output_size(wp, dilation[1] * (cw.kernel_w - 1) + 1, stride[1])
    path, row_values = {
        "depthwise": (_depthwise, 0),
        "pointwise": (_pointwise, 0),
        "im2col": (_im2col, cw.num_input * cw.kernel_h * cw.kernel_w * ow),
        "rows": (_row_gemm, (cw.num_input * cw.kernel_w + cw.kernel_h * cw.num_output) * ow),
        "taps": (_tap_gemm, cw.mat.shape[0] * wp),
    }[cw.method]
    rows = oh if row_values == 0 else max(1, scratch_bytes // (4 * row_values * stride[0]))
    if rows >= oh:
        return path(xp, cw, stride, dilation, oh, ow)
    out = np.empty((cw.num_output, oh, ow), np.float32)
    for r0 in range(0, oh, rows):
        r1 = min(oh, r0 + rows)
        band = xp[:, r0 * stride[0]:(r1 - 1) * stride[0] + kext_h]
        out[:, r0:r1] = path(band, cw, stride, dilation, r1 - r0, ow)
    return out


def _add_bias(y: np.ndarray, cw: ConvWeights) -> np.ndarray:
    if cw.bias is not None:
        y += cw.bias
    return y


def _matmul(w: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """(g, m, k) @ (g, k, n); a plain 2-D GEMM when g == 1 (numpy's fastest BLAS route)."""
    if w.shape[0] == 1:
        return (w[0] @ cols[0])[None]
    return np.matmul(w, cols)


def _pointwise(xp: np.ndarray, cw: ConvWeights, stride: tuple[int, int], dilation: tuple[int, int],
               oh: int, ow: int) -> np.ndarray:
    if stride != (1, 1):
        xp = xp[:, :(oh - 1) * stride[0] + 1:stride[0], :(ow - 1) * stride[1] + 1:stride[1]]
    cols = xp.reshape(cw.group, cw.num_input // cw.group, oh * ow)  # a view unless strided
    return _add_bias(_matmul(cw.mat, cols).reshape(cw.num_output, oh, ow), cw)


def _im2col(xp: np.ndarray, cw: ConvWeights, stride: tuple[int, int], dilation: tuple[int, int],
            oh: int, ow: int) -> np.ndarray:
    g, kh, kw = cw.group, cw.kernel_h, cw.kernel_w
    in_g = cw.num_input // g
    sc, sy, sx = xp.strides
    windows = as_strided(xp, (g, in_g, kh, kw, oh, ow),
                         (in_g * sc, sc, dilation[0] * sy, dilation[1] * sx, stride[0] * sy, stride[1] * sx),
                         writeable=False)
    cols = np.ascontiguousarray(windows).reshape(g, in_g * kh * kw, oh * ow)
    return _add_bias(_matmul(cw.mat, cols).reshape(cw.num_output, oh, ow), cw)


def _row_gemm(xp: np.ndarray, cw: ConvWeights, stride: tuple[int, int], dilation: tuple[int, int],
              oh: int, ow: int) -> np.ndarray:
    """im2col over the kx shifts only, for every padded row; the kh row shifts become kh slab
    additions of the GEMM result (kh*out, hp*ow)."""
    c, hp, _ = xp.shape
    kh, kw = cw.kernel_h, cw.kernel_w
    sc, sy, sx = xp.strides
    windows = as_strided(xp, (c, kw, hp, ow), (sc, dilation[1] * sx, sy, stride[1] * sx), writeable=False)
    cols = np.ascontiguousarray(windows).reshape(c * kw, hp * ow)
    y = (cw.mat @ cols).reshape(kh, cw.num_output, hp, ow)
    acc = np.add(y[0, :, :oh], cw.bias) if cw.bias is not None else y[0, :, :oh].copy()
    for ky in range(1, kh):
        acc += y[ky, :, ky * dilation[0]:ky * dilation[0] + oh]
    return acc


def _tap_gemm(xp: np.ndarray, cw: ConvWeights, stride: tuple[int, int], dilation: tuple[int, int],
              oh: int, ow: int) -> np.ndarray:
    """No copy of the input at all: one GEMM (kh*kw*out, in) @ (in, hp*wp), then kh*kw shifted adds."""
    c, hp, wp = xp.shape
    kh, kw, out_c = cw.kernel_h, cw.kernel_w, cw.num_output
    y = (cw.mat @ xp.reshape(c, hp * wp)).reshape(kh, kw, out_c, hp, wp)

    def tap(ky: int, kx: int) -> np.ndarray:
        y0, x0 = ky * dilation[0], kx * dilation[1]
        return y[ky, kx, :, y0:y0 + oh, x0:x0 + ow]

    acc = np.add(tap(0, 0), cw.bias) if cw.bias is not None else tap(0, 0).copy()
    for t in range(1, kh * kw):
        acc += tap(*divmod(t, kw))
    return acc


def _phases(xp: np.ndarray, stride: tuple[int, int]) -> np.ndarray:
    """(sh*sw, c, hq, wq): the stride phases xp[:, a::sh, b::sw], zero-filled to one common size,
    so that a strided tap becomes a stride-1 shift inside one phase."""
    sh, sw = stride
    if (sh, sw) == (1, 1):
        return xp[None]
    c, hp, wp = xp.shape
    planes = np.empty((sh * sw, c, -(-hp // sh), -(-wp // sw)), np.float32)
    for a in range(sh):
        for b in range(sw):
            src, dst = xp[:, a::sh, b::sw], planes[a * sw + b]
            dst[:, :src.shape[1], :src.shape[2]] = src
            dst[:, src.shape[1]:] = 0  # tails only feed discarded outputs; zero keeps them finite
            dst[:, :, src.shape[2]:] = 0
    return planes


def _depthwise(xp: np.ndarray, cw: ConvWeights, stride: tuple[int, int], dilation: tuple[int, int],
               oh: int, ow: int) -> np.ndarray:
    """One input channel per group: out[g, m] = sum over taps of w[t, g, m] * shifted x[g].

    Every tap reads one contiguous run of `span` values per channel of a flat (phase) plane:
    output rows are computed at the plane's pitch and the surplus columns dropped at the end.
    """
    g = xp.shape[0]
    mult, kh, kw, w = cw.num_output // g, cw.kernel_h, cw.kernel_w, cw.mat
    if stride == (1, 1) and cw.num_output * ((oh - 1) * xp.shape[2] + ow) <= _DW_SMALL:
        return _depthwise_s1(xp, cw, dilation, oh, ow)
    planes = _phases(xp, stride)
    hq, wq = planes.shape[2:]
    src = planes.reshape(planes.shape[0], g, 1, hq * wq)
    span = (oh - 1) * wq + ow
    where = []  # (phase, offset) of each tap
    for ky in range(kh):
        for kx in range(kw):
            ry, rx = ky * dilation[0], kx * dilation[1]
            where.append(((ry % stride[0]) * stride[1] + rx % stride[1],
                          (ry // stride[0]) * wq + rx // stride[1]))
    acc = np.empty((g, mult, span), np.float32)
    step = max(1, _DW_CHUNK // (mult * span))
    tmp = np.empty((min(step, g), mult, span), np.float32)
    for c0 in range(0, g, step):
        c1 = min(g, c0 + step)
        a, t_ = acc[c0:c1], tmp[:c1 - c0]
        for t, (phase, off) in enumerate(where):
            np.multiply(src[phase, c0:c1, :, off:off + span], w[t, c0:c1], out=t_ if t else a)
            if t:
                a += t_
    out = as_strided(acc, (g * mult, oh, ow), (acc.strides[1], wq * 4, 4), writeable=False)
    return np.add(out, cw.bias) if cw.bias is not None else np.ascontiguousarray(out)


def _depthwise_s1(xp: np.ndarray, cw: ConvWeights, dilation: tuple[int, int], oh: int, ow: int) -> np.ndarray:
    """Stride 1: all kh*kw taps of a channel are one strided view (g, span, kh, kw) of its flat plane, and
    one einsum contracts them (numpy turns it into a batched GEMM): a few calls instead of two per tap,
    which is what small feature maps (OCR heads, mobile nets) spend their time on."""
    g, hp, wp = xp.shape
    mult, kh, kw = cw.num_output // g, cw.kernel_h, cw.kernel_w
    flat = np.ascontiguousarray(xp).reshape(g, hp * wp)
    span = (oh - 1) * wp + ow
    dy, dx = dilation
    weights = cw.mat[..., 0].reshape(kh, kw, g, mult).transpose(2, 3, 0, 1)  # (g, mult, kh, kw)
    acc = np.empty((g, mult, span), np.float32)
    step = max(1, _DW_EINSUM_VALUES // max(1, span * kh * kw))  # channels per einsum: bounded scratch
    for c0 in range(0, g, step):
        c1 = min(g, c0 + step)
        part = flat[c0:c1]
        taps = as_strided(part, (c1 - c0, span, kh, kw), (part.strides[0], 4, dy * wp * 4, dx * 4),
                          writeable=False)
        acc[c0:c1] = np.einsum("gskl,gmkl->gms", taps, weights[c0:c1], optimize=True)
    out = as_strided(acc, (g * mult, oh, ow), (acc.strides[1], wp * 4, 4), writeable=False)
    return np.add(out, cw.bias) if cw.bias is not None else np.ascontiguousarray(out)


# -- transposed convolution ------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class DeconvWeights:
    num_output: int
    num_input: int
    group: int
    kernel_h: int
    kernel_w: int
    cols: np.ndarray  # (group, kh * kw * out/group, in/group)
    bias: np.ndarray | None  # (out, 1, 1)


def prepare_deconv(weight: np.ndarray, bias: np.ndarray | None, group: int) -> DeconvWeights:
    """weight: (out, in/group, kh, kw) in ncnn's order ([group][out/g][in/g][kh][kw]); bias (out,)."""
    weight = np.asarray(weight, np.float32)
    out_c, in_g, kh, kw = weight.shape
    w = weight.reshape(group, out_c // group, in_g, kh, kw).transpose(0, 3, 4, 1, 2)
    cols = np.ascontiguousarray(w.reshape(group, kh * kw * (out_c // group), in_g))
    b = None if bias is None else np.asarray(bias, np.float32).reshape(out_c, 1, 1)
    return DeconvWeights(out_c, in_g * group, group, kh, kw, cols, b)


def deconv2d(x: np.ndarray, dw: DeconvWeights, stride: tuple[int, int], dilation: tuple[int, int],
             output_pad: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Full transposed-convolution map (out, hf, wf) of x (in, h, w), bias added, nothing cropped.

    One GEMM gives every (tap, output channel) contribution of every input pixel (for one input
    channel per group, a broadcast product per tap instead). The output is accumulated per stride
    phase (rows a::sh, columns b::sw), where each tap lands at a stride-1 offset; with x's rows
    zero-extended to the phase pitch, a tap is then one contiguous slab addition per channel.
    Finally the phases are interleaved into the output.
    """
    _, h, w = x.shape
    (sh, sw), (dh, dw_) = stride, dilation
    g, kh, kw = dw.group, dw.kernel_h, dw.kernel_w
    out_g, in_g = dw.num_output // g, dw.num_input // g
    hf = (h - 1) * sh + dh * (kh - 1) + 1 + output_pad[0]
    wf = (w - 1) * sw + dw_ * (kw - 1) + 1 + output_pad[1]
    hq, wq = -(-hf // sh), -(-wf // sw)  # phase plane size; wq >= w + every tap's column offset
    xq = np.zeros((g, in_g, h, wq), np.float32)
    xq[..., :w] = x.reshape(g, in_g, h, w)
    xq = xq.reshape(g, in_g, h * wq)
    # One spare row per plane takes the zero tail that a slab with a column offset pushes past the end.
    planes = np.empty((sh * sw, g, out_g, (hq + 1) * wq), np.float32)
    planes[...] = 0 if dw.bias is None else dw.bias.reshape(1, g, out_g, 1)
    if in_g == 1:  # an outer product per tap, no GEMM needed
        wt = dw.cols.reshape(g, kh * kw, out_g)[..., None]
        tmp = np.empty((g, out_g, h * wq), np.float32)
    else:
        y = _matmul(dw.cols, xq).reshape(g, kh * kw, out_g, h * wq)
    for t in range(kh * kw):
        ry, rx = (t // kw) * dh, (t % kw) * dw_
        off = (ry // sh) * wq + rx // sw
        dst = planes[(ry % sh) * sw + rx % sw, :, :, off:off + h * wq]
        if in_g == 1:
            np.multiply(xq, wt[:, t], out=tmp)
            dst += tmp
        else:
            dst += y[:, t]
    planes = planes.reshape(sh, sw, g * out_g, hq + 1, wq)
    if (sh, sw) == (1, 1):
        return planes[0, 0, :, :hf, :wf]
    out = np.empty((g * out_g, hf, wf), np.float32)
    for a in range(sh):
        for b in range(sw):
            dst = out[:, a::sh, b::sw]
            dst[...] = planes[a, b, :, :dst.shape[1], :dst.shape[2]]
    return out
