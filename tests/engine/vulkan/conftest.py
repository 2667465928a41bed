"""Fixtures of the Vulkan tests (see support.py for the helpers)."""
from __future__ import annotations

from typing import Any

import pytest

from engine import vulkan
from tests.engine.vulkan.support import require_vulkan


@pytest.fixture(autouse=True)
def _pipeline_cache_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never write the user's pipeline cache."""
    from engine.vulkan.context import ENV_CACHE
    monkeypatch.setenv(ENV_CACHE, str(tmp_path_factory.getbasetemp() / "vulkan-cache"))


@pytest.fixture
def vk_device() -> Any:
    """The Vulkan devices, with a clean backend state before and after the test (skips without one)."""
    vulkan.reset()
    require_vulkan()
    yield vulkan.list_devices()
    vulkan.reset()
