"""Buffers: device-local storage, host-visible upload (staging) and readback, and a reuse pool.

Blobs are stored unpacked, fp32 (or int32), C-contiguous, exactly as the numpy engine lays them out,
so a reshape on the GPU is free and a download is one copy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .binding import describe

if TYPE_CHECKING:
    from .context import Context

DEVICE, UPLOAD, READBACK = "device", "upload", "readback"
_ALIGN = 256  # sizes rounded up so buffers of similar blobs are reused


@dataclass(eq=False)
class Buffer:
    ctx: "Context"
    kind: str
    size: int  # bytes
    handle: Any
    memory: Any
    mapped: Any = None  # cffi buffer of host-visible memory
    refs: int = 0  # GpuTensor views that still hold it

    def host_view(self, nbytes: int) -> np.ndarray:
        return np.frombuffer(self.mapped, np.uint8, count=nbytes)


@dataclass(eq=False)
class GpuTensor:
    """A blob on the device: a buffer and the numpy shape/dtype it holds (views share buffers)."""

    buffer: Buffer
    shape: tuple[int, ...]
    dtype: np.dtype = field(default_factory=lambda: np.dtype(np.float32))

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.dtype.itemsize

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


def _pick_type(ctx: "Context", kind: str, type_bits: int) -> int:
    vk = ctx.vk
    props = ctx.memory_properties
    local, visible = vk.VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, vk.VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT
    coherent, cached = vk.VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, vk.VK_MEMORY_PROPERTY_HOST_CACHED_BIT
    if kind == DEVICE:
        wishes = [(local, visible), (local, 0), (0, 0)]  # (must have, rather not have)
    elif kind == UPLOAD:
        wishes = [(visible | coherent, local), (visible | coherent, 0)]
    else:
        wishes = [(visible | coherent | cached, 0), (visible | coherent, 0)]
    for must, avoid in wishes:
        for i in range(props.memoryTypeCount):
            flags = props.memoryTypes[i].propertyFlags
            if type_bits & (1 << i) and flags & must == must and not flags & avoid:
                return i
    raise describe(RuntimeError(f"no memory type for {kind} buffers"), "choosing a memory type")


def create_buffer(ctx: "Context", kind: str, size: int) -> Buffer:
    vk = ctx.vk
    size = max(_ALIGN, -(-size // _ALIGN) * _ALIGN)
    usage = (vk.VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | vk.VK_BUFFER_USAGE_TRANSFER_SRC_BIT
             | vk.VK_BUFFER_USAGE_TRANSFER_DST_BIT)
    info = vk.VkBufferCreateInfo(sType=vk.VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO, size=size, usage=usage,
                                 sharingMode=vk.VK_SHARING_MODE_EXCLUSIVE)
    handle = memory = None
    try:
        handle = vk.vkCreateBuffer(ctx.device, info, None)
        ctx.live["buffer"] += 1
        req = vk.vkGetBufferMemoryRequirements(ctx.device, handle)
        alloc = vk.VkMemoryAllocateInfo(sType=vk.VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                        allocationSize=req.size,
                                        memoryTypeIndex=_pick_type(ctx, kind, req.memoryTypeBits))
        memory = vk.vkAllocateMemory(ctx.device, alloc, None)
        ctx.live["memory"] += 1
        vk.vkBindBufferMemory(ctx.device, handle, memory, 0)
        buf = Buffer(ctx, kind, size, handle, memory)
        if kind != DEVICE:
            buf.mapped = vk.vkMapMemory(ctx.device, memory, 0, size, 0)  # real size: VK_WHOLE_SIZE is -1 here
        return buf
    except Exception as e:
        if memory is not None:
            vk.vkFreeMemory(ctx.device, memory, None)
            ctx.live["memory"] -= 1
        if handle is not None:
            vk.vkDestroyBuffer(ctx.device, handle, None)
            ctx.live["buffer"] -= 1
        raise describe(e, f"allocating a {size}-byte {kind} buffer") from e


def destroy_buffer(buf: Buffer) -> None:
    ctx, vk = buf.ctx, buf.ctx.vk
    if buf.mapped is not None:
        vk.vkUnmapMemory(ctx.device, buf.memory)
        buf.mapped = None
    vk.vkDestroyBuffer(ctx.device, buf.handle, None)
    vk.vkFreeMemory(ctx.device, buf.memory, None)
    ctx.live["buffer"] -= 1
    ctx.live["memory"] -= 1


class BufferPool:
    """Free buffers by (kind, size); a released buffer is reused by the next request that fits.

    Reuse inside one command buffer is safe because every op ends with a full compute/transfer
    barrier (see recorder.py), which orders the old reads before the new writes.
    """

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        self.free: dict[str, list[Buffer]] = {DEVICE: [], UPLOAD: [], READBACK: []}
        self.allocated_bytes = 0
        self.owned: set[Buffer] = set()

    def acquire(self, kind: str, nbytes: int) -> Buffer:
        need = max(_ALIGN, -(-nbytes // _ALIGN) * _ALIGN)
        free = self.free[kind]
        best = None
        for i, b in enumerate(free):  # smallest that fits, at most twice the need
            if need <= b.size <= 2 * need and (best is None or b.size < free[best].size):
                best = i
        if best is not None:
            return free.pop(best)
        try:
            buf = create_buffer(self.ctx, kind, need)
        except Exception:
            self.trim()  # out of memory: drop cached buffers and try once more
            buf = create_buffer(self.ctx, kind, need)
        self.allocated_bytes += buf.size
        self.owned.add(buf)
        return buf

    def release(self, buf: Buffer) -> None:
        self.free[buf.kind].append(buf)

    def trim(self) -> None:
        for kind, bufs in self.free.items():
            for b in bufs:
                self.allocated_bytes -= b.size
                self.owned.discard(b)
                destroy_buffer(b)
            bufs.clear()

    def destroy_all(self) -> None:
        """Every buffer, in use or not (context teardown)."""
        for b in self.owned:
            destroy_buffer(b)
        self.owned.clear()
        for bufs in self.free.values():
            bufs.clear()
        self.allocated_bytes = 0
