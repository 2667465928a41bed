"""ShuffleChannel: channel shuffle (ShuffleNet). `0=group 1=reverse`.

Channels are seen as a (G, C/G) grid and transposed: source channel i*(C/G)+j lands at j*G+i, with
G = group, or C/group when reverse is set (the inverse shuffle). When G is 1 (also when C/group rounds
down to 1) the blob passes through, whatever C % group is -- as ncnn's x86 code does. Otherwise C must
be a multiple of group; 1-D/2-D blobs (one channel) only pass through.
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option


class ShuffleChannel(Layer):
    type_name = "ShuffleChannel"
    group = Param(0, INT, 1)
    reverse = Param(1, INT, 0)

    def check_params(self) -> None:
        if self.group < 1:  # ncnn 1.0.20261020 refuses it at load
            raise self.param_error(f"group {self.group} must be at least 1")

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        if not 1 <= x.ndim <= 4:
            raise self.runtime_error(f"expects a 1-D to 4-D blob, got {x.ndim}-D", [x])
        channels = x.shape[0] if x.ndim >= 3 else 1
        g = channels // self.group if self.reverse else self.group
        if g == 1:
            return x
        if g == 0:
            raise self.runtime_error(f"reverse shuffle with group {self.group} > {channels} channels "
                                     "(ncnn divides by zero)", [x])
        if channels % self.group:
            raise self.runtime_error(f"{channels} channels are not a multiple of group {self.group}", [x])
        rest = x.shape[1:]
        y = x.reshape((g, channels // g) + rest).swapaxes(0, 1)
        return np.ascontiguousarray(y, dtype=np.float32).reshape(x.shape)
