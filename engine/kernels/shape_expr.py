"""ncnn's shape expressions (Reshape `6=`): prefix notation over the bottoms' sizes.

`"-1,*(0h,2),+(1c,2)"` is a list of sizes; `0h` is bottom 0's h. Tokens are split on `( ) ,` and
evaluated right to left on a stack, as ncnn does, so the arity comes from the operator. Values are
typed: C ints (32-bit, `//` truncates toward zero) or float32 (`//` floors); a float result is
truncated to int at the end. Unknown tokens are read like sscanf("%d") / sscanf("%f").
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

_BLOB_TOKEN = re.compile(r"^[0-9][whdcn]$")
_INT_PREFIX = re.compile(r"^\s*[+-]?[0-9]+")
_FLOAT_PREFIX = re.compile(r"^\s*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan)",
                           re.IGNORECASE)

_INT_BINARY = ("+", "-", "*", "//", "max", "min")
_INT_UNARY = ("abs", "neg", "sign", "square")
_ROUNDING = ("trunc", "ceil", "floor", "round")
_FLOAT_UNARY = {
    "acos": np.arccos, "acosh": np.arccosh, "asin": np.arcsin, "asinh": np.arcsinh, "atan": np.arctan,
    "atanh": np.arctanh, "cos": np.cos, "cosh": np.cosh, "exp": np.exp, "log": np.log,
    "log10": np.log10, "sin": np.sin, "sinh": np.sinh, "sqrt": np.sqrt, "tan": np.tan, "tanh": np.tanh,
    "reciprocal": lambda a: np.float32(1) / a, "rsqrt": lambda a: np.float32(1) / np.sqrt(a),
    "erf": lambda a: np.float32(math.erf(float(a))),
}
_FLOAT_BINARY = ("/", "atan2", "fmod", "pow", "remainder", "logaddexp")
_BITWISE = ("and", "or", "xor", "lshift", "rshift")


class ShapeExprError(ValueError):
    pass


def _i32(v: int) -> int:
    """C int wrap-around."""
    return (v + 2**31) % 2**32 - 2**31


def _to_int(v: int | np.float32) -> int:
    """C's (int) cast on x86: truncates toward zero; NaN and out-of-range give INT_MIN."""
    if isinstance(v, int):
        return v
    if not np.isfinite(v) or not -2.0**31 <= float(v) < 2.0**31:
        return -2**31
    return int(v)


def _as_f32(v: int | np.float32) -> np.float32:
    return np.float32(v)


def count_expression_blobs(expr: str) -> int:
    """How many bottoms the expression refers to (1 + the highest blob index)."""
    count = 0
    for token in re.split(r"[(),]", expr):
        if _BLOB_TOKEN.match(token):
            count = max(count, int(token[0]) + 1)
    return count


def _blob_size(token: str, shapes: Sequence[tuple[int, ...] | None]) -> int:
    index = int(token[0])
    if index >= len(shapes):
        raise ShapeExprError(f"shape expression blob index {index} out of bound")
    shape = shapes[index]
    if token[1] == "n":
        return 1  # no batch axis here: ncnn's n is 1
    if shape is None:  # ncnn's empty Mat: every size 0 (load-time evaluation)
        return 0
    named = dict(zip("whdc", list(reversed(shape)) + [1, 1, 1], strict=False))
    if len(shape) == 3:  # a 3-D blob (c, h, w) has d = 1
        named = {"w": shape[2], "h": shape[1], "d": 1, "c": shape[0]}
    return int(named[token[1]])


def _literal(token: str) -> int | np.float32:
    mi, mf = _INT_PREFIX.match(token), _FLOAT_PREFIX.match(token)
    if mf is None:
        raise ShapeExprError(f"malformed literal token {token!r}")
    vf = np.float32(float(mf.group(0)))
    if mi is not None and float(_i32(int(mi.group(0)))) == float(vf):
        return _i32(int(mi.group(0)))
    return vf


