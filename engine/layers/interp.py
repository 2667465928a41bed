"""Interp: resize (nearest, bilinear, bicubic) to a scale, a fixed size or a reference blob's size.

* 3-D (c, h, w): every channel resized to (outh, outw). 2-D (h, w): only the width changes. 1-D (L,):
  a (L, outh, outw) blob where channel i is filled with value i (the size counts the input as 1x1).
* Size: output_width/output_height when both are nonzero, else int(w * width_scale), int(h * height_scale)
  in float32; with dynamic_target_size=1 the second bottom's w and h (as unpacked: ncnn's x86 build reads
  a packed 1-D/2-D reference's w or h divided by its pack size, which is not imitated). The same size
  passes the input on, except for bicubic, which always resamples.
* Every axis maps output to source by a float32 step: w / outw when output_width is set or
  dynamic_target_size is nonzero, else 1 / width_scale (so a scale whose product was truncated keeps its
  own step), as the pip ncnn 1.0.20261020 does. Nearest reads min(int(x * step), w - 1); bilinear and
  bicubic use ncnn's tables (kernels/interp.py).
* The size expression (9=size_expr) is not supported; the layer refuses it.
"""
from __future__ import annotations

import numpy as np

from ..kernels.interp import (
    F32,
    InterpError,
    cubic_table,
    linear_table,
    nearest_index,
    resample_axis,
    tap_indices,
)
from ..layer import FLOAT, INT, STR, Layer, Param
from ..option import Option

NEAREST, BILINEAR, BICUBIC = 1, 2, 3


class Interp(Layer):
    type_name = "Interp"
    one_blob_only = False
    resize_type = Param(0, INT, 0)
    height_scale = Param(1, FLOAT, 1.0)
    width_scale = Param(2, FLOAT, 1.0)
    output_height = Param(3, INT, 0)
    output_width = Param(4, INT, 0)
    dynamic_target_size = Param(5, INT, 0)
    align_corner = Param(6, INT, 0)
    size_expr = Param(9, STR, "")

    def check_params(self) -> None:
        if not 0 <= self.resize_type <= 3:
            raise self.param_error(f"resize_type (0) {self.resize_type} is not one of 0..3")
        if self.size_expr:
            raise self.param_error(f"size expressions (9={self.size_expr!r}) are not supported yet")

    @property
    def dynamic(self) -> bool:
        return self.dynamic_target_size == 1  # ncnn tests == 1: any other value is a static resize

    def output_size(self, x: np.ndarray, bottoms: list[np.ndarray]) -> tuple[int, int]:
        """(outh, outw) as ncnn derives them."""
        if self.dynamic:
            ref = bottoms[1]
            if ref.ndim == 0:
                raise self.runtime_error("the reference blob (second input) is empty", bottoms)
            return (ref.shape[-2] if ref.ndim >= 2 else 1), ref.shape[-1]
        outh, outw = self.output_height, self.output_width
        if outw == 0 or outh == 0:
            h, w = (1, 1) if x.ndim == 1 else x.shape[-2:]
            with np.errstate(all="ignore"):
                fw, fh = F32(w) * F32(self.width_scale), F32(h) * F32(self.height_scale)
            if not (np.isfinite(fw) and np.isfinite(fh)) or max(abs(fw), abs(fh)) > 2**31:
                raise self.runtime_error(f"scales ({self.height_scale}, {self.width_scale}) give no size", bottoms)
            outw, outh = int(fw), int(fh)
        return outh, outw

    # -- ncnn's choice between the size ratio and the written scale ---------------------------
    def by_size(self, explicit: int) -> bool:
        """Whether an axis maps by in/out size (explicit size, dynamic size or expression), not by its scale."""
        return bool(explicit or self.dynamic_target_size or self.size_expr)

    def axis_scale(self, n: int, out: int, explicit: int, scale: float) -> np.float32:
        """Source step per output cell, float32: n / out, or 1 / scale when the size came from the scale."""
        with np.errstate(divide="ignore"):
            return F32(n) / F32(out) if self.by_size(explicit) else F32(1) / F32(scale)

    # -- running --------------------------------------------------------------------------------
    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        want = 2 if self.dynamic else 1
        if len(bottoms) < want:
            raise self.runtime_error(f"expects {want} input blobs, got {len(bottoms)}", bottoms)
        x = bottoms[0]
        if x.ndim not in (1, 2, 3):
            raise self.runtime_error("Interp takes 1-D, 2-D or 3-D blobs", bottoms)
        outh, outw = self.output_size(x, bottoms)
        rows = x.shape[0] if x.ndim == 2 else x.shape[0] * max(outh, 1)  # a 2-D blob keeps its rows
        if rows * max(outw, 1) * 4 > opt.max_blob_bytes:
            raise self.runtime_error(f"output {outh}x{outw} per channel exceeds the blob size limit", bottoms)
        if x.ndim == 1:
            self.check_size(outh, outw, bottoms)
            out = np.empty((x.shape[0], outh, outw), np.float32)
            out[...] = x[:, None, None]
            return [out]
        h, w = x.shape[-2:]
        # The same size passes the input on (ncnn shares the blob), even when a scale != 1 got there;
        # not for bicubic, which pip ncnn 1.0.20261020 always resamples (by 1/scale when one was given).
        same = outw == w and (x.ndim == 2 or outh == h)
        if same and self.resize_type != BICUBIC:
            return [x]
        if x.ndim == 2:
            outh = h  # a 2-D blob keeps its rows
        self.check_size(outh, outw, bottoms)
        if self.resize_type == 0:
            raise self.runtime_error("resize_type 0 leaves the output unfilled in ncnn", bottoms)
        sx = self.axis_scale(w, outw, self.output_width, self.width_scale)
        sy = self.axis_scale(h, outh, self.output_height, self.height_scale)
        try:
            if self.resize_type == NEAREST:
                y = np.take(x, nearest_index(w, outw, sx), axis=-1)
                return [np.take(y, nearest_index(h, outh, sy), axis=1) if x.ndim == 3 else y]
            return [self.separable(x, outh, outw, sy, sx)]
        except InterpError as e:
            raise self.runtime_error(str(e), bottoms) from e

    def check_size(self, outh: int, outw: int, bottoms: list[np.ndarray]) -> None:
        if outh < 1 or outw < 1:
            raise self.runtime_error(f"output size {outh}x{outw} is empty", bottoms)

    def separable(self, x: np.ndarray, outh: int, outw: int, sy: np.float32, sx: np.float32) -> np.ndarray:
        table = cubic_table if self.resize_type == BICUBIC else linear_table
        h, w = x.shape[-2:]
        first, wx = table(w, outw, sx, bool(self.align_corner))
        ix = tap_indices(first, wx, w)
        if x.ndim == 2:
            return resample_axis(x, 1, ix, wx)
        first, wy = table(h, outh, sy, bool(self.align_corner))
        iy = tap_indices(first, wy, h)
        rows = np.unique(iy)
        if rows.size < h:  # shrinking: resize only the rows that are read
            x = np.take(x, rows, axis=1)
            iy = np.searchsorted(rows, iy)
        return resample_axis(resample_axis(x, 2, ix, wx), 1, iy, wy)
