"""Arithmetic shared by BinaryOp and UnaryOp: ncnn's op tables and its broadcasting rule.

Every function takes float32 arrays (or np.float32 scalars) and returns a fresh float32 array;
inputs are never written. Callers wrap calls in np.errstate: IEEE inf/NaN results are expected.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

Array = np.ndarray
_F32 = np.float32


# -- binary ---------------------------------------------------------------------------------------
def _fmod(a: Array, b: Array) -> Array:
    # ncnn's SIMD form x - trunc(x/y)*y (its scalar tail uses fmodf; they agree off the
    # rare points where x/y rounds onto an integer).
    q = np.divide(a, b)
    np.trunc(q, out=q)
    q *= b
    return np.subtract(a, q, out=q)


def _remainder(a: Array, b: Array) -> Array:
    # IEEE remainder: x - nearest_even(x/y)*y, like C remainderf (not Python's %).
    q = np.divide(a, b)
    np.rint(q, out=q)
    q *= b
    return np.subtract(a, q, out=q)


def _floor_divide(a: Array, b: Array) -> Array:
    # floor(x/y) in float32; np.floor_divide uses a different (fmod based) formula.
    q = np.divide(a, b)
    return np.floor(q, out=q)


def _logaddexp(a: Array, b: Array) -> Array:
    # max + log1p(exp(min - max)), ncnn's form (differs from np.logaddexp only at +-inf pairs).
    hi = np.maximum(a, b)
    t = np.minimum(a, b)
    t -= hi
    np.exp(t, out=t)
    np.log1p(t, out=t)
    t += hi
    return t


def _swap(f: Callable[[Array, Array], Array]) -> Callable[[Array, Array], Array]:
    return lambda a, b: f(b, a)


# Index = ncnn's BinaryOp op_type.
BINARY_OPS: tuple[Callable[[Array, Array], Array], ...] = (
    np.add,                    # 0 ADD
    np.subtract,               # 1 SUB
    np.multiply,               # 2 MUL
    np.divide,                 # 3 DIV
    np.maximum,                # 4 MAX
    np.minimum,                # 5 MIN
    np.power,                  # 6 POW
    _swap(np.subtract),        # 7 RSUB  b - a
    _swap(np.divide),          # 8 RDIV  b / a
    _swap(np.power),           # 9 RPOW  b ^ a
    np.arctan2,                # 10 ATAN2  atan2(a, b)
    _swap(np.arctan2),         # 11 RATAN2
    _fmod,                     # 12 FMOD
    _swap(_fmod),              # 13 RFMOD
    _logaddexp,                # 14 LOGADDEXP
    _floor_divide,             # 15 FLOOR_DIVIDE
    _swap(_floor_divide),      # 16 RFLOOR_DIVIDE
    _remainder,                # 17 REMAINDER
    _swap(_remainder),         # 18 RREMAINDER
)


def ncnn_broadcast_shape(shape: tuple[int, ...], other: tuple[int, ...], outdims: int) -> tuple[int, ...]:
    """The numpy shape ncnn gives a lower-rank operand before broadcasting it against `other`.

    ncnn aligns on the *leading* axis: a 1-D operand whose length equals the other's outermost
    size becomes per-channel (per-row for 2-D), otherwise it runs along w; a 2-D/3-D operand
    gets trailing unit axes, e.g. (h, w) against 4-D becomes (c=h, d=w, 1, 1).
    """
    n = len(shape)
    if n >= outdims:
        return shape
    if n == 1:
        if shape[0] == other[0]:
            return shape + (1,) * (outdims - 1)
        return (1,) * (outdims - 1) + shape
    return shape + (1,) * (outdims - n)


def broadcast_compatible(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return len(a) == len(b) and all(x == y or x == 1 or y == 1 for x, y in zip(a, b))


# -- unary ----------------------------------------------------------------------------------------
def _rsqrt(x: Array) -> Array:
    t = np.sqrt(x)
    return np.divide(_F32(1), t, out=t)


def _sign(x: Array) -> Array:
    # x > 0 ? 1 : x < 0 ? -1 : 0, so NaN gives 0 as in ncnn (np.sign would give NaN).
    t = np.greater(x, _F32(0)).astype(np.float32)
    t -= np.less(x, _F32(0))
    return t


# Index = ncnn's UnaryOp op_type.
UNARY_OPS: tuple[Callable[[Array], Array], ...] = (
    np.abs,         # 0 ABS
    np.negative,    # 1 NEG
    np.floor,       # 2 FLOOR
    np.ceil,        # 3 CEIL
    np.square,      # 4 SQUARE
    np.sqrt,        # 5 SQRT
    _rsqrt,         # 6 RSQRT
    np.exp,         # 7 EXP
    np.log,         # 8 LOG
    np.sin,         # 9 SIN
    np.cos,         # 10 COS
    np.tan,         # 11 TAN
    np.arcsin,      # 12 ASIN
    np.arccos,      # 13 ACOS
    np.arctan,      # 14 ATAN
    np.reciprocal,  # 15 RECIPROCAL
    np.tanh,        # 16 TANH
    np.log10,       # 17 LOG10
    np.rint,        # 18 ROUND: nearbyint under FE_TONEAREST = half to even
    np.trunc,       # 19 TRUNC
    _sign,          # 20 SIGN
    np.expm1,       # 21 EXPM1
    np.sinh,        # 22 SINH
    np.arcsinh,     # 23 ASINH
    np.cosh,        # 24 COSH
    np.arccosh,     # 25 ACOSH
    np.arctanh,     # 26 ATANH
    np.log1p,       # 27 LOG1P
)
