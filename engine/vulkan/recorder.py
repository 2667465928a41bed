"""Command recording: dispatches and copies, a barrier and a timestamp after every op, submit and wait.

A Segment is one command buffer that the runner fills with consecutive GPU work and submits when
the host needs a result (a CPU-fallback layer, the end of the run) or when it is full. Every op is
followed by a timestamp at BOTTOM_OF_PIPE (its commands have finished) and a full compute/transfer
memory barrier, so ops run in order, buffers can be reused, and each op's GPU time is
`ts[k+1] - ts[k]`.
"""
from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .binding import describe
from .memory import Buffer

if TYPE_CHECKING:
    from .context import Context, Pipeline

FENCE_TIMEOUT_NS = 600 * 10**9  # a hung device is reported as lost, not waited on forever


@dataclass
class Op:
    kind: str  # "layer", "upload", "download"
    key: Any  # layer index for layers


@dataclass
class Flushed:
    """What one submit took: host time from submit to fence, and the GPU time of each op."""

    sync_ns: int
    ops: list[tuple[Op, int]] = field(default_factory=list)
    submit_ns: int = 0  # perf_counter_ns at submit


class Segment:
    MAX_OPS = 256
    MAX_SETS = 1024

    def __init__(self, ctx: "Context") -> None:
        self.ctx = ctx
        vk = ctx.vk
        self.cmd = vk.vkAllocateCommandBuffers(ctx.device, vk.VkCommandBufferAllocateInfo(
            sType=vk.VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, commandPool=ctx.command_pool,
            level=vk.VK_COMMAND_BUFFER_LEVEL_PRIMARY, commandBufferCount=1))[0]
        self.query_pool = vk.vkCreateQueryPool(ctx.device, vk.VkQueryPoolCreateInfo(
            sType=vk.VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO, queryType=vk.VK_QUERY_TYPE_TIMESTAMP,
            queryCount=self.MAX_OPS + 1), None)
        ctx.live["query_pool"] += 1
        sizes = [vk.VkDescriptorPoolSize(type=vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptorCount=self.MAX_SETS * 6)]
        self.desc_pool = vk.vkCreateDescriptorPool(ctx.device, vk.VkDescriptorPoolCreateInfo(
            sType=vk.VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO, maxSets=self.MAX_SETS, poolSizeCount=1,
            pPoolSizes=sizes), None)
        ctx.live["descriptor_pool"] += 1
        self.barrier = vk.VkMemoryBarrier(
            sType=vk.VK_STRUCTURE_TYPE_MEMORY_BARRIER,
            srcAccessMask=vk.VK_ACCESS_SHADER_WRITE_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT,
            dstAccessMask=(vk.VK_ACCESS_SHADER_READ_BIT | vk.VK_ACCESS_SHADER_WRITE_BIT
                           | vk.VK_ACCESS_TRANSFER_READ_BIT | vk.VK_ACCESS_TRANSFER_WRITE_BIT))
        self.stages = vk.VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | vk.VK_PIPELINE_STAGE_TRANSFER_BIT
        self.ops: list[Op] = []
        self.sets = 0
        self.after: list[Callable[[], None]] = []  # run once the GPU is done (free staging buffers)
        self.recording = False
        self.dirty = False

    # -- recording ----------------------------------------------------------------------------
    def begin(self) -> None:
        vk = self.ctx.vk
        vk.vkResetDescriptorPool(self.ctx.device, self.desc_pool, 0)
        vk.vkBeginCommandBuffer(self.cmd, vk.VkCommandBufferBeginInfo(
            sType=vk.VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
            flags=vk.VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT))
        vk.vkCmdResetQueryPool(self.cmd, self.query_pool, 0, self.MAX_OPS + 1)
        vk.vkCmdWriteTimestamp(self.cmd, vk.VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, self.query_pool, 0)
        self.ops, self.sets, self.recording, self.dirty = [], 0, True, False

    def room(self, ops: int = 1, sets: int = 8) -> bool:
        return len(self.ops) + ops <= self.MAX_OPS and self.sets + sets <= self.MAX_SETS

    def dispatch(self, pipeline: "Pipeline", buffers: Sequence[Buffer], push: Sequence[float | int],
                 groups: tuple[int, int, int]) -> None:
        vk, ctx = self.ctx.vk, self.ctx
        kernel = pipeline.kernel
        if self.dirty:  # a layer's second dispatch may read what its first wrote
            self._barrier()
        if len(buffers) != kernel.bindings:
            raise ValueError(f"shader {kernel.name} takes {kernel.bindings} buffers, got {len(buffers)}")
        limit = ctx.max_group_count
        if any(g > m for g, m in zip(groups, limit)):
            raise ValueError(f"shader {kernel.name}: {groups} workgroups exceed the device limit {limit}")
        dset = vk.vkAllocateDescriptorSets(ctx.device, vk.VkDescriptorSetAllocateInfo(
            sType=vk.VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO, descriptorPool=self.desc_pool,
            descriptorSetCount=1, pSetLayouts=[pipeline.set_layout]))[0]
        self.sets += 1
        writes = [vk.VkWriteDescriptorSet(
            sType=vk.VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, dstSet=dset, dstBinding=i, descriptorCount=1,
            descriptorType=vk.VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            pBufferInfo=[vk.VkDescriptorBufferInfo(buffer=b.handle, offset=0, range=b.size)])
            for i, b in enumerate(buffers)]
        vk.vkUpdateDescriptorSets(ctx.device, len(writes), writes, 0, None)
        vk.vkCmdBindPipeline(self.cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle)
        vk.vkCmdBindDescriptorSets(self.cmd, vk.VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout, 0, 1, [dset], 0, None)
        if kernel.push:
            data = struct.pack("<" + kernel.push, *push)
            vk.vkCmdPushConstants(self.cmd, pipeline.layout, vk.VK_SHADER_STAGE_COMPUTE_BIT, 0, len(data),
                                  vk.ffi.new("char[]", data))
        vk.vkCmdDispatch(self.cmd, *groups)
        self.dirty = True

    def copy(self, src: Buffer, dst: Buffer, nbytes: int) -> None:
        vk = self.ctx.vk
        vk.vkCmdCopyBuffer(self.cmd, src.handle, dst.handle, 1, [vk.VkBufferCopy(srcOffset=0, dstOffset=0,
                                                                                 size=max(nbytes, 4))])

    def end_op(self, kind: str, key: Any = None) -> None:
        """Close the op just recorded: timestamp when it has finished, then the barrier."""
        vk = self.ctx.vk
        self.ops.append(Op(kind, key))
        vk.vkCmdWriteTimestamp(self.cmd, vk.VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, self.query_pool, len(self.ops))
        self._barrier()

    def _barrier(self) -> None:
        vk = self.ctx.vk
        vk.vkCmdPipelineBarrier(self.cmd, self.stages, self.stages, 0, 1, [self.barrier], 0, None, 0, None)
        self.dirty = False

    # -- submitting ---------------------------------------------------------------------------
    def flush(self) -> Flushed:
        """Submit, wait for the fence, read the timestamps; an empty segment costs nothing."""
        if not self.recording:
            return Flushed(0)
        vk, ctx = self.ctx.vk, self.ctx
        self.recording = False
        vk.vkEndCommandBuffer(self.cmd)
        submit = vk.VkSubmitInfo(sType=vk.VK_STRUCTURE_TYPE_SUBMIT_INFO, commandBufferCount=1,
                                 pCommandBuffers=[self.cmd])
        t0 = time.perf_counter_ns()
        try:
            vk.vkQueueSubmit(ctx.queue, 1, [submit], ctx.fence)
            vk.vkWaitForFences(ctx.device, 1, [ctx.fence], vk.VK_TRUE, FENCE_TIMEOUT_NS)
        except Exception as e:
            raise describe(e, "running recorded GPU work") from e
        sync = time.perf_counter_ns() - t0
        vk.vkResetFences(ctx.device, 1, [ctx.fence])
        n = len(self.ops) + 1
        stamps = vk.ffi.new(f"uint64_t[{n}]")
        if ctx.has_timestamps:
            vk.vkGetQueryPoolResults(ctx.device, self.query_pool, 0, n, 8 * n, stamps, 8,
                                     vk.VK_QUERY_RESULT_64_BIT | vk.VK_QUERY_RESULT_WAIT_BIT)
        period, mask = ctx.timestamp_period, ctx.timestamp_mask
        out = Flushed(sync, submit_ns=t0)
        for k, op in enumerate(self.ops):
            ticks = (stamps[k + 1] - stamps[k]) & mask
            out.ops.append((op, int(ticks * period)))
        for fn in self.after:
            fn()
        self.after.clear()
        return out

    def destroy(self) -> None:
        vk, ctx = self.ctx.vk, self.ctx
        vk.vkDestroyQueryPool(ctx.device, self.query_pool, None)
        vk.vkDestroyDescriptorPool(ctx.device, self.desc_pool, None)
        vk.vkFreeCommandBuffers(ctx.device, ctx.command_pool, 1, [self.cmd])
        ctx.live["query_pool"] -= 1
        ctx.live["descriptor_pool"] -= 1
