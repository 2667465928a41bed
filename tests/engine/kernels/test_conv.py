"""The convolution kernels against a direct float64 convolution, method by method (no ncnn needed)."""
import numpy as np
import pytest

from engine.kernels.conv import (
    conv2d,
    deconv2d,
    pad_hw,
    pick_method,
    prepare_conv,
    prepare_deconv,
    resolve_pads,
)
from tests.engine.layers.conv_support import naive_conv

CASES = [  # cin, cout, group, kh, kw, stride
    (6, 4, 1, 3, 3, (1, 1)),
    (4, 6, 1, 3, 2, (1, 1)),
    (6, 4, 1, 2, 3, (1, 2)),
    (6, 4, 1, 3, 3, (2, 1)),
    (6, 9, 3, 3, 3, (1, 2)),
    (6, 4, 1, 1, 1, (1, 1)),
    (6, 4, 2, 1, 1, (2, 3)),
    (5, 5, 5, 3, 3, (1, 1)),
    (5, 10, 5, 2, 3, (2, 1)),
]


def methods(cin, cout, group, kh, kw, stride):
    if cin == group and group > 1:
        return ["depthwise"]
    out = ["im2col"] + (["pointwise"] if kh == kw == 1 else [])
    if group == 1 and stride[0] == 1:
        out.append("rows")
    if group == 1 and stride == (1, 1):
        out.append("taps")
    return out


@pytest.mark.parametrize("cin,cout,group,kh,kw,stride,method",
                         [(*c, m) for c in CASES for m in methods(*c)])
@pytest.mark.parametrize("dilation", [(1, 1), (2, 1)])
@pytest.mark.parametrize("scratch", [None, 1])  # 1 byte: one output row per band
@pytest.mark.parametrize("bias", [True, False])
def test_methods_against_direct(cin, cout, group, kh, kw, stride, method, dilation, scratch, bias):
    rng = np.random.default_rng(cin * cout + kh)
    x = rng.standard_normal((cin, 9, 11)).astype(np.float32)
    w = rng.standard_normal((cout, cin // group, kh, kw)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32) if bias else None
    cw = prepare_conv(w, b, group, stride, method)
    y = conv2d(x, cw, stride, dilation, **({} if scratch is None else {"scratch_bytes": scratch}))
    assert y.dtype == np.float32 and y.flags.c_contiguous
    np.testing.assert_allclose(y, naive_conv(x, w, b, stride, dilation, group), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape,stride,expected", [
    ((64, 64, 1, 3, 3), (1, 1), "rows"),  # realesr body
    ((64, 48, 1, 3, 3), (1, 1), "rows"),
    ((64, 16, 1, 3, 3), (1, 1), "taps"),  # few outputs
    ((16, 64, 1, 3, 3), (1, 1), "im2col"),  # SqueezeNet expand3x3
    ((3, 64, 1, 3, 3), (2, 2), "im2col"),  # SqueezeNet conv1
    ((64, 64, 1, 3, 3), (2, 2), "im2col"),
    ((64, 16, 1, 1, 1), (1, 1), "pointwise"),
    ((8, 8, 8, 3, 3), (2, 2), "depthwise"),
    ((8, 8, 2, 3, 3), (1, 1), "im2col"),
])
def test_pick_method(shape, stride, expected):
    cin, cout, group, kh, kw = shape
    assert pick_method(cout, cin, group, kh, kw, stride) == expected


def test_resolve_pads():
    # SAME on 7 wide, k3 s2: total 2 -> (1, 1); 6 wide: total 1 -> extra at the end (upper) / start (lower).
    assert resolve_pads(7, 6, (-233,) * 4, (3, 3), (2, 2)) == (1, 1, 0, 1)
    assert resolve_pads(7, 6, (-234,) * 4, (3, 3), (2, 2)) == (1, 1, 1, 0)
    assert resolve_pads(5, 5, (1, 2, 3, 4), (3, 3), (1, 1)) == (1, 2, 3, 4)
    assert resolve_pads(5, 5, (0, 0, -233, -233), (3, 3), (1, 1)) == (0, 0, 0, 0)
    assert resolve_pads(8, 8, (-233,) * 4, (1, 1), (2, 2)) == (0, 0, 0, 0)  # negative total: no padding


def test_pad_hw():
    x = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    y = pad_hw(x, 1, 0, 0, 2, -1.0)
    np.testing.assert_array_equal(y, np.pad(x, ((0, 0), (1, 0), (0, 2)), constant_values=-1))
    assert pad_hw(x, 0, 0, 0, 0, 5.0) is x


@pytest.mark.parametrize("cin,cout,group", [(3, 4, 1), (4, 4, 4), (4, 8, 4), (4, 6, 2)])
def test_deconv_is_the_adjoint_of_conv(cin, cout, group):
    # <deconv(x), y> == <x, conv(y)> with the same weights read as (out, in) of the deconvolution.
    rng = np.random.default_rng(group)
    x = rng.standard_normal((cin, 5, 6)).astype(np.float32)
    w = rng.standard_normal((cout, cin // group, 3, 2)).astype(np.float32)
    full = deconv2d(x, prepare_deconv(w, None, group), (2, 3), (1, 2))
    y = rng.standard_normal(full.shape).astype(np.float32)
    # The adjoint convolution maps cout -> cin channels: weight (cin, cout/group, kh, kw) per group.
    wt = w.reshape(group, cout // group, cin // group, 3, 2).transpose(0, 2, 1, 3, 4).reshape(cin, cout // group, 3, 2)
    back = naive_conv(y, wt, None, (2, 3), (1, 2), group)
    assert np.isclose(np.vdot(full.astype(np.float64), y), np.vdot(x.astype(np.float64), back), rtol=1e-4)


@pytest.mark.parametrize("small", [0, 10**9])  # force the per-tap loop, then the one-einsum path
@pytest.mark.parametrize("mult,dilation", [(1, (1, 1)), (2, (2, 1)), (1, (1, 3))])
@pytest.mark.parametrize("chunk", [None, 1])  # 1: one channel per einsum
def test_depthwise_stride1_paths_against_direct(monkeypatch, small, mult, dilation, chunk):
    import engine.kernels.conv as conv
    monkeypatch.setattr(conv, "_DW_SMALL", small)
    if chunk is not None:
        monkeypatch.setattr(conv, "_DW_EINSUM_VALUES", chunk)
    rng = np.random.default_rng(7)
    g = 5
    x = rng.standard_normal((g, 9, 13)).astype(np.float32)
    w = rng.standard_normal((g * mult, 1, 3, 5)).astype(np.float32)
    b = rng.standard_normal(g * mult).astype(np.float32)
    cw = prepare_conv(w, b, g, (1, 1), "depthwise")
    y = conv2d(x, cw, (1, 1), dilation)
    assert y.flags.c_contiguous
    np.testing.assert_allclose(y, naive_conv(x, w, b, (1, 1), dilation, g), rtol=1e-4, atol=1e-4)
