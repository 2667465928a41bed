"""Eltwise: N same-shape inputs combined element-wise: 0 PROD, 1 SUM (optionally sum of coeff*x), 2 MAX."""
from __future__ import annotations

import numpy as np

from ..layer import FLOATS, INT, Layer, Param
from ..option import Option

PROD, SUM, MAX = 0, 1, 2


class Eltwise(Layer):
    type_name = "Eltwise"
    one_blob_only = False
    op_type = Param(0, INT, 0)
    coeffs = Param(1, FLOATS, ())

    def check_params(self) -> None:
        if self.op_type not in (PROD, SUM, MAX):  # ncnn refuses these at load_param
            raise self.param_error(f"unknown op_type {self.op_type} (0 PROD, 1 SUM, 2 MAX)")
        n = len(self.spec.bottoms)
        if self.op_type == SUM and self.coeffs and len(self.coeffs) < n:
            # ncnn would read past the end of coeffs
            raise self.param_error(f"{len(self.coeffs)} coeffs for {n} inputs")

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if len(bottoms) < 2:  # ncnn crashes on one input
            raise self.runtime_error(f"expects at least 2 input blobs, got {len(bottoms)}", bottoms)
        shape = bottoms[0].shape
        if any(b.shape != shape for b in bottoms[1:]):
            raise self.runtime_error("inputs must all have the same shape", bottoms)
        x0, x1, rest = bottoms[0], bottoms[1], bottoms[2:]
        if self.op_type == PROD:
            y = np.multiply(x0, x1)
            for x in rest:
                y *= x
        elif self.op_type == MAX:
            y = np.maximum(x0, x1)
            for x in rest:
                np.maximum(y, x, out=y)
        elif not self.coeffs:
            y = np.add(x0, x1)
            for x in rest:
                y += x
        else:
            c = [np.float32(v) for v in self.coeffs]
            y = np.multiply(x0, c[0])
            tmp = np.multiply(x1, c[1])
            y += tmp
            for i, x in enumerate(rest, start=2):
                np.multiply(x, c[i], out=tmp)
                y += tmp
        return [y]
