"""MatMul: numpy-style matrix product of two blobs, `0=transB` transposing B's last two axes.

ncnn's cases (matmul.cpp), which are numpy's `matmul` on the numpy views:
* 1-D · 1-D is a dot product, returned as a 1-D `[1]` (numpy would give a scalar);
* a 1-D operand is a row (A) or a column (B) vector and that axis is dropped from the result; transB
  does not apply to a 1-D B;
* higher ranks batch over the leading axes, a missing or size-1 batch axis broadcasting (a 2-D
  operand against 3-D/4-D, a 3-D against 4-D gets a leading 1).
Batch sizes that neither match nor are 1, and inner sizes that differ, are refused (ncnn reads out of
bounds there).
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option


class MatMul(Layer):
    type_name = "MatMul"
    one_blob_only = False
    transB = Param(0, INT, 0)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if len(bottoms) != 2:
            raise self.runtime_error(f"expects 2 input blobs, got {len(bottoms)}", bottoms)
        a = np.asarray(bottoms[0], dtype=np.float32)
        b = np.asarray(bottoms[1], dtype=np.float32)
        if self.transB and b.ndim >= 2:
            b = np.swapaxes(b, -1, -2)
        k_a = a.shape[-1]
        k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if k_a != k_b:
            raise self.runtime_error(f"inner sizes differ: A has {k_a}, B has {k_b}"
                                     + (" (after transB)" if self.transB and b.ndim >= 2 else ""), bottoms)
        batch_a, batch_b = a.shape[:-2], b.shape[:-2]
        if a.ndim >= 2 and b.ndim >= 2:
            # leading axes are aligned from the right (a 3-D operand against 4-D gets a leading 1)
            for da, db in zip(batch_a[::-1], batch_b[::-1]):
                if da != db and da != 1 and db != 1:
                    raise self.runtime_error(f"batch sizes {batch_a} and {batch_b} do not broadcast", bottoms)
        if a.ndim == 1 and b.ndim == 1:
            return [np.dot(a, b).reshape(1).astype(np.float32, copy=False)]
        y = np.matmul(a, b)
        return [np.ascontiguousarray(y, dtype=np.float32)]
