"""Reshape: same data in C order, new shape from `0=w 1=h 11=d 2=c` or the `6=` shape expression.

The written params decide the output rank (w → 1-D, w,h → 2-D, w,h,c → 3-D, w,h,d,c → 4-D; an
unwritten param is -233). `0` copies the input's *same-named* size (w→w, not by position), `-1` is
inferred from the total by C integer division. This follows ncnn's x86 layer (what the pip ncnn
runs; the arm one has the same shape), which differs from the generic reshape.cpp on bad sizes:
* a 1-D target always flattens the whole blob, whatever w says;
* a 2-D target with the input's h on a 2-D input returns the input unchanged (w is not looked at);
* a 3-D/4-D target with the input's c on a 3-D/4-D input only relabels w, h(, d): a smaller
  per-channel size keeps the head of each channel;
* otherwise the data is flattened and the new shape filled from its start, so a smaller total
  keeps the head. What would read past the data (garbage in ncnn) is refused here.
`6=` (e.g. `"-1,*(0h,2),+(1c,2)"`, listed w first) fixes the rank at load and is evaluated on each
run with the real bottoms; when it refers to several bottoms ncnn checks the total strictly
(no head-keeping). `12/13` (batch axes, ncnn built with NCNN_BATCH) switch to ncnn's batch
path, where sizes are numpy-ordered and `0` copies by position; blobs here have no batch axis, so
the output batch must be 1. The legacy `3=permute` is ignored, as ncnn ignores it.
"""
from __future__ import annotations

import numpy as np

from ..kernels.shape_expr import ShapeExprError, count_expression_blobs, count_list_items, eval_list_expression
from ..layer import INT, STR, Layer, Param
from ..option import Option

_ABSENT = -233
_NO_BATCH = 233


def _cdiv(a: int, b: int) -> int:
    """C integer division (truncates toward zero)."""
    if b == 0:
        raise ZeroDivisionError("division by zero while inferring a -1 size")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


