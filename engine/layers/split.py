"""Split: every top aliases the single bottom (zero copy)."""
from __future__ import annotations

import numpy as np

from ..layer import Layer
from ..option import Option


class Split(Layer):
    type_name = "Split"
    one_blob_only = False

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        return [bottoms[0]] * len(self.spec.tops)
