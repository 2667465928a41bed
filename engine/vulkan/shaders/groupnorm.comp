#version 450
// Normalise each group of `cg` channels (plane values each) with its own mean and biased variance;
// a = gamma[ch] / sqrt(var + eps), y = fma(x, a, beta[ch] - mean * a) (InstanceNorm: cg = 1; GroupNorm).
layout(local_size_x = 64) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) readonly buffer G { float gamma[]; };
layout(std430, binding = 2) readonly buffer B { float beta[]; };
layout(std430, binding = 3) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int groups; int cg; int plane; int affine; float eps; };

void main() {
    int g = int(gl_GlobalInvocationID.x);
    if (g >= groups) return;
    int span = cg * plane;
    int base = g * span;
    float sum = 0.0;
    for (int k = 0; k < span; k++) sum += x[base + k];
    float mean = sum / float(span);
    float sq = 0.0;
    for (int k = 0; k < span; k++) { float d = x[base + k] - mean; sq += d * d; }
    float r = 1.0 / sqrt(sq / float(span) + eps);
    for (int c = 0; c < cg; c++) {
        int ch = g * cg + c;
        float a = affine == 1 ? gamma[ch] * r : r;
        float b = affine == 1 ? beta[ch] - mean * a : -mean * a;
        for (int k = 0; k < plane; k++) {
            int i = base + c * plane + k;
            y[i] = fma(x[i], a, b);
        }
    }
}
