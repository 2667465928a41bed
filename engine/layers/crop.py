"""Crop: cut a box out of a blob, in one of five ways (as ncnn picks them at load time).

1. numpy-style slice: `9=starts 10=ends` (and optional `11=axes`, numpy axes, empty = leading axes).
   `-233` means 0 / the full extent; negative counts from the end; an end <= 0 counts from the end too
   (so `end == 0` means "to the end"); ends are clamped to the extent. A 1-D blob applies every entry
   to w, whatever its axis.
2. offsets: `0=woffset 1=hoffset 13=doffset 2=coffset`, sizes `3=outw 4=outh 14=outd 5=outc` and tail
   offsets `6/7/15/8`. Each size is `min(out*, dim - offset - offset2)`, with `out* == -233` meaning
   "the rest" -- an unset out* is 0, which ncnn fails on (empty blob). A 3-D blob ignores doffset.
3. reference blob: with none of out*/offset2/starts/ends set the layer takes two bottoms and crops the
   first to the second's w/h/d (and c when both have the same rank) at the given offsets.
4. as 3, with `woffset == -233`: the second bottom holds int32 offsets and sizes (its bits are read as int).
5. as 1, with starts/ends/axes given as shape expressions (`19/20/21`, see kernels/shape_expr.py); an
   expression that reads bottom 1 or later makes the layer take several bottoms. ncnn crashes when the
   axes expression is missing; we refuse it.

Where the box has the full size of an axis set ncnn returns the bottom (or clones a channel range)
without looking at the offsets of those axes; we do the same. Boxes outside the blob, which ncnn reads
out of bounds or fails on, are refused.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..kernels.datamove import contiguous, ncnn_cdhw
from ..kernels.shape_expr import ShapeExprError, count_expression_blobs, eval_list_expression
from ..layer import INT, INTS, STR, Layer, Param
from ..option import Option

REST = -233


class Crop(Layer):
    type_name = "Crop"
    one_blob_only = False
    woffset = Param(0, INT, 0)
    hoffset = Param(1, INT, 0)
    doffset = Param(13, INT, 0)
    coffset = Param(2, INT, 0)
    outw = Param(3, INT, 0)
    outh = Param(4, INT, 0)
    outd = Param(14, INT, 0)
    outc = Param(5, INT, 0)
    woffset2 = Param(6, INT, 0)
    hoffset2 = Param(7, INT, 0)
    doffset2 = Param(15, INT, 0)
    coffset2 = Param(8, INT, 0)
    starts = Param(9, INTS)
    ends = Param(10, INTS)
    axes = Param(11, INTS)
    starts_expr = Param(19, STR, "")
    ends_expr = Param(20, STR, "")
    axes_expr = Param(21, STR, "")

    def check_params(self) -> None:
        self.numpy_style = bool(self.starts) and bool(self.ends)
        self.expr_style = bool(self.starts_expr) and bool(self.ends_expr)
        sizes = (self.outw, self.outh, self.outd, self.outc, self.woffset2, self.hoffset2, self.doffset2,
                 self.coffset2)
        exprs = [e for e in (self.starts_expr, self.ends_expr, self.axes_expr) if e]
        expr_blobs = max((count_expression_blobs(e) for e in exprs), default=0)
        # ncnn's one_blob_only: false when cropping to a reference blob or when an expression reads bottom 1+.
        to_reference = not any(sizes) and not self.numpy_style and not self.expr_style
        self.one_blob = not to_reference and expr_blobs <= 1
        # ncnn 1.0.20261020 checks the slice arrays at load time.
        if self.starts or self.ends or self.axes:
            n = len(self.starts)
            if not n or len(self.ends) != n or (self.axes and len(self.axes) != n):
                raise self.param_error(f"starts/ends/axes must be non-empty and of one length (got {len(self.starts)}"
                                       f"/{len(self.ends)}/{len(self.axes)})")
            if n > 4:
                raise self.param_error(f"{n} axes to slice: a blob has at most 4")
            if any(not -4 <= a <= 3 for a in self.axes):
                raise self.param_error(f"axes {list(self.axes)} must lie in [-4, 3]")

    # -- the box, in ncnn's names -------------------------------------------------------------
    def _roi_slice(self, x: np.ndarray, starts: Sequence[int], ends: Sequence[int],
                   axes_in: Sequence[int]) -> dict[str, tuple[int, int]]:
        """{axis name: (offset, size)} from starts/ends/axes."""
        c, d, h, w = ncnn_cdhw(x.shape)
        dims = x.ndim
        roi = {"c": (0, c), "d": (0, d), "h": (0, h), "w": (0, w)}
        names = {1: "w", 2: "hw", 3: "chw", 4: "cdhw"}[dims]
        axes = [a + dims if a < 0 else a for a in axes_in] or list(range(dims))
        if len(starts) < len(axes) or len(ends) < len(axes) or len(axes) > 4:
            raise self.runtime_error(f"{len(axes)} axes but {len(starts)} starts and {len(ends)} ends", [x])
        for axis, start, end in zip(axes, starts, ends):
            if dims == 1:
                axis = 0  # ncnn crops w whatever the axis says
            if not 0 <= axis < dims:
                continue  # ncnn ignores an axis the blob does not have
            name = names[axis]
            n = roi[name][1]
            start = 0 if start == REST else start
            end = n if end == REST else end
            off = start if start >= 0 else n + start
            roi[name] = (off, min(n, end if end > 0 else n + end) - off)
        return roi

    def _roi_offsets(self, x: np.ndarray) -> dict[str, tuple[int, int]]:
        c, d, h, w = ncnn_cdhw(x.shape)
        roi = {"c": (self.coffset, c), "d": (self.doffset, d), "h": (self.hoffset, h), "w": (self.woffset, w)}

        def size(n: int, off: int, off2: int, out: int) -> int:
            rest = n - off - off2
            return rest if out == REST else min(out, rest)

        roi["w"] = (self.woffset, size(w, self.woffset, self.woffset2, self.outw))
        if x.ndim >= 2:
            roi["h"] = (self.hoffset, size(h, self.hoffset, self.hoffset2, self.outh))
        if x.ndim >= 3:
            roi["c"] = (self.coffset, size(c, self.coffset, self.coffset2, self.outc))
        if x.ndim == 4:
            roi["d"] = (self.doffset, size(d, self.doffset, self.doffset2, self.outd))
        return roi

    def _roi_reference(self, x: np.ndarray, ref: np.ndarray) -> dict[str, tuple[int, int]]:
        c, d, _, _ = ncnn_cdhw(x.shape)
        rc, rd, rh, rw = ncnn_cdhw(ref.shape)
        return {"w": (self.woffset, rw), "h": (self.hoffset, rh),
                "d": (self.doffset, rd if x.ndim == 4 else d),
                "c": (self.coffset, rc if ref.ndim == x.ndim else c)}

    def _roi_int_blob(self, x: np.ndarray, ref: np.ndarray) -> dict[str, tuple[int, int]]:
        p = np.ascontiguousarray(ref, dtype=np.float32).reshape(-1).view(np.int32)
        # Where ncnn reads each offset and size, per rank of the cropped blob.
        layout = {1: {"w": (0, 3)}, 2: {"w": (0, 3), "h": (1, 4)}, 3: {"w": (0, 3), "h": (1, 4), "c": (2, 5)},
                  4: {"w": (0, 4), "h": (1, 5), "d": (2, 6), "c": (3, 7)}}[x.ndim]
        need = max(i for pair in layout.values() for i in pair) + 1
        if p.size < need:
            raise self.runtime_error(f"the crop parameter blob needs {need} int32 values, has {p.size}", [x, ref])
        c, d, h, w = ncnn_cdhw(x.shape)
        roi = {"c": (0, c), "d": (0, d), "h": (0, h), "w": (0, w)}
        for name, (i_off, i_size) in layout.items():
            roi[name] = (int(p[i_off]), int(p[i_size]))
        return roi

    # -- forward ------------------------------------------------------------------------------
    def _roi_expr(self, x: np.ndarray, bottoms: list[np.ndarray]) -> dict[str, tuple[int, int]]:
        shapes = [b.shape for b in bottoms]
        if not self.axes_expr:
            raise self.runtime_error("slice expressions need an axes expression (21=): ncnn crashes without", bottoms)
        try:
            starts = eval_list_expression(self.starts_expr, shapes)
            ends = eval_list_expression(self.ends_expr, shapes)
            axes = eval_list_expression(self.axes_expr, shapes)
        except ShapeExprError as e:  # ncnn ignores the failure and crops with uninitialised values
            raise self.runtime_error(f"slice expression: {e}", bottoms) from e
        return self._roi_slice(x, starts, ends, axes)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if not bottoms:
            raise self.runtime_error("expects an input blob", bottoms)
        # one_blob_only in ncnn: extra bottoms are not looked at.
        used = bottoms[:1] if self.one_blob else bottoms
        x = bottoms[0]
        if not 1 <= x.ndim <= 4:
            raise self.runtime_error(f"expects a 1-D to 4-D blob, got {x.ndim}-D", bottoms)
        if self.expr_style:
            roi = self._roi_expr(x, used)
        elif not self.one_blob:
            if len(bottoms) < 2:
                raise self.runtime_error("without sizes or starts/ends, Crop needs a reference blob", bottoms)
            ref = bottoms[1]
            roi = self._roi_int_blob(x, ref) if self.woffset == REST else self._roi_reference(x, ref)
        elif self.numpy_style:
            roi = self._roi_slice(x, self.starts, self.ends, self.axes)
        else:
            roi = self._roi_offsets(x)
        return [self._cut(x, roi, used)]

    def _cut(self, x: np.ndarray, roi: dict[str, tuple[int, int]], bottoms: list[np.ndarray]) -> np.ndarray:
        names = {1: "w", 2: "hw", 3: "chw", 4: "cdhw"}[x.ndim]
        full = [roi[n][1] == x.shape[i] for i, n in enumerate(names)]
        if all(full):
            return x  # ncnn hands the bottom through, offsets unread
        if x.ndim >= 3 and all(full[1:]):
            names = "c"  # ncnn clones a channel range, ignoring the inner offsets
        index = []
        for i, n in enumerate(names):
            off, size = roi[n]
            if size <= 0 or off < 0 or off + size > x.shape[i]:
                raise self.runtime_error(f"crop box {n}: offset {off}, size {size} does not fit size {x.shape[i]}"
                                         " (ncnn fails or reads out of bounds)", bottoms)
            index.append(slice(off, off + size))
        return contiguous(x[tuple(index)])
