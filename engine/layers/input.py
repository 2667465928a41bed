"""Input: declares a model input (shape hint only); the user supplies the blob with input()."""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option


class Input(Layer):
    type_name = "Input"
    w = Param(0, INT, 0)
    h = Param(1, INT, 0)
    d = Param(11, INT, 0)
    c = Param(2, INT, 0)

    def declared_shape(self) -> tuple[int, ...]:
        """numpy-order shape declared in the .param (zeros = unknown), or () if none."""
        dims = [v for v in (self.c, self.d, self.h, self.w) if v]
        return tuple(dims)

    def forward(self, bottoms: list[np.ndarray], opt: Option) -> list[np.ndarray]:
        raise self.runtime_error("an Input blob must be given with Extractor.input()")