def _binary(op: str, a: int | np.float32, b: int | np.float32) -> int | np.float32:
    if op in _INT_BINARY:
        if isinstance(a, int) and isinstance(b, int):
            if op == "//":
                if b == 0:
                    raise ShapeExprError("expr divide by zero")
                q = abs(a) // abs(b)
                return _i32(q if (a >= 0) == (b >= 0) else -q)
            return _i32({"+": a + b, "-": a - b, "*": a * b, "max": max(a, b), "min": min(a, b)}[op])
        fa, fb = _as_f32(a), _as_f32(b)
        with np.errstate(all="ignore"):
            if op == "//":
                return np.float32(np.floor(fa / fb))
            return np.float32({"+": fa + fb, "-": fa - fb, "*": fa * fb, "max": max(fa, fb),
                               "min": min(fa, fb)}[op])
    if op in _FLOAT_BINARY:
        fa, fb = _as_f32(a), _as_f32(b)
        with np.errstate(all="ignore"):
            if op == "/":
                return np.float32(fa / fb)
            if op == "atan2":
                return np.float32(np.arctan2(fa, fb))
            if op == "fmod":
                return np.float32(np.fmod(fa, fb))
            if op == "pow":
                return np.float32(np.power(fa, fb))
            if op == "remainder":
                r = np.float32(np.fmod(fa, fb))
                return np.float32(r + fb) if fa * fb < 0 else r
            return np.float32(np.log(np.exp(fa) + np.exp(fb)))
    # bitwise: ncnn assumes ints and reads the int member
    ia, ib = (v if isinstance(v, int) else _i32(int(np.float32(v).view(np.int32))) for v in (a, b))
    if op == "and":
        return ia & ib
    if op == "or":
        return ia | ib
    if op == "xor":
        return ia ^ ib
    if op == "lshift":
        return _i32(ia << (ib & 31))
    return ia >> (ib & 31)


def _unary(op: str, a: int | np.float32) -> int | np.float32:
    if op in _INT_UNARY:
        if isinstance(a, int):
            return _i32({"abs": abs(a), "neg": -a, "sign": (a > 0) - (a < 0), "square": a * a}[op])
        return np.float32({"abs": abs(a), "neg": -a, "sign": np.float32((a > 0) - (a < 0)),
                           "square": a * a}[op])
    if op in _ROUNDING:
        if isinstance(a, int):
            return a
        if not np.isfinite(a):
            return -2**31
        if op == "round":  # C round(): half away from zero
            return _to_int(np.float32(math.floor(abs(float(a)) + 0.5) * (1 if a >= 0 else -1)))
        return _to_int(np.float32({"trunc": math.trunc, "ceil": math.ceil, "floor": math.floor}[op](float(a))))
    with np.errstate(all="ignore"):
        return np.float32(_FLOAT_UNARY[op](_as_f32(a)))


def count_list_items(expr: str) -> int:
    """How many sizes the expression lists, from the operators' arity alone (no values needed)."""
    depth = 0
    for token in reversed([t for t in re.split(r"[(),]", expr) if t]):
        if token in _INT_BINARY or token in _FLOAT_BINARY or token in _BITWISE:
            if depth < 2:
                raise ShapeExprError(f"operator {token!r} lacks operands in {expr!r}")
            depth -= 1
        elif token in _INT_UNARY or token in _ROUNDING or token in _FLOAT_UNARY:
            if depth < 1:
                raise ShapeExprError(f"operator {token!r} lacks an operand in {expr!r}")
        else:
            depth += 1
    if depth == 0:
        raise ShapeExprError(f"empty expression {expr!r}")
    return depth


def eval_list_expression(expr: str, shapes: Sequence[tuple[int, ...] | None]) -> list[int]:
    """Evaluate `expr` against the numpy shapes of the bottoms (None = ncnn's empty Mat)."""
    tokens = [t for t in re.split(r"[(),]", expr) if t]
    stack: list[int | np.float32] = []

    def pop() -> int | np.float32:
        if not stack:
            raise ShapeExprError(f"malformed expression {expr!r}")
        return stack.pop()

    for token in reversed(tokens):
        if _BLOB_TOKEN.match(token):
            stack.append(_blob_size(token, shapes))
        elif token in _INT_BINARY or token in _FLOAT_BINARY or token in _BITWISE:
            a = pop()
            b = pop()
            stack.append(_binary(token, a, b))
        elif token in _INT_UNARY or token in _ROUNDING or token in _FLOAT_UNARY:
            stack.append(_unary(token, pop()))
        else:
            stack.append(_literal(token))
    if not stack:
        raise ShapeExprError(f"empty expression {expr!r}")
    return [_to_int(v) for v in reversed(stack)]
