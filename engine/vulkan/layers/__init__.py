"""Vulkan twins of the numpy layers; importing this package registers them for backend "vulkan"."""
from __future__ import annotations

from . import (  # noqa: F401
    activation, attention, binaryop, conv, datamove, deconv, dense, gather, gemm, interp, norm, passthrough,
    pooling,
)
