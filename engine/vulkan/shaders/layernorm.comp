#version 450
// LayerNorm over rows of `span` values: two-pass mean and biased variance, r = 1/sqrt(var + eps),
// y = fma(x, r, -mean*r), then fma(y, gamma[k], beta[k]) when affine (engine/layers/layernorm.py).
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer G { float gamma[]; };
layout(std430, binding = 2) readonly buffer B { float beta[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int rows; int span; int affine; float eps; };

void main() {
    int row = int(gl_GlobalInvocationID.x + gl_GlobalInvocationID.y * gl_NumWorkGroups.x * 64u);
    if (row >= rows) return;
    int base = row * span;
    float sum = 0.0;
    for (int k = 0; k < span; k++) sum += x[base + k];
    float mean = sum / float(span);
    float sq = 0.0;
    for (int k = 0; k < span; k++) { float d = x[base + k] - mean; sq += d * d; }
    float var = sq / float(span);
    float r = 1.0 / sqrt(var + eps);
    float m = mean * r;
    for (int k = 0; k < span; k++) {
        float v = fma(x[base + k], r, -m);
        y[base + k] = affine == 1 ? fma(v, gamma[k], beta[k]) : v;
    }
}
