"""The binding is loaded lazily, and its exceptions become clear VulkanUnavailable messages."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.vulkan.binding import VulkanUnavailable, describe, load

ROOT = Path(__file__).resolve().parents[3]


def test_the_cpu_engine_and_the_vulkan_registry_never_import_the_binding():
    code = ("import sys, numpy as np\n"
            "from engine import Net\n"
            "import engine.registry as r\n"
            "assert 'Convolution' in r.supported_types('vulkan')\n"
            "net = Net(); net.load_param_text('7767517\\n2 2\\nInput in 0 1 x\\nReLU r 1 1 x y\\n')\n"
            "net.load_synthetic_weights()\n"
            "ex = net.create_extractor(); ex.input('x', np.ones((2, 3, 5), np.float32)); ex.extract('y')\n"
            "print('vulkan' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.vulkan
def test_binding_errors_name_the_fault_and_what_was_being_done(vk_device):
    vk = load()
    cases = [(vk.VkErrorOutOfDeviceMemory(), "out-of-memory", "ran out of memory"),
             (vk.VkErrorDeviceLost(), "device-lost", "device was lost"),
             (vk.VkErrorIncompatibleDriver(), "no-driver", "no compatible Vulkan driver"),
             (vk.VkErrorInitializationFailed(), "no-driver", "no compatible Vulkan driver")]
    for exc, kind, words in cases:
        err = describe(exc, "doing the thing")
        assert isinstance(err, VulkanUnavailable) and err.kind == kind
        assert words in str(err) and "while doing the thing" in str(err) and type(exc).__name__ in str(err)
    same = VulkanUnavailable("x", "no-device")
    assert describe(same, "anything") is same
