"""Layers that move no data on the GPU: their outputs are views of the input buffer."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.dropout import Dropout
from ...layers.noop import Noop
from ...layers.split import Split
from .base import F32, UNARY, Info, VkLayer, groups_1d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run


class VkSplit(VkLayer, Split):
    type_name = "Split"

    def vk_supports(self, inputs: list[Info]) -> bool:
        return len(inputs) == 1

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        return [rt.alias(inputs[0], inputs[0].shape) for _ in self.spec.tops]


class VkDropout(VkLayer, Dropout):
    type_name = "Dropout"

    def vk_supports(self, inputs: list[Info]) -> bool:
        return len(inputs) == 1 and inputs[0][1] == F32

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        if np.float32(self.scale) == np.float32(1.0):
            return [rt.alias(x, x.shape)]
        y = rt.new_tensor(x.shape)
        rt.dispatch(UNARY, [x, y], [x.size, 10, float(self.scale), 0.0, 0.0], groups_1d(x.size))
        return [y]


class VkNoop(VkLayer, Noop):
    type_name = "Noop"

    def vk_supports(self, inputs: list[Info]) -> bool:
        return len(inputs) >= len(self.spec.tops)

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        return [rt.alias(t, t.shape) for t in inputs[:len(self.spec.tops)]]
