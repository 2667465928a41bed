"""Run-time options, named as in ncnn's Option so ncnn users recognise them."""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass


def _default_threads() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


@dataclass
class Option:
    num_threads: int = dataclasses.field(default_factory=_default_threads)
    # Release blobs once every consumer has run (ncnn's lightmode); a released blob that is
    # extracted later is recomputed instead of failing as in ncnn.
    lightmode: bool = True
    use_vulkan_compute: bool = False
    use_int8_inference: bool = True
    use_winograd_convolution: bool = True
    use_sgemm_convolution: bool = True
    use_packing_layout: bool = True
    use_fp16_storage: bool = False
    use_fp16_arithmetic: bool = False
    # Refuse any single blob larger than this (a hostile param must not make us allocate without bound).
    max_blob_bytes: int = 2 << 30
    # Vulkan device: index or name substring (None = $LAYERSCOPE_VULKAN_DEVICE, else the best by
    # preference: discrete, integrated, CPU). See engine/vulkan/device.py.
    vulkan_device: int | str | None = None

    def copy(self) -> "Option":
        return dataclasses.replace(self)
