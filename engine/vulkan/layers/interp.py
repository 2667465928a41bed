"""Interp on the GPU (shaders/resample.comp): nearest, bilinear and bicubic on 2-D and 3-D blobs, with the
numpy layer's own size rules and tap tables, so both engines resample from the same coordinates."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...errors import EngineError
from ...kernels.interp import InterpError, cubic_table, linear_table, nearest_index, tap_indices
from ...layers.interp import BICUBIC, NEAREST, Interp
from ..context import Kernel
from .base import F32, Info, VkLayer, groups_3d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

RESAMPLE = Kernel("resample", 4, "iiiiiii")


def _stand_in(shape: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.float32(0), shape)


class VkInterp(VkLayer, Interp):
    type_name = "Interp"

    def vk_plan(self, shapes: list[tuple[int, ...]]) -> tuple[int, int] | None:
        """(outh, outw) when the GPU can do it, None when the numpy layer must (it raises the errors)."""
        x = shapes[0]
        if len(x) not in (2, 3) or self.resize_type not in (1, 2, 3) or len(shapes) < (2 if self.dynamic else 1):
            return None
        try:
            outh, outw = self.output_size(_stand_in(x), [_stand_in(s) for s in shapes])
        except EngineError:
            return None
        if len(x) == 2:
            outh = x[0]
        if outh < 1 or outw < 1 or (outh * outw * (x[0] if len(x) == 3 else 1)) * 4 > 1 << 30:
            return None
        return outh, outw

    def vk_supports(self, inputs: list[Info]) -> bool:
        return bool(inputs) and inputs[0][1] == F32 and self.vk_plan([s for s, _ in inputs]) is not None

    def vk_tables(self, h: int, w: int, outh: int, outw: int,
                  rows_only: bool) -> tuple[np.ndarray, np.ndarray, int, int]:
        sx = self.axis_scale(w, outw, self.output_width, self.width_scale)
        sy = self.axis_scale(h, outh, self.output_height, self.height_scale)
        if self.resize_type == NEAREST:
            ix, wx = nearest_index(w, outw, sx)[:, None], np.ones((outw, 1), np.float32)
            iy, wy = nearest_index(h, outh, sy)[:, None], np.ones((outh, 1), np.float32)
        else:
            table = cubic_table if self.resize_type == BICUBIC else linear_table
            first, wx = table(w, outw, sx, bool(self.align_corner))
            ix = tap_indices(first, wx, w)
            first, wy = table(h, outh, sy, bool(self.align_corner))
            iy = tap_indices(first, wy, h)
        if rows_only:  # a 2-D blob keeps its rows
            iy, wy = np.arange(h)[:, None], np.ones((h, 1), np.float32)
        idx = np.concatenate([ix.reshape(-1), iy.reshape(-1)]).astype(np.int32)
        wt = np.concatenate([wx.reshape(-1), wy.reshape(-1)]).astype(np.float32)
        return idx, wt, ix.shape[1], iy.shape[1]

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        x = inputs[0]
        plan = self.vk_plan([t.shape for t in inputs])
        assert plan is not None
        outh, outw = plan
        rows_only = len(x.shape) == 2
        c, h, w = (1,) + x.shape if rows_only else x.shape
        if outw == w and outh == h and self.resize_type != BICUBIC:
            return [rt.alias(x, x.shape)]  # the numpy layer passes the blob on too
        try:
            idx, wt, tx, ty = self.vk_tables(h, w, outh, outw, rows_only)
        except InterpError as e:
            raise self.runtime_error(str(e), None) from e
        key = f"{self.resize_type}:{h}x{w}->{outh}x{outw}:{rows_only}"
        gi = rt.const(self, "idx " + key, idx)
        gw = rt.const(self, "wt " + key, wt)
        y = rt.new_tensor((outh, outw) if rows_only else (c, outh, outw))
        rt.dispatch(RESAMPLE, [x, gi, gw, y], [w, h, c, outw, outh, tx, ty], groups_3d(outw, outh, c))
        return [y]
