"""Noop: every top is the bottom at the same position, untouched (ncnn runs it in place)."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class Noop(Layer):
    type_name = "Noop"
    one_blob_only = False

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        n_tops = len(self.spec.tops)
        if n_tops > len(bottoms):
            raise self.runtime_error(f"has {n_tops} tops but only {len(bottoms)} bottoms", bottoms)
        return list(bottoms[:n_tops])
