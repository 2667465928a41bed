"""LayerNorm (shaders/layernorm.comp, over the span the numpy layer picks for each shape), InstanceNorm
and GroupNorm (shaders/groupnorm.comp) on the GPU."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.groupnorm import GroupNorm
from ...layers.instancenorm import InstanceNorm
from ...layers.layernorm import LayerNorm
from ..context import Kernel
from .base import F32, Info, VkLayer, groups_1d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

LAYERNORM = Kernel("layernorm", 4, "iiif")
GROUPNORM = Kernel("groupnorm", 4, "iiiif")


def _group_norm(rt: "Run", layer: VkLayer, x: "GpuTensor", groups: int, cg: int, affine: bool,
                eps: float) -> "GpuTensor":
    zero = np.zeros(1, np.float32)
    w = layer.weights  # type: ignore[attr-defined]
    g = rt.const(layer, "gamma", w["gamma_data"] if affine else zero)
    b = rt.const(layer, "beta", w["beta_data"] if affine else zero)
    y = rt.new_tensor(x.shape)
    plane = x.size // (groups * cg)
    rt.dispatch(GROUPNORM, [x, g, b, y], [groups, cg, plane, int(affine), float(eps)], groups_1d(groups))
    return y


class VkLayerNorm(VkLayer, LayerNorm):
    type_name = "LayerNorm"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or not 1 <= len(inputs[0][0]) <= 4:
            return False
        return not (self.affine and self.span(inputs[0][0]) > self.affine_size)

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        span = self.span(x.shape)
        rows = x.size // span
        zero = np.zeros(1, np.float32)
        g = rt.const(self, "gamma", self.weights["gamma_data"] if self.affine else zero)
        b = rt.const(self, "beta", self.weights["beta_data"] if self.affine else zero)
        y = rt.new_tensor(x.shape)
        rt.dispatch(LAYERNORM, [x, g, b, y], [rows, span, int(self.affine), float(self.eps)], groups_1d(rows))
        return [y]


class VkInstanceNorm(VkLayer, InstanceNorm):
    type_name = "InstanceNorm"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or not 1 <= len(inputs[0][0]) <= 4:
            return False
        c = inputs[0][0][0] if len(inputs[0][0]) >= 3 else 1
        return not (self.affine and c > self.channels)

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        c = x.shape[0] if len(x.shape) >= 3 else 1
        return [_group_norm(rt, self, x, c, 1, bool(self.affine), self.eps)]


class VkGroupNorm(VkLayer, GroupNorm):
    type_name = "GroupNorm"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if len(inputs) != 1 or inputs[0][1] != F32 or not 1 <= len(inputs[0][0]) <= 4:
            return False
        cg = self.channels // self.group
        return cg > 0 and inputs[0][0][0] == self.channels == cg * self.group  # else the numpy layer

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        return [_group_norm(rt, self, x, self.group, self.channels // self.group, bool(self.affine), self.eps)]
