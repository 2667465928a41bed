"""Pooling on the GPU: windowed max/average with ncnn's pad modes, and global pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ...kernels.pooling import PoolingShapeError, resolve_border
from ...layers.pooling import Pooling
from ..context import Kernel
from .base import F32, Info, VkLayer, as_chw, groups_1d, groups_3d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

POOL2D = Kernel("pool2d", 2, "iiiiiiiiiiiiiiiii")
GLOBAL_POOL = Kernel("global_pool", 2, "iii")


class VkPooling(VkLayer, Pooling):
    type_name = "Pooling"

    def vk_geometry(self, shape: tuple[int, ...]):  # type: ignore[no-untyped-def]
        c, h, w = as_chw(shape)
        kernel, stride = (self.kernel_h, self.kernel_w), (self.stride_h, self.stride_w)
        bpads, tails = resolve_border(h, w, kernel, stride, (self.pad_top, self.pad_bottom, self.pad_left,
                                                             self.pad_right), self.pad_mode)
        hb, wb = h + bpads[0] + bpads[1], w + bpads[2] + bpads[3]
        return (c, h, w), bpads, tails, hb, wb

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or not 1 <= len(inputs[0][0]) <= 3:
            return False
        if self.global_pooling:
            return True
        if self.adaptive_pooling:
            return False
        try:
            _, _, _, hb, wb = self.vk_geometry(inputs[0][0])
        except PoolingShapeError:
            return False  # the CPU layer raises the clear error
        return hb >= self.kernel_h and wb >= self.kernel_w

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        if self.global_pooling:
            c = as_chw(x.shape)[0]
            y = rt.new_tensor((c,))
            rt.dispatch(GLOBAL_POOL, [x, y], [c, x.size // c, self.pooling_type], groups_1d(c))
            return [y]
        (c, h, w), bpads, (htail, wtail), hb, wb = self.vk_geometry(x.shape)
        outh = (hb - self.kernel_h) // self.stride_h + 1
        outw = (wb - self.kernel_w) // self.stride_w + 1
        r0, r1 = self.pad_top, hb - self.pad_bottom - htail
        c0, c1 = self.pad_left, wb - self.pad_right - wtail
        y = rt.new_tensor((c, outh, outw))
        push = [w, h, c, outw, outh, self.kernel_w, self.kernel_h, self.stride_w, self.stride_h, bpads[2], bpads[0],
                self.pooling_type, self.avgpool_count_include_pad, r0, r1, c0, c1]
        rt.dispatch(POOL2D, [x, y], push, groups_3d(outw, outh, c))
        return [y]
