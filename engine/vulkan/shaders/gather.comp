#version 450
// y[i] = x[idx[i]], or fill[-idx[i] - 1] where idx < 0: any pure data movement (crop, permute, slice,
// tile, padding, ...) as an index table that the numpy layer itself produced (engine/vulkan/layers/gather.py).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer Idx { int idx[]; };
layout(std430, binding = 2) readonly buffer Fill { float fill[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int n; };

void main() {
    uint i = flat_index();
    if (i >= uint(n)) return;
    int k = idx[i];
    y[i] = k >= 0 ? x[k] : fill[-k - 1];
}
