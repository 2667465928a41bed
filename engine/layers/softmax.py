"""Softmax: exp(x - max) / sum(exp(x - max)) along one numpy-style axis (param 0, negative allowed).

ncnn's quirks, kept: a 1-D blob is always normalised as a whole whatever the axis; an axis outside
the blob's rank selects none of ncnn's branches, so the blob passes through unchanged; the running
max starts at -FLT_MAX. Old models (written before the axis fix) are refused unless fixbug0 (1) is 1.
"""
from __future__ import annotations

import numpy as np

from ..layer import FLT_MAX, INT, Layer, Param
from ..option import Option

_NEG_FLT_MAX = np.float32(-FLT_MAX)


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """Float32 softmax of `x` along `axis`, into a new array."""
    m = np.max(x, axis=axis, keepdims=True)
    np.maximum(m, _NEG_FLT_MAX, out=m)  # ncnn's max starts at -FLT_MAX: all -inf gives 0/0, not inf-inf
    y = np.subtract(x, m, dtype=np.float32)
    np.exp(y, out=y)
    y /= np.sum(y, axis=axis, keepdims=True)
    return y


class Softmax(Layer):
    type_name = "Softmax"
    axis = Param(0, INT, 0)
    fixbug0 = Param(1, INT, 0)

    def check_params(self) -> None:
        if self.fixbug0 == 0 and self.axis != 0:
            raise self.param_error(f"axis (0) {self.axis} needs fixbug0 (1) = 1: the param predates ncnn's "
                                   f"softmax axis fix, regenerate it")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            return softmax(x, 0)
        axis = self.axis + x.ndim if self.axis < 0 else self.axis
        if not 0 <= axis < x.ndim:
            return x.copy()  # ncnn: no branch matches, the blob is left as it was
        return softmax(x, axis)
