"""Device listing and choice: discrete > integrated > virtual > CPU; option or env var by index or name."""
from __future__ import annotations

import pytest

from engine.vulkan.binding import VulkanUnavailable
from engine.vulkan.device import ENV_DEVICE, DeviceInfo, choose, list_devices


def _dev(index: int, name: str, kind: str) -> DeviceInfo:
    return DeviceInfo(index, name, kind, "1.3.0", 0, 0, 1024, True, 1.0)


DEVICES = [_dev(0, "llvmpipe (LLVM 15)", "cpu"), _dev(1, "Intel UHD 770", "integrated"),
           _dev(2, "NVIDIA H200", "discrete")]


def test_preference_discrete_then_integrated_then_cpu(monkeypatch):
    monkeypatch.delenv(ENV_DEVICE, raising=False)
    assert choose(DEVICES).name == "NVIDIA H200"
    assert choose(DEVICES[:2]).name == "Intel UHD 770"
    assert choose(DEVICES[:1]).name == "llvmpipe (LLVM 15)"


def test_request_by_index_or_name_and_env_var(monkeypatch):
    monkeypatch.delenv(ENV_DEVICE, raising=False)
    assert choose(DEVICES, 0).index == 0
    assert choose(DEVICES, "intel").index == 1
    monkeypatch.setenv(ENV_DEVICE, "llvmpipe")
    assert choose(DEVICES).index == 0
    monkeypatch.setenv(ENV_DEVICE, "1")
    assert choose(DEVICES).index == 1
    assert choose(DEVICES, 2).index == 2  # the option wins over the environment


def test_unknown_request_and_no_device_are_clear_errors(monkeypatch):
    monkeypatch.delenv(ENV_DEVICE, raising=False)
    with pytest.raises(VulkanUnavailable, match=r"'amd' .* matches none of: 0: llvmpipe"):
        choose(DEVICES, "amd")
    with pytest.raises(VulkanUnavailable, match="no Vulkan device") as info:
        choose([])
    assert info.value.kind == "no-device"


@pytest.mark.vulkan
def test_list_devices_sees_a_real_device(vk_device):
    devices = list_devices()
    assert devices and all(d.kind in ("discrete", "integrated", "virtual", "cpu", "other") for d in devices)
    assert [d.index for d in devices] == sorted(d.index for d in devices)
    assert devices[0].label.startswith(f"{devices[0].index}: {devices[0].name}")


@pytest.mark.vulkan
def test_env_var_selects_the_device_a_run_uses(vk_device, monkeypatch, tmp_path):
    from engine import vulkan
    from tests.engine.vulkan.model_support import mixed_input, mixed_model
    from tests.engine.vulkan.support import load
    param, binf = mixed_model(tmp_path)
    target = vk_device[-1]
    monkeypatch.setenv(ENV_DEVICE, target.name[:6])
    ex = load(param, binf, True).create_extractor()
    ex.input("data", mixed_input())
    ex.extract("prob")
    assert ex.vulkan_timing.device == target.name
    vulkan.reset()
    monkeypatch.setenv(ENV_DEVICE, "no such device")
    ex = load(param, binf, True).create_extractor()
    ex.input("data", mixed_input())
    with pytest.warns(RuntimeWarning, match="no such device"):
        ex.extract("prob")
    assert ex.vulkan_timing is None and "no such device" in ex.vulkan_fallback_reason
