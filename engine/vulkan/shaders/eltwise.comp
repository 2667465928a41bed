#version 450
// One step of Eltwise over same-shape blobs: op 0 a*b, 1 a*ca + b*cb, 2 max(a, b).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int n; int op; float ca; float cb; };

void main() {
    uint i = flat_index();
    if (i >= uint(n)) return;
    float u = a[i], v = b[i];
    y[i] = op == 0 ? u * v : (op == 2 ? max(u, v) : u * ca + v * cb);
}
