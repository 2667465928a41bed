"""Instance and device: enumeration for the GUI, choice (discrete > integrated > CPU), one logical device.

LAYERSCOPE_VULKAN_DEVICE picks a device by index ("1") or by a substring of its name ("llvmpipe");
`Option.vulkan_device` (an index) wins over it. Everything a `Context` creates is counted in `live`
so tests can check that a fault released every GPU object.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .binding import VulkanUnavailable, cstr, describe, load

ENV_DEVICE = "LAYERSCOPE_VULKAN_DEVICE"
_TYPES = {0: "other", 1: "integrated", 2: "discrete", 3: "virtual", 4: "cpu"}
_PREFERENCE = {"discrete": 0, "integrated": 1, "virtual": 2, "cpu": 3, "other": 4}


@dataclass(frozen=True)
class DeviceInfo:
    """One physical device as the GUI lists it."""

    index: int
    name: str
    kind: str  # discrete / integrated / virtual / cpu / other
    api_version: str
    vendor_id: int
    device_id: int
    memory_mb: int  # device-local heap(s)
    timestamps: bool  # compute queue supports timestamp queries
    timestamp_period_ns: float

    @property
    def label(self) -> str:
        return f"{self.index}: {self.name} ({self.kind}, Vulkan {self.api_version})"


def _version(v: int) -> str:
    return f"{v >> 22}.{(v >> 12) & 0x3FF}.{v & 0xFFF}"


def create_instance(vk: Any) -> Any:
    app = vk.VkApplicationInfo(sType=vk.VK_STRUCTURE_TYPE_APPLICATION_INFO, pApplicationName="Layerscope",
                               applicationVersion=1, pEngineName="Layerscope", engineVersion=1,
                               apiVersion=vk.VK_MAKE_VERSION(1, 1, 0))
    info = vk.VkInstanceCreateInfo(sType=vk.VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, pApplicationInfo=app)
    try:
        return vk.vkCreateInstance(info, None)
    except Exception as e:
        raise describe(e, "creating the Vulkan instance") from e


def _compute_family(vk: Any, pd: Any) -> tuple[int, bool]:
    """(queue family index with compute, whether it has timestamps); prefers compute-only families."""
    best = None
    for i, q in enumerate(vk.vkGetPhysicalDeviceQueueFamilyProperties(pd)):
        if q.queueFlags & vk.VK_QUEUE_COMPUTE_BIT and q.queueCount > 0:
            rank = 0 if not q.queueFlags & vk.VK_QUEUE_GRAPHICS_BIT else 1
            if best is None or rank < best[0]:
                best = (rank, i, q.timestampValidBits > 0)
    if best is None:
        return -1, False
    return best[1], best[2]


def _describe(vk: Any, index: int, pd: Any) -> DeviceInfo:
    p = vk.vkGetPhysicalDeviceProperties(pd)
    mem = vk.vkGetPhysicalDeviceMemoryProperties(pd)
    local = sum(mem.memoryHeaps[i].size for i in range(mem.memoryHeapCount)
                if mem.memoryHeaps[i].flags & vk.VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
    _, ts = _compute_family(vk, pd)
    return DeviceInfo(index, cstr(p.deviceName), _TYPES.get(p.deviceType, "other"), _version(p.apiVersion),
                      p.vendorID, p.deviceID, int(local >> 20), bool(ts) and bool(p.limits.timestampComputeAndGraphics
                                                                               or ts), float(p.limits.timestampPeriod))


def enumerate_devices(vk: Any, instance: Any) -> list[tuple[DeviceInfo, Any]]:
    try:
        pds = vk.vkEnumeratePhysicalDevices(instance)
    except Exception as e:
        raise describe(e, "listing Vulkan devices") from e
    out = []
    for i, pd in enumerate(pds):
        if _compute_family(vk, pd)[0] >= 0:
            out.append((_describe(vk, i, pd), pd))
    return out


def list_devices() -> list[DeviceInfo]:
    """Every Vulkan device with a compute queue; [] when Vulkan is unavailable (no loader, no driver)."""
    try:
        vk = load()
        instance = create_instance(vk)
    except VulkanUnavailable:
        return []
    try:
        return [info for info, _ in enumerate_devices(vk, instance)]
    except VulkanUnavailable:
        return []
    finally:
        vk.vkDestroyInstance(instance, None)


def choose(devices: list[DeviceInfo], requested: int | str | None = None) -> DeviceInfo:
    """The requested device (index or name substring; env var when None) or the preferred kind."""
    if not devices:
        raise VulkanUnavailable("no Vulkan device with a compute queue was found", "no-device")
    if requested is None:
        requested = os.environ.get(ENV_DEVICE) or None
    if requested is not None:
        text = str(requested).strip()
        if text.lstrip("-").isdigit():
            for d in devices:
                if d.index == int(text):
                    return d
        else:
            for d in devices:
                if text.lower() in d.name.lower():
                    return d
        names = ", ".join(d.label for d in devices)
        raise VulkanUnavailable(f"Vulkan device '{requested}' (option vulkan_device or ${ENV_DEVICE}) "
                                f"matches none of: {names}", "no-device")
    return min(devices, key=lambda d: (_PREFERENCE.get(d.kind, 9), d.index))
