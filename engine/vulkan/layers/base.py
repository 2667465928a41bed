"""What a Vulkan layer is: the CPU layer's subclass (same params, weights and CPU fallback) that can
also record its work on the GPU.

    class VkReLU(VkLayer, ReLU):
        type_name = "ReLU"          # registers it for backend "vulkan"

The runner makes a twin of each loaded CPU layer (sharing its attributes) and calls
`vk_supports(shapes)`; when that says no (a dtype, rank or mode without a shader) the CPU layer runs.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Sequence

import numpy as np

from ..context import Kernel

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

Info = tuple[tuple[int, ...], np.dtype]
F32 = np.dtype(np.float32)
LOCAL_1D = 64
MAX_GROUPS = 65535


def groups_1d(n: int) -> tuple[int, int, int]:
    """Workgroups for `flat_index()` shaders (local size 64), wrapping into y past 65535."""
    g = max(1, -(-n // LOCAL_1D))
    if g <= MAX_GROUPS:
        return g, 1, 1
    return MAX_GROUPS, -(-g // MAX_GROUPS), 1


def groups_3d(w: int, h: int, z: int, local: tuple[int, int] = (8, 8)) -> tuple[int, int, int]:
    return max(1, -(-w // local[0])), max(1, -(-h // local[1])), max(1, z)


def as_chw(shape: Sequence[int]) -> tuple[int, int, int]:
    """ncnn's view of a 1-3-D blob as (c, h, w)."""
    s = tuple(shape)
    return (1,) * (3 - len(s)) + s  # type: ignore[return-value]


class VkLayer:
    backend: ClassVar[str] = "vulkan"
    vk_max_dispatches: ClassVar[int] = 4  # descriptor sets one forward may use
    vk_consts: dict[str, Any]
    name: str

    def vk_supports(self, inputs: list[Info]) -> bool:
        """Default: one float32 input of rank 1-3."""
        return len(inputs) == 1 and inputs[0][1] == F32 and 1 <= len(inputs[0][0]) <= 3 and min(inputs[0][0]) > 0

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        raise NotImplementedError


UNARY = Kernel("unary", 2, "iifff")
FLT_MAX = float(np.finfo(np.float32).max)


def fused_activation(layer: Any) -> tuple[int, float, float]:
    """(activation_type, p0, p1) for common.glsl's activate(), with apply_activation's defaults."""
    act, p = int(layer.activation_type), [float(v) for v in layer.activation_params]
    defaults = {2: [0.0, 0.0], 3: [-FLT_MAX, FLT_MAX], 6: [0.2, 0.5]}.get(act, [0.0, 0.0])
    p = p[:2] + defaults[len(p[:2]):]
    return act, p[0], p[1]
