"""The Vulkan backend: the same engine on the GPU. Select it with `net.opt.use_vulkan_compute = True`.

Nothing here imports the `vulkan` binding until a run needs it, so the engine works without a loader.

* `list_devices()` — the devices a GUI can offer (index, name, kind); `[]` without Vulkan.
* `Extractor.vulkan_timing` — the last run's `VulkanRunTiming`: per-layer GPU/CPU times and the
  overheads (upload, download, pipeline creation, waits...) that add up to the wall time.
* `Extractor.vulkan_fallback_reason` — why the CPU ran instead ("" when Vulkan ran).
* `last_error()`, `reset()` — a fault disables the backend until reset(); `shutdown()` frees the device.
"""
from __future__ import annotations

from .binding import VulkanUnavailable
from .device import ENV_DEVICE, DeviceInfo, list_devices
from .session import last_error, reset, shutdown
from .timing import LayerTiming, VulkanRunTiming

__all__ = ["DeviceInfo", "ENV_DEVICE", "LayerTiming", "VulkanRunTiming", "VulkanUnavailable", "last_error",
           "list_devices", "reset", "shutdown"]
