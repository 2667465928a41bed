#version 450
// Global max / average pooling: one invocation per channel over its `plane` values.
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int c; int plane; int type; };

void main() {
    int ch = int(gl_GlobalInvocationID.x);
    if (ch >= c) return;
    int base = ch * plane;
    float m = -3.402823466e+38;
    float sum = 0.0;
    for (int i = 0; i < plane; i++) {
        float v = x[base + i];
        m = max(m, v);
        sum += v;
    }
    y[ch] = type == 0 ? m : sum / float(plane);
}
