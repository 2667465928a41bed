"""Reduction: sum / asum / sumsq / mean / max / min / prod / l1 / l2 / logsum / logsumexp over axes.

Params: 0=operation 1=reduce_all(1) 2=coeff(1.0) 3=axes (numpy-style, negative allowed) 4=keepdims(0)
5=fixbug0 (must be 1 when axes are given: old params counted a batch axis). ncnn's behaviour, kept:
* a 1-D blob is always reduced as a whole; the result of reducing everything is 1-D `[1]`;
* without keepdims the reduced axes are dropped, as numpy does;
* max / min start from -FLT_MAX / FLT_MAX (so ±inf inputs saturate to ±FLT_MAX and NaN is skipped);
* logsumexp is log(sum(exp(x))) with no max subtracted (it overflows to inf as ncnn does);
* l2 flushes a sum below FLT_MIN to 0 before the sqrt;
* mean multiplies by float32(coeff / count), and any other coeff != 1 is one multiply at the end.
An axis in [rank, 4) is ignored as ncnn ignores it; nothing left to reduce is refused (ncnn would
return uninitialised memory).
"""
from __future__ import annotations

import numpy as np

from ..layer import FLOAT, FLT_MAX, INT, INTS, Layer, Param
from ..option import Option

SUM, ASUM, SUMSQ, MEAN, MAX, MIN, PROD, L1, L2, LOGSUM, LOGSUMEXP = range(11)
NAMES = ("sum", "asum", "sumsq", "mean", "max", "min", "prod", "l1", "l2", "logsum", "logsumexp")
_FLT_MAX = np.float32(FLT_MAX)
_FLT_MIN = np.float32(np.finfo(np.float32).tiny)


def reduce_raw(x: np.ndarray, operation: int, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """The accumulation step of `operation` (before log / sqrt / coeff), float32."""
    kw = {"axis": axes, "keepdims": keepdims}
    if operation in (SUM, MEAN, LOGSUM):
        return np.sum(x, dtype=np.float32, **kw)
    if operation in (ASUM, L1):
        return np.sum(np.abs(x), **kw)
    if operation in (SUMSQ, L2):
        return np.sum(np.square(x), **kw)
    if operation == MAX:
        return np.fmax.reduce(x, initial=-_FLT_MAX, **kw)
    if operation == MIN:
        return np.fmin.reduce(x, initial=_FLT_MAX, **kw)
    if operation == PROD:
        return np.prod(x, dtype=np.float32, **kw)
    if operation == LOGSUMEXP:
        with np.errstate(over="ignore"):
            return np.sum(np.exp(x), **kw)
    raise ValueError(operation)


class Reduction(Layer):
    type_name = "Reduction"
    operation = Param(0, INT, 0)
    reduce_all = Param(1, INT, 1)
    coeff = Param(2, FLOAT, 1.0)
    axes = Param(3, INTS, ())
    keepdims = Param(4, INT, 0)
    fixbug0 = Param(5, INT, 0)

    def check_params(self) -> None:
        if self.fixbug0 == 0 and self.axes:
            raise self.param_error("axes (3) need fixbug0 (5) = 1: the param predates ncnn's axes fix "
                                   "(axes counted a batch dimension), regenerate it")
        if not 0 <= self.operation < len(NAMES):
            raise self.param_error(f"operation (0) {self.operation} is not one of 0..{len(NAMES) - 1}")

    def reduced_axes(self, x: np.ndarray) -> tuple[int, ...]:
        """The numpy axes to reduce, resolved as ncnn does."""
        if self.reduce_all or x.ndim == 1:
            return tuple(range(x.ndim))
        picked = set()
        for a in self.axes:
            p = a + x.ndim if a < 0 else a
            if not 0 <= p < 4:  # ncnn would write outside its 4-flag table
                raise self.runtime_error(f"axis {a} is out of range for a {x.ndim}-D blob", [x])
            if p < x.ndim:
                picked.add(p)
        if not picked:
            raise self.runtime_error(f"reduce_all is 0 and axes {list(self.axes)} select no axis of a "
                                     f"{x.ndim}-D blob", [x])
        return tuple(sorted(picked))

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        axes = self.reduced_axes(x)
        op = self.operation
        y = np.asarray(reduce_raw(x, op, axes, bool(self.keepdims)), dtype=np.float32)
        if y.ndim == 0:
            y = y.reshape(1)
        elif not y.flags.writeable or not y.flags.c_contiguous:
            y = np.ascontiguousarray(y)
        if op in (LOGSUM, LOGSUMEXP):
            with np.errstate(divide="ignore", invalid="ignore"):
                np.log(y, out=y)
        elif op == L2:
            y[y < _FLT_MIN] = 0
            np.sqrt(y, out=y)
        coeff = np.float32(self.coeff)
        if op == MEAN:
            count = int(np.prod([x.shape[a] for a in axes]))
            coeff = np.float32(coeff / np.float32(count))
        if coeff != 1:
            y *= coeff
        return y
