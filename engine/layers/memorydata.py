"""MemoryData: a constant blob stored in the `.bin`; no bottoms, one top.

Params `0=w 1=h 11=d 2=c` give the shape (the rank is set by the outermost non-zero one: d → 4-D,
c → 3-D, h → 2-D, w → 1-D); `21=load_type` is how ncnn reads it: 1 (default) raw fp32, 0 tagged.
With every size 0 ncnn makes a 1-element blob without reading anything (its value is left
uninitialised there; here it is 0).
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import INT, Layer, Param
from ..option import Option


class MemoryData(Layer):
    type_name = "MemoryData"
    one_blob_only = False
    w = Param(0, INT, 0)
    h = Param(1, INT, 0)
    d = Param(11, INT, 0)
    c = Param(2, INT, 0)
    load_type = Param(21, INT, 1)

    def blob_shape(self) -> tuple[int, ...]:
        """numpy-order shape of the stored blob, () when ncnn stores nothing."""
        if self.d != 0:
            return (self.c, self.d, self.h, self.w)
        if self.c != 0:
            return (self.c, self.h, self.w)
        if self.h != 0:
            return (self.h, self.w)
        if self.w != 0:
            return (self.w,)
        return ()

    def check_params(self) -> None:
        if self.load_type not in (0, 1):
            raise self.param_error(f"load_type {self.load_type} is not implemented by ncnn (0 or 1)")
        if any(s <= 0 for s in self.blob_shape()):
            # ncnn's ModelBin returns an empty Mat for such a shape and load_model fails
            raise self.param_error(f"shape w={self.w} h={self.h} d={self.d} c={self.c} has a size <= 0")

    def load_model(self, reader: WeightReader) -> None:
        shape = self.blob_shape()
        if shape:
            self.load_weight(reader, "data", int(np.prod(shape)), tagged=self.load_type == 0, shape=shape)

    def create_pipeline(self, opt: Option) -> None:
        data = self.weights.get("data")
        self._data = np.zeros((1,), np.float32) if data is None else data.view()
        self._data.flags.writeable = False

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        return [self._data]
