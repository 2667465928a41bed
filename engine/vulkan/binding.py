"""Lazy access to the pip `vulkan` binding, with its failures turned into clear messages.

`import vulkan` raises OSError when libvulkan.so.1 is missing, so nothing imports it at module
level: engine code calls `load()` when the Vulkan backend is first used. Every call goes through
the module object (`vk.vkAllocateMemory(...)`), which lets tests simulate faults by patching it.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any

_MODULE: ModuleType | None = None


class VulkanUnavailable(RuntimeError):
    """The Vulkan backend cannot be used here (no loader, no driver, no device, a fault); the CPU runs."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "no-loader", "no-driver", "no-device", "out-of-memory", "device-lost", "error"


def load() -> ModuleType:
    global _MODULE
    if _MODULE is None:
        try:
            import vulkan
        except OSError as e:
            raise VulkanUnavailable(f"no Vulkan loader (libvulkan.so.1) could be loaded: {e}. Install the "
                                    "Vulkan loader (Debian: libvulkan1) and a driver (mesa-vulkan-drivers).",
                                    "no-loader") from e
        except ImportError as e:
            raise VulkanUnavailable(f"the Python package 'vulkan' is not installed: {e}", "no-loader") from e
        _MODULE = vulkan
    return _MODULE


def error_kind(exc: BaseException) -> str | None:
    """Our fault kind for a binding exception, None when it is not a Vulkan error."""
    vk = _MODULE
    if vk is None or not isinstance(exc, (vk.VkError, vk.VkException)):
        return None
    if isinstance(exc, (vk.VkErrorOutOfDeviceMemory, vk.VkErrorOutOfHostMemory)):
        return "out-of-memory"
    if isinstance(exc, vk.VkErrorDeviceLost):
        return "device-lost"
    if isinstance(exc, (vk.VkErrorIncompatibleDriver, vk.VkErrorInitializationFailed)):
        return "no-driver"
    return "error"


def describe(exc: BaseException, doing: str) -> VulkanUnavailable:
    """A VulkanUnavailable that says what failed while doing what."""
    if isinstance(exc, VulkanUnavailable):
        return exc
    kind = error_kind(exc) or "error"
    hint = {
        "out-of-memory": "the device ran out of memory",
        "device-lost": "the device was lost (driver reset, GPU hang or removal)",
        "no-driver": "no compatible Vulkan driver (install a driver, e.g. mesa-vulkan-drivers for lavapipe)",
    }.get(kind, "Vulkan call failed")
    return VulkanUnavailable(f"{hint} while {doing}: {type(exc).__name__}{': ' + str(exc) if str(exc) else ''}",
                             kind)


def cstr(value: Any) -> str:
    """A device name field of the binding (bytes or str) as str."""
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
