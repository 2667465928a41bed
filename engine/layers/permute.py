"""Permute: reorders the axes of a 2-D/3-D/4-D blob by `order_type`; 1-D passes through.

ncnn names each order by the output's axes innermost-first in the input's axis names (3-D `CWH` =
output w is the input c, output h is input w, output c is input h). Reversing the letters gives the
output outermost-first, which maps straight onto np.transpose axes of the numpy view.
"""
from __future__ import annotations

import numpy as np

from ..layer import INT, Layer, Param
from ..option import Option

_ORDERS_2D = ("WH", "HW")
_ORDERS_3D = ("WHC", "HWC", "WCH", "CWH", "HCW", "CHW")
_ORDERS_4D = ("WHDC", "HWDC", "WDHC", "DWHC", "HDWC", "DHWC", "WHCD", "HWCD", "WCHD", "CWHD", "HCWD", "CHWD",
              "WDCH", "DWCH", "WCDH", "CWDH", "DCWH", "CDWH", "HDCW", "DHCW", "HCDW", "CHDW", "DCHW", "CDHW")


def _axes(order: str, numpy_axis: dict[str, int]) -> tuple[int, ...]:
    return tuple(numpy_axis[letter] for letter in reversed(order))


_AXES = {
    2: [_axes(o, {"H": 0, "W": 1}) for o in _ORDERS_2D],
    3: [_axes(o, {"C": 0, "H": 1, "W": 2}) for o in _ORDERS_3D],
    4: [_axes(o, {"C": 0, "D": 1, "H": 2, "W": 3}) for o in _ORDERS_4D],
}


class Permute(Layer):
    type_name = "Permute"
    order_type = Param(0, INT, 0)

    def forward_one(self, x: np.ndarray, opt: Option) -> np.ndarray:
        table = _AXES.get(x.ndim)
        if table is None:  # 1-D: ncnn passes it through whatever the order
            return x
        if not 0 <= self.order_type < len(table):
            # ncnn matches no branch and leaves the top blob empty, so the run fails
            raise self.runtime_error(f"order_type {self.order_type} is not defined for a {x.ndim}-D blob", [x])
        axes = table[self.order_type]
        if axes == tuple(range(x.ndim)):
            return x
        return np.ascontiguousarray(x.transpose(axes))
