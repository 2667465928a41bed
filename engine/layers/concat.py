"""Concat: join blobs of one rank along a numpy axis (`0=axis`, negative counts from the end).

A 1-D blob always joins along w, whatever the axis. Every other size must match (ncnn does not
check and reads out of bounds); mismatches are refused, as is an axis the blobs do not have (ncnn
then leaves the output empty).
"""
from __future__ import annotations

import numpy as np

from ..kernels.datamove import positive_axis
from ..layer import INT, Layer, Param
from ..option import Option


class Concat(Layer):
    type_name = "Concat"
    one_blob_only = False
    axis = Param(0, INT, 0)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if not bottoms:
            raise self.runtime_error("expects at least one input blob", bottoms)
        dims = bottoms[0].ndim
        if not 1 <= dims <= 4:
            raise self.runtime_error(f"expects 1-D to 4-D blobs, got {dims}-D", bottoms)
        axis = 0 if dims == 1 else positive_axis(self.axis, dims)
        if not 0 <= axis < dims:
            raise self.runtime_error(f"axis {self.axis} is out of range for {dims}-D blobs", bottoms)
        first = bottoms[0].shape
        for b in bottoms[1:]:
            if b.ndim != dims or b.shape[:axis] + b.shape[axis + 1:] != first[:axis] + first[axis + 1:]:
                raise self.runtime_error(f"blobs must match in every dim but axis {axis}", bottoms)
        if len(bottoms) == 1:
            return [np.array(bottoms[0], dtype=np.float32)]
        return [np.concatenate(bottoms, axis=axis).astype(np.float32, copy=False)]
