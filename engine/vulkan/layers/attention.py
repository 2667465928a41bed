"""MultiHeadAttention on the GPU for plain self/cross attention (no attn_mask, no kv_cache): six strided
GEMMs (shaders/gemm.comp, heads as its batch) and a softmax, in the numpy layer's order: Q = (x Wq^T + bq)
* scale, K, V, per head softmax(Q K^T) V, then O Wout^T + bout."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ...layers.multiheadattention import MultiHeadAttention
from .base import F32, Info, VkLayer, groups_1d, groups_3d
from .datamove import SOFTMAX
from .gemm import GEMM

if TYPE_CHECKING:
    from ..memory import GpuTensor
    from ..runner import Run


def _project(rt: "Run", x: "GpuTensor", wT: "GpuTensor", bias: "GpuTensor", alpha: float) -> "GpuTensor":
    """(rows, in) @ (in, out) + bias, times alpha."""
    rows, k = x.shape
    n = wT.shape[1]
    y = rt.temp(rt.new_tensor((rows, n)))
    rt.dispatch(GEMM, [x, wT, bias, y], [rows, n, k, k, 1, n, 1, 0, 1, n, 1, 1, 1.0, alpha, 0, 0, 0, 0, 0, 1],
                groups_3d(n, rows, 1))
    return y


class VkMultiHeadAttention(VkLayer, MultiHeadAttention):
    type_name = "MultiHeadAttention"
    vk_max_dispatches = 8

    def vk_supports(self, inputs: list[Info]) -> bool:
        if self.attn_mask or self.kv_cache or any(dt != F32 for _, dt in inputs) or len(self.spec.tops) != 1:
            return False
        idx = self._bottom_indices(len(inputs))
        if idx is None:
            return False
        shapes = [inputs[i][0] for i in idx]
        widths = (self.qdim, self.kdim, self.vdim)
        if any(len(s) != 2 or s[1] != w for s, w in zip(shapes, widths)):
            return False
        return shapes[1][0] == shapes[2][0]

    def vk_forward(self, rt: "Run", inputs: list["GpuTensor"]) -> list["GpuTensor"]:
        qi, ki, vi = self._bottom_indices(len(inputs))  # type: ignore[misc]
        e, h = self.embed_dim, self.num_heads
        d = e // h
        w = self.weights
        q = _project(rt, inputs[qi], rt.const(self, "wqT", self._wqT), rt.const(self, "bq", w["q_bias_data"]),
                     float(np.float32(self.scale)))
        k = _project(rt, inputs[ki], rt.const(self, "wkT", self._wkT), rt.const(self, "bk", w["k_bias_data"]), 1.0)
        v = _project(rt, inputs[vi], rt.const(self, "wvT", self._wvT), rt.const(self, "bv", w["v_bias_data"]), 1.0)
        src, dst = q.shape[0], k.shape[0]
        logits = rt.temp(rt.new_tensor((h, src, dst)))
        # logits[z, i, j] = sum_t q[i, z*d + t] * k[j, z*d + t]
        rt.dispatch(GEMM, [q, k, q, logits],
                    [src, dst, d, e, 1, 1, e, 0, 0, dst, 1, 0, 1.0, 1.0, d, 0, d, 0, src * dst, 1],
                    groups_3d(dst, src, h))
        probs = rt.temp(rt.new_tensor((h, src, dst)))
        rt.dispatch(SOFTMAX, [logits, probs], [h * src, dst, 1], groups_1d(h * src))
        o = rt.temp(rt.new_tensor((src, e)))
        # o[i, z*d + j] = sum_t probs[z, i, t] * v[t, z*d + j]
        rt.dispatch(GEMM, [probs, v, probs, o],
                    [src, d, dst, dst, 1, e, 1, 0, 0, e, 1, 0, 1.0, 1.0, src * dst, 0, d, 0, d, 1],
                    groups_3d(d, src, h))
        wo = rt.const(self, "woT", self._woT)
        y = rt.new_tensor((src, wo.shape[1]))
        n = wo.shape[1]
        rt.dispatch(GEMM, [o, wo, rt.const(self, "bo", w["out_bias_data"]), y],
                    [src, n, e, e, 1, n, 1, 0, 1, n, 1, 1, 1.0, 1.0, 0, 0, 0, 0, 0, 1], groups_3d(n, src, 1))
        return [y]
