#version 450
// Softmax over the middle axis of an (outer, n, inner) view; one invocation per (outer, inner) pair.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int outer; int n; int inner; };

void main() {
    uint id = gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u;
    if (id >= uint(outer * inner)) return;
    int o = int(id) / inner;
    int i = int(id) % inner;
    int base = o * n * inner + i;
    float m = -3.402823466e+38;
    for (int k = 0; k < n; k++) m = max(m, x[base + k * inner]);
    float s = 0.0;
    for (int k = 0; k < n; k++) s += exp(x[base + k * inner] - m);
    for (int k = 0; k < n; k++) y[base + k * inner] = exp(x[base + k * inner] - m) / s;
}
