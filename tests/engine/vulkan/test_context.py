"""The device context: pipelines created once, a pipeline cache kept on disk, nothing left after release."""
from __future__ import annotations

import pytest

from engine.vulkan.context import ENV_CACHE, Context, Kernel

pytestmark = pytest.mark.vulkan

UNARY = Kernel("unary", 2, "iifff")


def test_pipelines_are_created_once_and_released(vk_device):
    ctx = Context()
    try:
        p1, created1 = ctx.pipeline(UNARY)
        p2, created2 = ctx.pipeline(UNARY)
        assert created1 and not created2 and p1 is p2
        assert ctx.live["pipeline"] == 1 and ctx.live["device"] == 1
    finally:
        ctx.release()
    assert ctx.leaked() == {}
    ctx.release()  # twice is harmless


def test_pipeline_cache_is_saved_and_seeds_the_next_context(vk_device, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_CACHE, str(tmp_path))
    ctx = Context()
    ctx.pipeline(UNARY)
    data = ctx.pipeline_cache_data()
    ctx.release()
    files = list(tmp_path.glob("pipelines-*.bin"))
    assert len(files) == 1 and files[0].read_bytes() == data and len(data) >= 32  # at least the header
    ctx = Context()
    try:
        assert ctx.cache_seed_bytes == len(data)
    finally:
        ctx.release()


def test_a_corrupt_cache_file_is_harmless(vk_device, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_CACHE, str(tmp_path))
    ctx = Context()
    name = ctx.cache_file.name
    ctx.release()
    (tmp_path / name).write_bytes(b"\x00garbage" * 10)
    ctx = Context()
    try:
        _, created = ctx.pipeline(UNARY)
        assert created
    finally:
        ctx.release()


def test_no_disk_cache_when_disabled(vk_device, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_CACHE, "")
    ctx = Context()
    ctx.pipeline(UNARY)
    ctx.release()
    assert ctx.cache_file is None
