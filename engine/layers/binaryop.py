"""BinaryOp: element-wise a (op) b, with ncnn's broadcasting, or a (op) scalar when with_scalar=1.

Two inputs: the output rank is the larger rank. A lower-rank operand is aligned on ncnn's
*leading* axis (see kernels/binary_unary.ncnn_broadcast_shape): a 1-D b of length c against a
(c, h, w) a is per channel, not per column as numpy would have it. Then unit axes broadcast.
"""
from __future__ import annotations

import numpy as np

from ..kernels.binary_unary import BINARY_OPS, broadcast_compatible, ncnn_broadcast_shape
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class BinaryOp(Layer):
    type_name = "BinaryOp"
    one_blob_only = False
    op_type = Param(0, INT, 0)
    with_scalar = Param(1, INT, 0)
    b = Param(2, FLOAT, 0.0)

    def check_params(self) -> None:
        # ncnn refuses an unknown op_type at load_param.
        if not 0 <= self.op_type < len(BINARY_OPS):
            raise self.param_error(f"unknown op_type {self.op_type} (0..{len(BINARY_OPS) - 1})")

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        op = BINARY_OPS[self.op_type]
        if self.with_scalar:
            if len(bottoms) != 1:
                raise self.runtime_error(f"with_scalar=1 expects 1 input blob, got {len(bottoms)}", bottoms)
            with np.errstate(all="ignore"):
                return [op(bottoms[0], np.float32(self.b))]
        if len(bottoms) != 2:
            raise self.runtime_error(f"expects 2 input blobs, got {len(bottoms)}", bottoms)
        a, b = bottoms
        outdims = max(a.ndim, b.ndim)
        sa = ncnn_broadcast_shape(a.shape, b.shape, outdims)
        sb = ncnn_broadcast_shape(b.shape, a.shape, outdims)
        if not broadcast_compatible(sa, sb):
            # ncnn clamps indices (rows) or reads past the end (columns) here: undefined output.
            raise self.runtime_error(f"shapes do not broadcast (as {sa} and {sb})", bottoms)
        with np.errstate(all="ignore"):
            y = op(a.reshape(sa), b.reshape(sb))
        if y.dtype != np.float32:  # float32 in, float32 out; guard against a stray upcast
            y = y.astype(np.float32)
        return [y]
