"""Element-wise activations on the GPU (shaders/unary.comp, prelu.comp); any rank, float32."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.absval import AbsVal
from ...layers.bnll import BNLL
from ...layers.erf import Erf
from ...layers.exp import Exp
from ...layers.gelu import GELU
from ...layers.log import Log
from ...layers.power import Power
from ...layers.selu import SELU
from ...layers.softplus import Softplus
from ...layers.threshold import Threshold
from ...layers.unaryop import UnaryOp
from ...layers.clip import Clip
from ...layers.elu import ELU
from ...layers.hardsigmoid import HardSigmoid
from ...layers.hardswish import HardSwish
from ...layers.mish import Mish
from ...layers.prelu import PReLU
from ...layers.relu import ReLU
from ...layers.sigmoid import Sigmoid
from ...layers.swish import Swish
from ...layers.tanh import TanH
from ..context import Kernel
from .base import F32, UNARY, Info, VkLayer, groups_1d

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run

PRELU = Kernel("prelu", 3, "iii")


class VkUnary(VkLayer):
    op = 0

    def vk_supports(self, inputs: list[Info]) -> bool:
        return len(inputs) == 1 and inputs[0][1] == F32 and 1 <= len(inputs[0][0]) <= 4

    def vk_params(self) -> tuple[float, ...]:
        return ()

    def vk_op(self) -> int:
        return self.op

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        y = rt.new_tensor(x.shape)
        p = [float(v) for v in self.vk_params()] + [0.0, 0.0, 0.0]
        rt.dispatch(UNARY, [x, y], [x.size, self.vk_op(), p[0], p[1], p[2]], groups_1d(x.size))
        return [y]


class VkReLU(VkUnary, ReLU):
    type_name = "ReLU"
    op = 0

    def vk_params(self) -> tuple[float, ...]:
        return (self.slope,)


class VkClip(VkUnary, Clip):
    type_name = "Clip"
    op = 1

    def vk_params(self) -> tuple[float, ...]:
        return self.min, self.max


class VkSigmoid(VkUnary, Sigmoid):
    type_name = "Sigmoid"
    op = 2


class VkTanH(VkUnary, TanH):
    type_name = "TanH"
    op = 3


class VkHardSigmoid(VkUnary, HardSigmoid):
    type_name = "HardSigmoid"
    op = 4

    def vk_params(self) -> tuple[float, ...]:
        return self.alpha, self.beta


class VkHardSwish(VkUnary, HardSwish):
    type_name = "HardSwish"
    op = 5

    def vk_params(self) -> tuple[float, ...]:
        return self.alpha, self.beta


class VkSwish(VkUnary, Swish):
    type_name = "Swish"
    op = 6


class VkMish(VkUnary, Mish):
    type_name = "Mish"
    op = 7


class VkELU(VkUnary, ELU):
    type_name = "ELU"
    op = 8

    def vk_params(self) -> tuple[float, ...]:
        return (self.alpha,)


class VkAbsVal(VkUnary, AbsVal):
    type_name = "AbsVal"
    op = 9


class VkSELU(VkUnary, SELU):
    type_name = "SELU"
    op = 11

    def vk_params(self) -> tuple[float, ...]:
        return self.alpha, self.lambda_


class VkSoftplus(VkUnary, Softplus):
    type_name = "Softplus"
    op = 12


class VkBNLL(VkUnary, BNLL):
    type_name = "BNLL"
    op = 13


class VkExp(VkUnary, Exp):
    type_name = "Exp"
    op = 14

    def vk_supports(self, inputs: list[Info]) -> bool:  # GLSL's pow needs a positive base
        return super().vk_supports(inputs) and (np.float32(self.base) == -1 or self.base > 0)

    def vk_params(self) -> tuple[float, ...]:
        return self.scale, self.shift, -1.0 if np.float32(self.base) == -1 else self.base


class VkLog(VkUnary, Log):
    type_name = "Log"
    op = 15

    def vk_supports(self, inputs: list[Info]) -> bool:
        return super().vk_supports(inputs) and (np.float32(self.base) == -1 or self.base > 0)

    def vk_params(self) -> tuple[float, ...]:
        natural = np.float32(self.base) == -1
        return self.scale, self.shift, 0.0 if natural else float(np.float32(1) / np.log(np.float32(self.base)))


class VkThreshold(VkUnary, Threshold):
    type_name = "Threshold"
    op = 16

    def vk_params(self) -> tuple[float, ...]:
        return (self.threshold,)


class VkGELU(VkUnary, GELU):
    type_name = "GELU"

    def vk_op(self) -> int:
        return 18 if self.fast_gelu else 17


class VkErf(VkUnary, Erf):
    type_name = "Erf"
    op = 19


class VkPower(VkUnary, Power):
    type_name = "Power"
    op = 20

    def vk_supports(self, inputs: list[Info]) -> bool:  # pow(0, negative) is undefined in GLSL
        return super().vk_supports(inputs) and self.power > 0

    def vk_params(self) -> tuple[float, ...]:
        return self.scale, self.shift, self.power


# UnaryOp op_types whose GLSL built-ins meet 1e-4 everywhere; trigonometry and the rest run on the CPU
# (Vulkan only promises 2^-11 absolute error for sin/cos).
UNARY_GPU = {0, 1, 2, 3, 4, 5, 6, 7, 8, 15, 16, 18, 19, 20}


class VkUnaryOp(VkUnary, UnaryOp):
    type_name = "UnaryOp"

    def vk_supports(self, inputs: list[Info]) -> bool:
        return self.op_type in UNARY_GPU and super().vk_supports(inputs)

    def vk_op(self) -> int:
        return 30 + self.op_type


class VkPReLU(VkLayer, PReLU):
    type_name = "PReLU"

    def vk_supports(self, inputs: list[Info]) -> bool:
        if not (len(inputs) == 1 and inputs[0][1] == F32 and 1 <= len(inputs[0][0]) <= 4):
            return False
        return self.num_slope == 1 or self.num_slope >= inputs[0][0][0]  # else the CPU raises the error

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        (x,) = inputs
        slopes = rt.const(self, "slope_data", np.asarray(self.weights["slope_data"], np.float32))
        y = rt.new_tensor(x.shape)
        plane = max(1, x.size // x.shape[0])
        rt.dispatch(PRELU, [x, slopes, y], [x.size, plane, int(self.num_slope == 1)], groups_1d(x.size))
        return [y]
