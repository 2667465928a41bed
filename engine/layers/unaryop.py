"""UnaryOp: one element-wise function per op_type (abs, neg, floor, ... log1p), float32, any rank."""
from __future__ import annotations

import numpy as np

from ..kernels.binary_unary import UNARY_OPS
from ..layer import INT, Layer, Param
from ..option import Option


class UnaryOp(Layer):
    type_name = "UnaryOp"
    op_type = Param(0, INT, 0)

    def check_params(self) -> None:
        # ncnn refuses an unknown op_type at load_param.
        if not 0 <= self.op_type < len(UNARY_OPS):
            raise self.param_error(f"unknown op_type {self.op_type} (0..{len(UNARY_OPS) - 1})")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        with np.errstate(all="ignore"):
            return UNARY_OPS[self.op_type](x)
