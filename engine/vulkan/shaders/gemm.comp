#version 450
// Y = alpha * (A.B + c_scale * C) with every operand read through strides (transposes, broadcast C, a
// transposed output are strides); the sum over K in order, then C, then alpha, as the numpy Gemm does.
// z is a batch of up to two axes (z0, z1) = (z / nb1, z % nb1): A and B move by their own strides per
// axis (0 where broadcast: MatMul, attention heads), Y by y_sb per batch.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) readonly buffer C { float c[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform P {
    int m; int n; int k; int a_si; int a_sk; int b_sk; int b_sj; int c_si; int c_sj; int y_si; int y_sj;
    int has_c; float c_scale; float alpha; int a_sb0; int a_sb1; int b_sb0; int b_sb1; int y_sb; int nb1;
};

void main() {
    int j = int(gl_GlobalInvocationID.x);
    int i = int(gl_GlobalInvocationID.y);
    int z = int(gl_GlobalInvocationID.z);
    if (i >= m || j >= n) return;
    int z0 = z / nb1, z1 = z % nb1;
    int ab = z0 * a_sb0 + z1 * a_sb1, bb = z0 * b_sb0 + z1 * b_sb1;
    float sum = 0.0;
    for (int t = 0; t < k; t++) sum += a[ab + i * a_si + t * a_sk] * b[bb + t * b_sk + j * b_sj];
    if (has_c == 1) sum += c_scale == 1.0 ? c[i * c_si + j * c_sj] : c[i * c_si + j * c_sj] * c_scale;
    if (alpha != 1.0) sum *= alpha;
    y[z * y_sb + i * y_si + j * y_sj] = sum;
}
