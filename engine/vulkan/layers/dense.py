"""InnerProduct, Eltwise, Scale, BatchNorm and Bias on the GPU (shaders/innerproduct.comp, eltwise.comp,
scale.comp)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.batchnorm import BatchNorm
from ...layers.bias import Bias
from ...layers.eltwise import Eltwise
from ...layers.innerproduct import InnerProduct
from ...layers.scale import Scale
from ..context import Kernel
from .base import F32, Info, VkLayer, fused_activation, groups_1d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

INNERPRODUCT = Kernel("innerproduct", 4, "iiiiiff")
ELTWISE = Kernel("eltwise", 3, "iiff")
SCALE = Kernel("scale", 4, "iii")


class VkInnerProduct(VkLayer, InnerProduct):
    type_name = "InnerProduct"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or self.weights["weight_data"].dtype != np.float32:
            return False
        shape = inputs[0][0]
        rows = len(shape) == 2 and shape[1] == self.num_input
        return rows or int(np.prod(shape)) == self.num_input

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        rows = x.shape[0] if len(x.shape) == 2 and x.shape[1] == self.num_input else 1
        wt = rt.const(self, "weight", self.w)
        b = rt.const(self, "bias", self.bias if self.bias is not None else np.zeros(1, np.float32))
        out_shape = (rows, self.num_output) if len(x.shape) == 2 and x.shape[1] == self.num_input \
            else (self.num_output,)
        y = rt.new_tensor(out_shape)
        act, a0, a1 = fused_activation(self)
        rt.dispatch(INNERPRODUCT, [x, wt, b, y], [rows, self.num_output, self.num_input, int(self.bias is not None),
                                                 act, a0, a1], (-(-self.num_output // 64), rows, 1))
        return [y]


class VkEltwise(VkLayer, Eltwise):
    type_name = "Eltwise"
    vk_max_dispatches = 64

    def vk_supports(self, inputs: list[Info]) -> bool:
        return 2 <= len(inputs) <= self.vk_max_dispatches and all(dt == F32 for _, dt in inputs) and \
            all(s == inputs[0][0] for s, _ in inputs)

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        coeffs = [float(np.float32(c)) for c in self.coeffs] if self.op_type == 1 and self.coeffs \
            else [1.0] * len(inputs)
        acc = inputs[0]
        for i, x in enumerate(inputs[1:], start=1):
            y = rt.new_tensor(x.shape)
            ca = coeffs[0] if i == 1 else 1.0
            rt.dispatch(ELTWISE, [acc, x, y], [x.size, self.op_type, ca, coeffs[i]], groups_1d(x.size))
            if acc is not inputs[0]:
                rt.temp(acc)
            acc = y
        return [acc]


class VkScale(VkLayer, Scale):
    type_name = "Scale"

    def vk_supports(self, inputs: list[Info]) -> bool:
        want = 2 if self.scale_data_size == -233 else 1
        if len(inputs) != want or any(dt != F32 for _, dt in inputs) or not 1 <= len(inputs[0][0]) <= 4:
            return False
        n = inputs[0][0][0]
        have = int(np.prod(inputs[1][0])) if want == 2 else self.scale_data_size
        return n <= have

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        x = inputs[0]
        s = inputs[1] if len(inputs) == 2 else rt.const(self, "scale", self.weights["scale_data"])
        b = rt.const(self, "bias", self.weights["bias_data"]) if self.bias_term else s
        y = rt.new_tensor(x.shape)
        rt.dispatch(SCALE, [x, s, b, y], [x.size, max(1, x.size // x.shape[0]), int(self.bias_term)],
                    groups_1d(x.size))
        return [y]


class VkBatchNorm(VkLayer, BatchNorm):
    type_name = "BatchNorm"

    def vk_supports(self, inputs: list[Info]) -> bool:
        return len(inputs) == 1 and inputs[0][1] == F32 and 1 <= len(inputs[0][0]) <= 4 and \
            inputs[0][0][0] <= self.channels

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        b = rt.const(self, "b", self.b_data)
        a = rt.const(self, "a", self.a_data)
        y = rt.new_tensor(x.shape)
        rt.dispatch(SCALE, [x, b, a, y], [x.size, max(1, x.size // x.shape[0]), 2], groups_1d(x.size))
        return [y]


class VkBias(VkLayer, Bias):
    type_name = "Bias"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or not 1 <= len(inputs[0][0]) <= 4:
            return False
        shape = inputs[0][0]
        return len(shape) <= 2 or shape[0] <= self.bias_data_size

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        b = rt.const(self, "bias", self.weights["bias_data"])
        plane = x.size if len(x.shape) <= 2 else max(1, x.size // x.shape[0])  # 1-D/2-D: all get bias[0]
        y = rt.new_tensor(x.shape)
        rt.dispatch(SCALE, [x, b, b, y], [x.size, plane, 3], groups_1d(x.size))
        return [y]
