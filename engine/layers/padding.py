"""Padding: pad a blob with a constant (per-channel optional), its edge values, or a mirror image.

1-D blobs pad left/right only; 2-D add top/bottom; 3-D pad channels with front/behind; 4-D pad depth
with front/behind. Per-channel pad values (constant type only) are indexed by *output* channel for 3-D
blobs and by channel for 4-D blobs; 1-D/2-D blobs always use the scalar value.

Reflect padding excludes the edge (numpy 'reflect'). ncnn reads out of bounds when a reflect pad is
too wide; its channel/depth formula folds twice, so `front` may reach 2*(n-1) but `behind` only n-1.
We refuse what ncnn would read out of bounds for, and negative pads (ncnn crops with them for some
shapes but corrupts its heap doing so).
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option

CONSTANT, REPLICATE, REFLECT = 0, 1, 2


class Padding(Layer):
    type_name = "Padding"
    top = Param(0, INT, 0)
    bottom = Param(1, INT, 0)
    left = Param(2, INT, 0)
    right = Param(3, INT, 0)
    type = Param(4, INT, 0)
    value = Param(5, FLOAT, 0.0)
    per_channel_pad_data_size = Param(6, INT, 0)
    front = Param(7, INT, 0)
    behind = Param(8, INT, 0)

    def check_params(self) -> None:
        if self.type not in (CONSTANT, REPLICATE, REFLECT):  # ncnn 1.0.20261020 refuses these at load
            raise self.param_error(f"padding type {self.type} is not 0 (constant), 1 (replicate) or 2 (reflect)")
        if self.per_channel_pad_data_size < 0:
            raise self.param_error(f"per_channel_pad_data_size {self.per_channel_pad_data_size} is negative")

    def load_model(self, reader: WeightReader) -> None:
        if self.per_channel_pad_data_size:
            self.load_weight(reader, "per_channel_pad_data", self.per_channel_pad_data_size, tagged=False)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        pads_all = (self.top, self.bottom, self.left, self.right, self.front, self.behind)
        if not any(pads_all):
            return x  # ncnn hands the bottom through
        dims = x.ndim
        # (before, after) per numpy axis; axes ncnn does not pad at this rank get (0, 0).
        spatial = [(self.top, self.bottom), (self.left, self.right)]
        if dims == 1:
            pads = [(self.left, self.right)]
        elif dims == 2:
            pads = spatial
        elif dims == 3:
            pads = [(self.front, self.behind), *spatial]
        elif dims == 4:
            pads = [(0, 0), (self.front, self.behind), *spatial]
        else:
            raise self.runtime_error(f"expects a 1-D to 4-D blob, got {dims}-D", [x])
        if min(min(p) for p in pads) < 0:
            raise self.runtime_error("negative padding is not supported (ncnn writes out of bounds)", [x])
        if self.type == REFLECT:
            self._check_reflect(x, pads)
        if self.type == REPLICATE:
            return np.pad(x, pads, mode="edge")
        if self.type == REFLECT:
            return np.pad(x, pads, mode="reflect")
        return self._constant(x, pads)

    def _check_reflect(self, x: np.ndarray, pads: list[tuple[int, int]]) -> None:
        # The outer axis of a 3-D (channels) / 4-D (depth) blob uses ncnn's double-fold formula.
        fold_axis = 0 if x.ndim == 3 else 1 if x.ndim == 4 else -1
        for axis, (before, after) in enumerate(pads):
            n = x.shape[axis]
            max_before = 2 * (n - 1) if axis == fold_axis else n - 1
            if before > max_before or after > n - 1:
                raise self.runtime_error(f"reflect padding ({before}, {after}) is too wide for a size-{n} axis "
                                         "(ncnn reads out of bounds)", [x])

    def _constant(self, x: np.ndarray, pads: list[tuple[int, int]]) -> np.ndarray:
        out_shape = tuple(n + b + a for n, (b, a) in zip(x.shape, pads))
        per_channel = self.per_channel_pad_data_size and x.ndim >= 3
        if per_channel:
            n_needed = out_shape[0]  # output channels (3-D) or channels (4-D)
            pcd = self.weights["per_channel_pad_data"]
            if pcd.size < n_needed:
                raise self.runtime_error(f"per_channel_pad_data has {pcd.size} values for {n_needed} channels", [x])
            out = np.empty(out_shape, np.float32)
            out[...] = pcd[:n_needed].reshape((n_needed,) + (1,) * (x.ndim - 1))
        else:
            out = np.full(out_shape, np.float32(self.value), np.float32)
        out[tuple(slice(b, b + n) for n, (b, _) in zip(x.shape, pads))] = x
        return out
