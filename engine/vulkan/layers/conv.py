"""Convolution and ConvolutionDepthWise on the GPU (shaders/conv2d.comp): every padding mode (explicit,
SAME_UPPER/LOWER, pad_value), stride, dilation, group and fused activation. Dynamic weights, int8
weights and the 1-D InnerProduct-like path stay on the CPU."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...kernels.conv import resolve_pads
from ...layers.convolution import Convolution
from ...layers.convolutiondepthwise import ConvolutionDepthWise
from ..context import Kernel
from .base import F32, Info, VkLayer, as_chw, fused_activation, groups_3d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

CONV2D = Kernel("conv2d", 4, "iiiiiiiiiiiiiiiiifff")


class VkConvMixin(VkLayer):
    def vk_geometry(self, shape: tuple[int, ...]) -> tuple[tuple[int, int, int], tuple[int, int, int, int], int, int]:
        c, h, w = as_chw(shape)
        kh, kw = self.kernel()  # type: ignore[attr-defined]
        kext = (self.dilation_h * (kh - 1) + 1, self.dilation_w * (kw - 1) + 1)  # type: ignore[attr-defined]
        pads = resolve_pads(h, w, self.pads(), kext, self.stride())  # type: ignore[attr-defined]
        hp, wp = h + pads[0] + pads[1], w + pads[2] + pads[3]
        outh = (hp - kext[0]) // self.stride_h + 1 if hp >= kext[0] else 0  # type: ignore[attr-defined]
        outw = (wp - kext[1]) // self.stride_w + 1 if wp >= kext[1] else 0  # type: ignore[attr-defined]
        return (c, h, w), pads, outh, outw

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or self.dynamic_weight:  # type: ignore[attr-defined]
            return False
        if self.weights["weight_data"].dtype != np.float32:  # type: ignore[attr-defined]
            return False
        shape = inputs[0][0]
        if len(shape) != 3:  # 1-D / 2-D inputs take the CPU layer's special paths
            return False
        (c, _, _), _, outh, outw = self.vk_geometry(shape)
        return c == self.num_input and outh > 0 and outw > 0  # type: ignore[attr-defined]

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        (c, h, w), pads, outh, outw = self.vk_geometry(x.shape)
        kh, kw = self.kernel()  # type: ignore[attr-defined]
        outc = self.num_output  # type: ignore[attr-defined]
        wt = rt.const(self, "weight", self.weight_array())  # type: ignore[attr-defined]
        bias = self.bias_array()  # type: ignore[attr-defined]
        b = rt.const(self, "bias", bias if bias is not None else np.zeros(1, np.float32))
        y = rt.new_tensor((outc, outh, outw))
        act, a0, a1 = fused_activation(self)
        push = [w, h, c, outw, outh, outc, kw, kh, self.stride_w, self.stride_h,  # type: ignore[attr-defined]
                self.dilation_w, self.dilation_h, pads[2], pads[0], self.group,  # type: ignore[attr-defined]
                int(bias is not None), act, a0, a1, float(self.pad_value)]  # type: ignore[attr-defined]
        rt.dispatch(CONV2D, [x, wt, b, y], push, groups_3d(-(-outw // 4), outh, -(-outc // 4)))
        return [y]


class VkConvolution(VkConvMixin, Convolution):
    type_name = "Convolution"


class VkConvolutionDepthWise(VkConvMixin, ConvolutionDepthWise):
    type_name = "ConvolutionDepthWise"
