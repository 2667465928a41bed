"""BinaryOp on the GPU with ncnn's broadcasting (shaders/binary.comp). The shapes are aligned by the
same function the numpy layer uses (kernels/binary_unary.ncnn_broadcast_shape); the shader reads each
operand with its own strides, 0 on broadcast axes. pow/atan2 variants run on the CPU (GLSL's pow is
undefined for negative bases)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...kernels.binary_unary import broadcast_compatible, ncnn_broadcast_shape
from ...layers.binaryop import BinaryOp
from ..context import Kernel
from .base import F32, Info, VkLayer, groups_1d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

BINARY = Kernel("binary", 3, "iiiiiiiiiiiiiif")
GPU_OPS = {0, 1, 2, 3, 4, 5, 7, 8, 12, 13, 14, 15, 16, 17, 18}


def _strides4(shape: tuple[int, ...], out: tuple[int, ...]) -> list[int]:
    """Element strides of a C-contiguous `shape` (same rank as out, padded to 4-D), 0 where broadcast."""
    pad = (1,) * (4 - len(shape))
    s, o = pad + tuple(shape), (1,) * (4 - len(out)) + tuple(out)
    strides, acc = [0] * 4, 1
    for k in range(3, -1, -1):
        strides[k] = acc if s[k] == o[k] and s[k] != 1 else 0
        acc *= s[k]
    return strides


class VkBinaryOp(VkLayer, BinaryOp):
    type_name = "BinaryOp"

    def vk_shapes(self, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        n = max(len(a), len(b))
        return ncnn_broadcast_shape(a, b, n), ncnn_broadcast_shape(b, a, n)

    def vk_supports(self, inputs: list[Info]) -> bool:
        if self.op_type not in GPU_OPS or any(dt != F32 for _, dt in inputs):
            return False
        if any(len(s) > 4 or (s and min(s) < 1) for s, _ in inputs):
            return False
        if self.with_scalar:
            return len(inputs) == 1
        if len(inputs) != 2:
            return False
        sa, sb = self.vk_shapes(inputs[0][0], inputs[1][0])
        return broadcast_compatible(sa, sb)

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        if self.with_scalar:
            (a,) = inputs
            y = rt.new_tensor(a.shape)
            o4 = (1,) * (4 - len(a.shape)) + a.shape
            push = [a.size, self.op_type, o4[1], o4[2], o4[3], *_strides4(a.shape, a.shape), 0, 0, 0, 0, 1,
                    float(self.b)]
            rt.dispatch(BINARY, [a, a, y], push, groups_1d(a.size))
            return [y]
        a, b = inputs
        sa, sb = self.vk_shapes(a.shape, b.shape)
        out = tuple(int(v) for v in np.broadcast_shapes(sa, sb))
        y = rt.new_tensor(out)
        o4 = (1,) * (4 - len(out)) + out
        push = [y.size, self.op_type, o4[1], o4[2], o4[3], *_strides4(sa, out), *_strides4(sb, out), 0, 0.0]
        rt.dispatch(BINARY, [a, b, y], push, groups_1d(y.size))
        return [y]