class Reshape(Layer):
    type_name = "Reshape"
    one_blob_only = False
    w = Param(0, INT, _ABSENT)
    h = Param(1, INT, _ABSENT)
    d = Param(11, INT, _ABSENT)
    c = Param(2, INT, _ABSENT)
    shape_expr = Param(6, STR, "")
    input_batch_axis = Param(12, INT, _NO_BATCH)
    output_batch_axis = Param(13, INT, _NO_BATCH)

    def check_params(self) -> None:
        ndim = 4
        for name, rank in (("d", 3), ("c", 2), ("h", 1), ("w", 0)):
            if getattr(self, name) == _ABSENT:
                ndim = rank
        self.ndim = ndim
        self.expr_blobs = 0
        if self.shape_expr:
            self.expr_blobs = count_expression_blobs(self.shape_expr)
            try:
                self.ndim = count_list_items(self.shape_expr)
            except ShapeExprError as e:
                raise self.param_error(f"shape expression {self.shape_expr!r}: {e}") from e
            if self.ndim > 4:
                raise self.param_error(f"shape expression {self.shape_expr!r} lists {self.ndim} sizes (at most 4)")

    # -- forward ---------------------------------------------------------------------------------
    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        if not bottoms:
            raise self.runtime_error("expects at least 1 input blob", bottoms)
        x = bottoms[0]
        if self.shape_expr:
            shapes = tuple(b.shape for b in bottoms)
            cache = self.__dict__.setdefault("_sizes_by_shapes", {})  # the same shapes give the same sizes
            sizes = cache.get(shapes)
            if sizes is None:
                try:
                    sizes = eval_list_expression(self.shape_expr, list(shapes))
                except ShapeExprError as e:
                    raise self.runtime_error(f"shape expression {self.shape_expr!r}: {e}", bottoms) from e
                if len(cache) < 64:
                    cache[shapes] = sizes
            sizes = list(sizes)
        else:
            sizes = [self.w, self.h, self.c] if self.ndim == 3 else [self.w, self.h, self.d, self.c][:self.ndim]
        if self.input_batch_axis != _NO_BATCH or self.output_batch_axis != _NO_BATCH:
            return [self._forward_batch(x, sizes, bottoms)]
        try:
            return [self._reshape(x, sizes, strict=self.expr_blobs > 1)]
        except (ValueError, ZeroDivisionError) as e:
            raise self.runtime_error(str(e), bottoms) from e

    def _reshape(self, x: np.ndarray, sizes: list[int], strict: bool) -> np.ndarray:
        """strict: the path ncnn takes when the expression refers to several bottoms, which
        checks the total instead of keeping heads."""
        ndim, dims = self.ndim, x.ndim
        if ndim == 1 and not strict:
            return x.reshape(-1)  # ncnn's x86/arm layers flatten whatever w says
        if ndim not in (1, 2, 3, 4):
            raise ValueError(f"no output shape (rank {ndim}); write 0=w at least")
        names = dict(zip("whdc", list(reversed(x.shape)) + [1, 1, 1], strict=False))
        if dims == 3:
            names["d"], names["c"] = 1, x.shape[0]
        total = int(x.size)
        order = {1: "w", 2: "wh", 3: "whc", 4: "whdc"}[ndim]
        if self.shape_expr:  # the runtime list maps to w, h, (d,) c as ncnn maps it
            out = dict(zip("whc" if len(sizes) == 3 else "whdc", sizes, strict=False))
        else:
            out = dict(zip(order, sizes, strict=False))
        for k in order:
            if out[k] == 0:
                out[k] = names[k]
        # ncnn infers each -1 in this order, dividing by the others (outermost first) as they stand
        for k in order:
            if out[k] == -1:
                rest = total
                for j in order[::-1]:
                    if j != k:
                        rest = _cdiv(rest, out[j])
                out[k] = rest
        shape = tuple(out[k] for k in reversed(order))
        if strict:
            if min(shape) <= 0 or int(np.prod(shape)) != total:
                raise ValueError(f"cannot reshape {total} elements to {shape}")
            return x.reshape(shape)
        if ndim == 2 and dims == 2 and shape[0] == x.shape[0]:
            return x  # ncnn's fast path returns the input as is, whatever w says
        if min(shape) <= 0:
            raise ValueError(f"cannot reshape {total} elements to {shape}")
        if ndim >= 3 and dims >= 3 and shape[0] == x.shape[0]:
            # fast path: same c, only w, h(, d) relabelled; each channel keeps its start
            per_channel, inner = total // x.shape[0], int(np.prod(shape[1:]))
            if inner > per_channel:
                raise ValueError(f"cannot reshape {x.shape} to {shape}: channels would overlap")
            if inner == per_channel:
                return x.reshape(shape)
            return np.ascontiguousarray(x.reshape(x.shape[0], -1)[:, :inner]).reshape(shape)
        # ncnn flattens and fills the new shape from the start without checking the total
        n = int(np.prod(shape))
        if n > total:
            raise ValueError(f"cannot reshape {total} elements to {shape}")
        return x.reshape(shape) if n == total else x.reshape(-1)[:n].reshape(shape)

    def _forward_batch(self, x: np.ndarray, sizes: list[int], bottoms: list[np.ndarray]) -> np.ndarray:
        """ncnn's NCNN_BATCH path with n = 1: numpy-ordered sizes, `0` copies by position."""
        logical = list(x.shape)
        axis = self.input_batch_axis
        if axis != _NO_BATCH:
            axis = axis + x.ndim + 1 if axis < 0 else axis
            if not 0 <= axis <= x.ndim:
                raise self.runtime_error(f"input batch axis {self.input_batch_axis} out of range", bottoms)
            logical.insert(axis, 1)
        outshape = list(reversed(sizes))  # numpy order: (c, d, h, w) / (c, h, w) / (h, w) / (w,)
        if not 1 <= len(outshape) <= 5:
            raise self.runtime_error(f"output rank {len(outshape)} is not 1..5", bottoms)
        out_axis = self.output_batch_axis
        if out_axis != _NO_BATCH:
            out_axis = out_axis + len(outshape) if out_axis < 0 else out_axis
            if not 0 <= out_axis < len(outshape):
                raise self.runtime_error(f"output batch axis {self.output_batch_axis} out of range", bottoms)
        total = int(np.prod(logical))
        known, infer = 1, -1
        for i, s in enumerate(outshape):
            if s == 0:
                if i >= len(logical):
                    raise self.runtime_error(f"size 0 at position {i} has no input size to copy", bottoms)
                outshape[i] = s = logical[i]
            if s == -1:
                if infer != -1:
                    raise self.runtime_error("more than one -1 size", bottoms)
                infer = i
                continue
            if s <= 0:
                raise self.runtime_error(f"size {s} at position {i}", bottoms)
            known *= s
        if infer != -1:
            if total % known:
                raise self.runtime_error(f"cannot infer -1: {total} is not a multiple of {known}", bottoms)
            outshape[infer] = total // known
            known *= outshape[infer]
        if known != total:
            raise self.runtime_error(f"cannot reshape {total} elements to {tuple(outshape)}", bottoms)
        physical = [s for i, s in enumerate(outshape) if i != out_axis]
        n = outshape[out_axis] if out_axis != _NO_BATCH else 1
        if not 1 <= len(physical) <= 4:
            raise self.runtime_error(f"output rank {len(physical)} without the batch axis", bottoms)
        if n != 1:
            raise self.runtime_error(f"the output would have a batch of {n}; blobs here have no batch axis",
                                     bottoms)
        return x.reshape(tuple(physical))
