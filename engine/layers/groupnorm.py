"""GroupNorm: the outermost axis (w for 1-D, h for 2-D, c for 3-D/4-D) is split into `group` groups,
each normalised over all its values, then gamma/beta per channel.
"""
from __future__ import annotations

import numpy as np

from ..formats.ncnn_bin import WeightReader
from ..kernels.norm import F32, fms, mean_var, x86_sum
from ..layer import FLOAT, INT, Layer, Param
from ..option import Option


class GroupNorm(Layer):
    type_name = "GroupNorm"
    group = Param(0, INT, 1)
    channels = Param(1, INT, 0)
    eps = Param(2, FLOAT, 0.001)
    affine = Param(3, INT, 1)

    def check_params(self) -> None:
        if self.group <= 0 or self.channels % self.group:  # ncnn refuses both at load_param
            raise self.param_error(f"group ({self.group}) must be positive and divide channels ({self.channels})")
        if self.affine and self.channels <= 0:  # ncnn's load of a 0-sized weight fails
            raise self.param_error(f"channels must be positive with affine, got {self.channels}")

    def load_model(self, reader: WeightReader) -> None:
        if self.affine:
            self.load_weight(reader, "gamma_data", self.channels, tagged=False)
            self.load_weight(reader, "beta_data", self.channels, tagged=False)

    @staticmethod
    def group_sum(g: np.ndarray, cg: int) -> np.ndarray:
        """Sum of each group (group, cg * size) in ncnn's order: its x86 kernel packs the channels of a
        group 16/8/4 at a time when cg allows (pixel-major, channel-minor) and keeps one set of
        accumulators running over the packed channels."""
        pack = next(p for p in (16, 8, 4, 1) if cg % p == 0)
        size = g.shape[1] // cg
        stream = g.reshape(g.shape[0], cg // pack, pack, size).transpose(0, 1, 3, 2)
        return x86_sum(stream.reshape(g.shape[0], cg // pack, size * pack), tail_first=True)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        cg = self.channels // self.group
        used = self.channels
        if x.shape[0] < used:  # ncnn would read past the blob
            raise self.runtime_error(f"needs at least {used} channels on the outermost axis", [x])
        y = x.copy()
        if cg == 0:
            return y
        groups = x[:used].reshape(self.group, -1)
        # this kernel divides by the count (no shared reciprocal)
        mean, var = mean_var(groups, lambda g: self.group_sum(g, cg), recip=False)
        # ncnn (x86): r = 1/sqrt(var + eps), m = mean * r; y = x * (r * gamma) - (m * gamma - beta)
        r = F32(1) / np.sqrt(var + F32(self.eps))
        m = mean * r
        per_ch = x[:used].reshape(self.group, cg, -1)
        if self.affine:
            gamma = self.weights["gamma_data"][:used].reshape(self.group, cg)
            beta = self.weights["beta_data"][:used].reshape(self.group, cg)
            a = r[:, None] * gamma
            b = fms(m[:, None], gamma, beta)  # contracted to an FMA in ncnn's build
        else:
            a = np.broadcast_to(r[:, None], (self.group, cg))
            b = np.broadcast_to(m[:, None], (self.group, cg))
        out = fms(per_ch, a[:, :, None], b[:, :, None])
        y[:used] = out.reshape((used,) + x.shape[1:])
        return y
