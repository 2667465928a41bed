"""Float32 special functions for the activation layers: erf (numpy has none) and ncnn's GELU.

`erf` is our own two-piece approximation, fitted offline against mpmath in float64 and evaluated in
float32 (max error ~1.2 ulp, ~7e-8 absolute, over the whole float32 range):

* |x| < 1:      erf(x) = x + x * A(x^2)          (A = erf(x)/x - 1 fitted as a degree-6 polynomial in x^2;
                                                 adding x last keeps the rounding at ~half an ulp)
* 1 <= |x| < 4: erf(x) = 1 - exp(-x^2) * B(|x| - 2.5)  (B = erfc(x)*exp(x^2), degree 11, centred so the
                                                 float32 Horner sum stays well conditioned)
* |x| >= 4:     erf(x) = ±1 exactly in float32 (1 - erf(4) = 1.5e-8 is below half an ulp of 1).
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

_F = np.float32
_ONE = _F(1)
_HALF = _F(0.5)
_SPLIT = _F(1)
_SATURATE = _F(4)
_B_CENTRE = _F(2.5)

# erf(x)/x - 1 as a polynomial in t = x^2, t in [0, 1] (relative error of the fit 1.2e-9).
_ERF_SMALL = tuple(_F(c) for c in (
    0.12837916709551257, -0.3761262595653534, 0.1128358244895935, -0.026853691786527634,
    0.005188099108636379, -0.0008008189615793526, 7.847259257687256e-05))
# erfc(a)*exp(a^2) as a polynomial in s = a - 2.5, a in [1, 4] (relative error of the fit 3.3e-8).
_ERFC_SCALED = tuple(_F(c) for c in (
    0.21080635488033295, -0.0743473619222641, 0.024938173592090607, -0.008001474663615227,
    0.0024660928174853325, -0.0007337129791267216, 0.00021283204841893166, -5.8942707255482674e-05,
    1.4425777408177964e-05, -4.009343228972284e-06, 1.6588418247920345e-06, -3.835798736417928e-07))


def _horner(coeffs: Sequence[np.float32], t: np.ndarray) -> np.ndarray:
    """sum(coeffs[k] * t**k) in float32, into a fresh array."""
    r = t * coeffs[-1]
    r += coeffs[-2]
    for c in coeffs[-3::-1]:
        r *= t
        r += c
    return r


def _erf_small(x: np.ndarray) -> np.ndarray:
    r = _horner(_ERF_SMALL, x * x)
    r *= x
    r += x
    return r


def _erf_large(x: np.ndarray) -> np.ndarray:
    """erf for |x| >= 1 (values beyond 4 saturate to ±1)."""
    a = np.abs(x)
    np.minimum(a, _SATURATE, out=a)
    e = a * a
    np.negative(e, out=e)
    np.exp(e, out=e)
    a -= _B_CENTRE
    e *= _horner(_ERFC_SCALED, a)
    np.subtract(_ONE, e, out=e)
    return np.copysign(e, x, out=e)


_CHUNK = 32768  # elements per pass: 128 KiB float32 blocks stay in cache across the ~40 passes below


def chunked(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """fn (element-wise, float32 in -> fresh float32 out) over `x` in cache-sized blocks: about twice as
    fast as whole-blob passes for a multi-pass formula on a large blob."""
    x = np.asarray(x, dtype=np.float32)
    if x.size <= 2 * _CHUNK:
        return fn(x)
    flat = x.reshape(-1)
    out = np.empty_like(flat)
    for i in range(0, flat.size, _CHUNK):
        out[i:i + _CHUNK] = fn(flat[i:i + _CHUNK])
    return out.reshape(x.shape)


def _erf_block(x: np.ndarray) -> np.ndarray:
    small = np.abs(x) < _SPLIT
    if small.all():
        return _erf_small(x)
    if not small.any():
        return _erf_large(x)
    # Both pieces everywhere, blended by a 0/1 mask: m*s + (1-m)*l is exact (the unused piece is
    # finite, times 0) and far faster than np.where/copyto with a scattered mask.
    m = small.astype(np.float32)
    s = _erf_small(np.clip(x, -_SPLIT, _SPLIT))  # clipped so the unused values stay finite
    s *= m
    np.subtract(_ONE, m, out=m)
    large = _erf_large(x)
    large *= m
    s += large
    return s


def erf(x: np.ndarray) -> np.ndarray:
    """Float32 erf of `x` (any shape) into a new array; NaN stays NaN, ±inf gives ±1."""
    return chunked(_erf_block, x)


_SQRT1_2 = _F(0.70710678)
_GELU_C1 = _F(0.79788452)
_GELU_C2 = _F(0.044715)


def gelu(x: np.ndarray, fast: bool) -> np.ndarray:
    """ncnn's GELU into a new array. Exact: 0.5*x*(1 + erf(x*0.70710678)) (ncnn's scalar code writes
    erfcf(-0.70710678x), its SIMD code this form); fast: 0.5*x*(1 + tanh(0.79788452*(x + 0.044715*x^3))),
    with ncnn's float32 constants."""
    return chunked(_gelu_fast_block if fast else _gelu_block, x)


def _gelu_fast_block(x: np.ndarray) -> np.ndarray:
    t = x * x
    t *= x
    t *= _GELU_C2
    t += x
    t *= _GELU_C1
    np.tanh(t, out=t)
    return _gelu_finish(t, x)


def _gelu_block(x: np.ndarray) -> np.ndarray:
    return _gelu_finish(_erf_block(x * _SQRT1_2), x)


def _gelu_finish(t: np.ndarray, x: np.ndarray) -> np.ndarray:
    """0.5 * x * (1 + t), in place in t."""
    t += _ONE
    t *= x
    t *= _HALF
    return t
