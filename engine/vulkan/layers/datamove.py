"""Concat, PixelShuffle and Softmax on the GPU (shaders/copy3d.comp, pixelshuffle.comp, softmax.comp)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...kernels.datamove import positive_axis
from ...layers.concat import Concat
from ...layers.pixelshuffle import PixelShuffle
from ...layers.softmax import Softmax
from ..context import Kernel
from .base import F32, Info, VkLayer, as_chw, groups_1d, groups_3d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

COPY3D = Kernel("copy3d", 2, "iiiiiiiiiiiii")
PIXELSHUFFLE = Kernel("pixelshuffle", 2, "iiiii")
SOFTMAX = Kernel("softmax", 2, "iii")


def copy_box(rt: "Run", x: "GpuTensor", y: "GpuTensor", extent: tuple[int, int, int],
             src: tuple[int, int, int] = (0, 0, 0), dst: tuple[int, int, int] = (0, 0, 0)) -> None:
    """y[dst + box] = x[src + box] over (c, h, w) views of both."""
    _, h, w = as_chw(x.shape)
    _, oh, ow = as_chw(y.shape)
    ec, eh, ew = extent
    rt.dispatch(COPY3D, [x, y], [w, h, ow, oh, ew, eh, ec, src[2], src[1], src[0], dst[2], dst[1], dst[0]],
                groups_3d(ew, eh, ec))


class VkConcat(VkLayer, Concat):
    type_name = "Concat"
    vk_max_dispatches = 64

    def vk_supports(self, inputs: list[Info]) -> bool:
        if not 1 <= len(inputs) <= self.vk_max_dispatches or any(dt != F32 for _, dt in inputs):
            return False
        dims = len(inputs[0][0])
        if not 1 <= dims <= 3 or any(len(s) != dims or min(s) < 1 for s, _ in inputs):
            return False
        axis = 0 if dims == 1 else positive_axis(self.axis, dims)
        if not 0 <= axis < dims:
            return False
        first = inputs[0][0]
        return all(s[:axis] + s[axis + 1:] == first[:axis] + first[axis + 1:] for s, _ in inputs)

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        dims = len(inputs[0].shape)
        axis = 0 if dims == 1 else positive_axis(self.axis, dims)
        shape = list(inputs[0].shape)
        shape[axis] = sum(t.shape[axis] for t in inputs)
        y = rt.new_tensor(shape)
        k3 = axis + 3 - dims  # the axis in the (c, h, w) view
        offset = 0
        for t in inputs:
            dst = [0, 0, 0]
            dst[k3] = offset
            copy_box(rt, t, y, as_chw(t.shape), (0, 0, 0), tuple(dst))  # type: ignore[arg-type]
            offset += t.shape[axis]
        return [y]


class VkPixelShuffle(VkLayer, PixelShuffle):
    type_name = "PixelShuffle"

    def vk_supports(self, inputs: list[Info]) -> bool:
        return super().vk_supports(inputs) and len(inputs[0][0]) == 3 and \
            inputs[0][0][0] >= self.upscale_factor ** 2

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        c, h, w = x.shape
        r = self.upscale_factor
        outc = c // (r * r)
        y = rt.new_tensor((outc, h * r, w * r))
        rt.dispatch(PIXELSHUFFLE, [x, y], [w, h, outc, r, self.mode], groups_3d(w * r, h * r, outc))
        return [y]


class VkSoftmax(VkLayer, Softmax):
    type_name = "Softmax"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if not (len(inputs) == 1 and inputs[0][1] == F32 and 1 <= len(inputs[0][0]) <= 4):
            return False
        shape = inputs[0][0]
        axis = 0 if len(shape) == 1 else (self.axis + len(shape) if self.axis < 0 else self.axis)
        return 0 <= axis < len(shape)  # else the CPU copies the blob unchanged

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        shape = x.shape
        axis = 0 if len(shape) == 1 else (self.axis + len(shape) if self.axis < 0 else self.axis)
        outer = int(np.prod(shape[:axis], dtype=np.int64))
        inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
        y = rt.new_tensor(shape)
        rt.dispatch(SOFTMAX, [x, y], [outer, shape[axis], inner], groups_1d(outer * inner))
        return [y]
