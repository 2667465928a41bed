"""Deconvolution and DeconvolutionDepthWise on the GPU (shaders/deconv2d.comp), gathered per output cell
of the cropped map, with the numpy layer's cropping rules (pads, output_pad, output_w/h with -233/-234)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.deconvolution import Deconvolution
from ...layers.deconvolutiondepthwise import DeconvolutionDepthWise
from ..context import Kernel
from .base import F32, Info, VkLayer, fused_activation, groups_3d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

DECONV2D = Kernel("deconv2d", 4, "iiiiiiiiiiiiiiiiiff")


class VkDeconvolution(VkLayer, Deconvolution):
    type_name = "Deconvolution"

    def vk_crop(self, h: int, w: int) -> tuple[int, int, int, int] | None:
        """(top, left, outh, outw) of the full map kept, None where the numpy layer raises."""
        kh, kw = self.kernel()
        hf = (h - 1) * self.stride_h + self.dilation_h * (kh - 1) + 1 + self.output_pad_bottom
        wf = (w - 1) * self.stride_w + self.dilation_w * (kw - 1) + 1 + self.output_pad_right
        top, bottom, left, right = self.pads()
        if max(top, bottom, left, right) <= 0:
            if not (self.output_w > 0 and self.output_h > 0):
                return 0, 0, hf, wf
            hcut, wcut = hf - self.output_h, wf - self.output_w
            if hcut < 0 or wcut < 0:
                return None
            if -233 in self.pads():
                top, bottom, left, right = hcut // 2, hcut - hcut // 2, wcut // 2, wcut - wcut // 2
            elif -234 in self.pads():
                top, bottom, left, right = hcut - hcut // 2, hcut // 2, wcut - wcut // 2, wcut // 2
            else:
                return None
        oh, ow = hf - top - bottom, wf - left - right
        return (top, left, oh, ow) if oh >= 1 and ow >= 1 else None

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or self.dynamic_weight or len(inputs[0][0]) != 3:
            return False
        if self.weights["weight_data"].dtype != np.float32:
            return False
        c, h, w = inputs[0][0]
        return c == self.num_input and self.vk_crop(h, w) is not None

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        c, h, w = x.shape
        crop = self.vk_crop(h, w)
        assert crop is not None
        top, left, outh, outw = crop
        kh, kw = self.kernel()
        wt = rt.const(self, "weight", self.weight_array())
        bias = self.bias_array()
        b = rt.const(self, "bias", bias if bias is not None else np.zeros(1, np.float32))
        y = rt.new_tensor((self.num_output, outh, outw))
        act, a0, a1 = fused_activation(self)
        push = [w, h, c, outw, outh, self.num_output, kw, kh, self.stride_w, self.stride_h, self.dilation_w,
                self.dilation_h, left, top, self.group, int(bias is not None), act, a0, a1]
        rt.dispatch(DECONV2D, [x, wt, b, y], push, groups_3d(outw, outh, self.num_output))
        return [y]


class VkDeconvolutionDepthWise(VkDeconvolution, DeconvolutionDepthWise):
    type_name = "DeconvolutionDepthWise"
