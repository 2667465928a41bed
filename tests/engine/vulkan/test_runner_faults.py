"""Faults: no loader, no driver, no device, out of device memory, device lost. Each is simulated by
patching the `vulkan` binding; each must give a clear message, the CPU's result, and release every
GPU object."""
from __future__ import annotations

import sys

import pytest

from engine import vulkan
from engine.vulkan import binding, session
from tests.engine.vulkan.model_support import mixed_input, mixed_model
from tests.engine.vulkan.support import load
from tests.support.oracle import assert_blob_close

pytestmark = pytest.mark.vulkan


def _cpu_prob(param, binf, x):
    ex = load(param, binf, False).create_extractor()
    ex.input("data", x)
    return ex.extract("prob")


def _vulkan_prob(net, x):
    ex = net.create_extractor()
    ex.input("data", x)
    return ex.extract("prob"), ex


def _expect_fallback(net, x, ref, kind, words):
    with pytest.warns(RuntimeWarning, match="running on the CPU"):
        out, ex = _vulkan_prob(net, x)
    assert_blob_close(out, ref, f"CPU fallback after {kind}")
    assert ex.vulkan_timing is None
    assert vulkan.last_error() is not None and vulkan.last_error().kind == kind
    for w in words:
        assert w in ex.vulkan_fallback_reason, ex.vulkan_fallback_reason
    # the backend stays off (no retry per run) until reset(), then works again
    out2, ex2 = _vulkan_prob(net, x)
    assert ex2.vulkan_timing is None
    assert_blob_close(out2, ref, "second run")


class _Counted:
    """Counts calls of create/destroy pairs of the binding."""

    def __init__(self, monkeypatch, vk, name):
        self.n = 0
        real = getattr(vk, name)

        def wrapped(*a, **k):
            out = real(*a, **k)
            self.n += 1
            return out
        monkeypatch.setattr(vk, name, wrapped)


def test_no_loader(tmp_path, vk_device, monkeypatch):
    class NoLoader:
        def find_spec(self, name, path=None, target=None):
            if name == "vulkan":
                raise OSError("libvulkan.so.1: cannot open shared object file: No such file or directory")
            return None

    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_prob(param, binf, x)
    monkeypatch.setattr(binding, "_MODULE", None)
    for name in [m for m in sys.modules if m == "vulkan" or m.startswith("vulkan.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [NoLoader()] + sys.meta_path)
    assert vulkan.list_devices() == []
    _expect_fallback(load(param, binf, True), x, ref, "no-loader", ["libvulkan.so.1", "libvulkan1"])


@pytest.mark.parametrize("what", ["no-driver", "no-device"])
def test_no_driver_or_no_device(tmp_path, vk_device, monkeypatch, what):
    vk = binding.load()
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_prob(param, binf, x)
    created = _Counted(monkeypatch, vk, "vkCreateInstance")
    destroyed = _Counted(monkeypatch, vk, "vkDestroyInstance")
    if what == "no-driver":
        def refuse(*a, **k):
            raise vk.VkErrorIncompatibleDriver()
        monkeypatch.setattr(vk, "vkCreateInstance", refuse)
        words = ["driver"]
    else:
        monkeypatch.setattr(vk, "vkEnumeratePhysicalDevices", lambda inst: [])
        words = ["no Vulkan device"]
    _expect_fallback(load(param, binf, True), x, ref, what, words)
    assert created.n == destroyed.n  # an instance created before the failure was destroyed


@pytest.mark.parametrize("what", ["out-of-memory", "device-lost"])
def test_faults_on_a_working_device(tmp_path, vk_device, monkeypatch, what):
    vk = binding.load()
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    ref = _cpu_prob(param, binf, x)
    net = load(param, binf, True)
    out, ex = _vulkan_prob(net, x)  # a healthy run first: weights, pipelines and buffers exist
    assert ex.vulkan_timing is not None
    ctx = session._CONTEXT
    assert ctx is not None and ctx.live["buffer"] > 0
    if what == "out-of-memory":
        def refuse(*a, **k):
            raise vk.VkErrorOutOfDeviceMemory()
        monkeypatch.setattr(vk, "vkAllocateMemory", refuse)
        big = mixed_input(h=61, w=59)  # bigger blobs: the pool has nothing to reuse
        ref = _cpu_prob(param, binf, big)
        x = big
        words = ["out of memory", "allocating"]
    else:
        def lost(*a, **k):
            raise vk.VkErrorDeviceLost()
        monkeypatch.setattr(vk, "vkQueueSubmit", lost)
        words = ["device was lost"]
    _expect_fallback(net, x, ref, what, words)
    assert ctx.released and ctx.leaked() == {}, ctx.leaked()
    monkeypatch.undo()
    vulkan.reset()
    out, ex = _vulkan_prob(net, x)  # recovers on a fresh device
    assert ex.vulkan_timing is not None and ex.vulkan_fallback_reason == ""
    assert_blob_close(out, ref, "after reset")


def test_release_leaves_nothing_behind(tmp_path, vk_device):
    param, binf = mixed_model(tmp_path)
    x = mixed_input()
    cpu = load(param, binf, False, lightmode=False).create_extractor()
    cpu.input("data", x)
    net = load(param, binf, True, lightmode=False)
    out, ex = _vulkan_prob(net, x)
    ctx = session._CONTEXT
    assert ctx.live["pipeline"] >= 3 and ctx.live["buffer"] > 0
    p = net.blob_index("p")
    assert ex._blobs[p] is None and p in ex._gpu  # held on the device only
    vulkan.shutdown()
    assert ctx.leaked() == {}
    # the extractor's device blobs went with the device: it recomputes them on a new one
    assert_blob_close(ex.extract("p"), cpu.extract("p"), "p after shutdown")
    assert_blob_close(ex.extract("prob"), out, "prob after shutdown")
    assert session._CONTEXT is not ctx and ex.vulkan_timing is not None
