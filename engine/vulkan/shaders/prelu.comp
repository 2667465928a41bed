#version 450
// PReLU with one slope per outermost-axis slice (plane = elements per slice; num 1 = shared slope).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer Slope { float s[]; };
layout(std430, binding = 2) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int n; int plane; int shared_slope; };

void main() {
    uint i = flat_index();
    if (i >= uint(n)) return;
    float v = x[i];
    float k = shared_slope == 1 ? s[0] : s[i / uint(plane)];
    y[i] = max(v, 0.0) + k * min(v, 0.0);
}
