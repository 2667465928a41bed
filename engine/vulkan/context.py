"""One logical device with its queue, command pool, fence, pipeline cache, pipelines and buffer pool.

`Context.release()` destroys everything it created (buffers, pipelines, pools, device, instance),
also after a fault; `live` counts the objects still alive so tests can check nothing leaked.
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .binding import describe, load
from .device import DeviceInfo, choose, create_instance, enumerate_devices, _compute_family
from .memory import BufferPool

if TYPE_CHECKING:
    from .recorder import Segment

SHADER_DIR = Path(__file__).parent / "shaders"
ENV_CACHE = "LAYERSCOPE_VULKAN_CACHE"  # directory of the pipeline cache files ("" = no disk cache)


def cache_dir() -> Path | None:
    value = os.environ.get(ENV_CACHE)
    if value == "":
        return None
    return Path(value) if value else Path.home() / ".cache" / "layerscope" / "vulkan"


@dataclass(frozen=True)
class Kernel:
    """A compute shader: its .spv name, storage buffer count and push-constant struct (4-byte fields)."""

    name: str
    bindings: int
    push: str  # struct format over 'i' and 'f', in the shader's push block order

    @property
    def push_size(self) -> int:
        return 4 * len(self.push)


@dataclass(eq=False)
class Pipeline:
    kernel: Kernel
    handle: Any
    layout: Any
    set_layout: Any
    module: Any


class Context:
    def __init__(self, requested: int | str | None = None) -> None:
        self.vk = vk = load()
        self.live: Counter[str] = Counter()
        self.instance = self.device = None
        self.pipelines: dict[str, Pipeline] = {}
        self.pool: BufferPool | None = None
        self._segment = None
        self.released = False
        self.created_pipelines = 0
        self.cache_seed_bytes = 0
        self.instance = create_instance(vk)
        self.live["instance"] += 1
        try:
            found = enumerate_devices(vk, self.instance)
            self.info: DeviceInfo = choose([d for d, _ in found], requested)
            self.physical = dict((d.index, pd) for d, pd in found)[self.info.index]
            self._create_device()
        except BaseException:
            self.release()
            raise

    def _create_device(self) -> None:
        vk = self.vk
        props = vk.vkGetPhysicalDeviceProperties(self.physical)
        self.timestamp_period = float(props.limits.timestampPeriod)
        self.max_group_count = tuple(props.limits.maxComputeWorkGroupCount)
        self.max_storage_range = int(props.limits.maxStorageBufferRange)
        self.memory_properties = vk.vkGetPhysicalDeviceMemoryProperties(self.physical)
        self.family, self.has_timestamps = _compute_family(vk, self.physical)
        qfp = vk.vkGetPhysicalDeviceQueueFamilyProperties(self.physical)[self.family]
        self.timestamp_mask = (1 << qfp.timestampValidBits) - 1 if qfp.timestampValidBits < 64 else (1 << 64) - 1
        queue_info = vk.VkDeviceQueueCreateInfo(sType=vk.VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                                queueFamilyIndex=self.family, queueCount=1, pQueuePriorities=[1.0])
        info = vk.VkDeviceCreateInfo(sType=vk.VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, queueCreateInfoCount=1,
                                     pQueueCreateInfos=[queue_info])
        try:
            self.device = vk.vkCreateDevice(self.physical, info, None)
        except Exception as e:
            raise describe(e, f"creating a logical device on {self.info.name}") from e
        self.live["device"] += 1
        self.queue = vk.vkGetDeviceQueue(self.device, self.family, 0)
        self.command_pool = vk.vkCreateCommandPool(self.device, vk.VkCommandPoolCreateInfo(
            sType=vk.VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO, queueFamilyIndex=self.family,
            flags=vk.VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT), None)
        self.live["command_pool"] += 1
        self.fence = vk.vkCreateFence(self.device, vk.VkFenceCreateInfo(sType=vk.VK_STRUCTURE_TYPE_FENCE_CREATE_INFO),
                                      None)
        self.live["fence"] += 1
        uuid = bytes(props.pipelineCacheUUID).hex()
        folder = cache_dir()
        self.cache_file = folder / f"pipelines-{props.vendorID:04x}-{props.deviceID:04x}-{uuid}.bin" if folder \
            else None
        self.pipeline_cache = self._create_pipeline_cache()
        self.live["pipeline_cache"] += 1
        self.pool = BufferPool(self)

    def _create_pipeline_cache(self) -> Any:
        """The driver's pipeline cache, seeded from disk (the driver itself rejects foreign data)."""
        vk = self.vk
        data: bytes = b""
        if self.cache_file is not None and self.cache_file.is_file():
            try:
                data = self.cache_file.read_bytes()
            except OSError:
                data = b""
        for seed in ((data, b"") if data else (b"",)):
            keep = vk.ffi.new("char[]", seed) if seed else None  # alive until the call returns
            info = vk.VkPipelineCacheCreateInfo(sType=vk.VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO,
                                                initialDataSize=len(seed),
                                                pInitialData=vk.ffi.cast("void*", keep) if seed else None)
            try:
                cache = vk.vkCreatePipelineCache(self.device, info, None)
            except vk.VkError:
                if not seed:
                    raise
                continue
            self.cache_seed_bytes = len(seed)
            return cache
        raise AssertionError("unreachable")

    def save_pipeline_cache(self) -> None:
        """Write the pipeline cache to disk when this session created pipelines (best effort)."""
        if self.cache_file is None or not self.created_pipelines:
            return
        try:
            data = self.pipeline_cache_data()
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(self.cache_file)
        except Exception:  # a cache is never worth failing for
            pass

    # -- pipelines ----------------------------------------------------------------------------
    def pipeline(self, kernel: Kernel) -> tuple[Pipeline, bool]:
        """(the kernel's pipeline, whether it was created now); created once per context."""
        p = self.pipelines.get(kernel.name)
        if p is not None:
            return p, False
        try:
            p = self._create_pipeline(kernel)
        except Exception as e:
            raise describe(e, f"creating the pipeline of shader '{kernel.name}'") from e
        self.pipelines[kernel.name] = p
        self.created_pipelines += 1
        return p, True

    def _create_pipeline(self, kernel: Kernel) -> Pipeline:
        vk = self.vk
        path = SHADER_DIR / f"{kernel.name}.spv"
        code = path.read_bytes()
        module = vk.vkCreateShaderModule(self.device, vk.VkShaderModuleCreateInfo(
            sType=vk.VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, codeSize=len(code), pCode=code), None)
        self.live["shader_module"] += 1
        bindings = [vk.VkDescriptorSetLayoutBinding(binding=i, descriptorType=vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                                    descriptorCount=1, stageFlags=vk.VK_SHADER_STAGE_COMPUTE_BIT)
                    for i in range(kernel.bindings)]
        set_layout = vk.vkCreateDescriptorSetLayout(self.device, vk.VkDescriptorSetLayoutCreateInfo(
            sType=vk.VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, bindingCount=len(bindings),
            pBindings=bindings), None)
        self.live["set_layout"] += 1
        ranges = [vk.VkPushConstantRange(stageFlags=vk.VK_SHADER_STAGE_COMPUTE_BIT, offset=0,
                                         size=kernel.push_size)] if kernel.push else []
        layout = vk.vkCreatePipelineLayout(self.device, vk.VkPipelineLayoutCreateInfo(
            sType=vk.VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, setLayoutCount=1, pSetLayouts=[set_layout],
            pushConstantRangeCount=len(ranges), pPushConstantRanges=ranges or None), None)
        self.live["pipeline_layout"] += 1
        stage = vk.VkPipelineShaderStageCreateInfo(sType=vk.VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                                                   stage=vk.VK_SHADER_STAGE_COMPUTE_BIT, module=module, pName="main")
        info = vk.VkComputePipelineCreateInfo(sType=vk.VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO, stage=stage,
                                              layout=layout)
        handle = vk.vkCreateComputePipelines(self.device, self.pipeline_cache, 1, [info], None)[0]
        self.live["pipeline"] += 1
        return Pipeline(kernel, handle, layout, set_layout, module)

    def pipeline_cache_data(self) -> bytes:
        """The driver's pipeline cache blob (what a later session could preload)."""
        vk = self.vk  # the binding has no wrapper for this call: use the C function
        size = vk.ffi.new("size_t*")
        if vk.lib.vkGetPipelineCacheData(self.device, self.pipeline_cache, size, vk.ffi.NULL) != vk.VK_SUCCESS:
            return b""
        buf = vk.ffi.new("char[]", max(size[0], 1))
        if vk.lib.vkGetPipelineCacheData(self.device, self.pipeline_cache, size, buf) not in (vk.VK_SUCCESS,
                                                                                           vk.VK_INCOMPLETE):
            return b""
        return bytes(vk.ffi.buffer(buf, size[0]))

    def segment(self) -> "Segment":
        from .recorder import Segment
        if self._segment is None:
            try:
                self._segment = Segment(self)
            except Exception as e:
                raise describe(e, "creating the command buffer, query pool and descriptor pool") from e
        return self._segment

    # -- teardown -----------------------------------------------------------------------------
    def release(self) -> None:
        """Destroy every object; safe after a fault (device lost) and safe to call twice."""
        if self.released:
            return
        self.released = True
        vk = self.vk
        if self.device is not None:
            try:
                vk.vkDeviceWaitIdle(self.device)
            except Exception:  # a lost device still has to be torn down
                pass
            else:
                self.save_pipeline_cache()
            if self._segment is not None:
                self._segment.destroy()
                self._segment = None
            if self.pool is not None:
                self.pool.destroy_all()
            for p in self.pipelines.values():
                vk.vkDestroyPipeline(self.device, p.handle, None)
                vk.vkDestroyPipelineLayout(self.device, p.layout, None)
                vk.vkDestroyDescriptorSetLayout(self.device, p.set_layout, None)
                vk.vkDestroyShaderModule(self.device, p.module, None)
                self.live.subtract(["pipeline", "pipeline_layout", "set_layout", "shader_module"])
            self.pipelines.clear()
            for name, destroy in (("pipeline_cache", vk.vkDestroyPipelineCache), ("fence", vk.vkDestroyFence),
                                  ("command_pool", vk.vkDestroyCommandPool)):
                handle = getattr(self, name, None)
                if handle is not None:
                    destroy(self.device, handle, None)
                    self.live[name] -= 1
            vk.vkDestroyDevice(self.device, None)
            self.live["device"] -= 1
            self.device = None
        if self.instance is not None:
            vk.vkDestroyInstance(self.instance, None)
            self.live["instance"] -= 1
            self.instance = None

    def leaked(self) -> dict[str, int]:
        """Objects created and not destroyed (empty after release())."""
        return {k: v for k, v in self.live.items() if v}
