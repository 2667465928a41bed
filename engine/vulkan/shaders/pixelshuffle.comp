#version 450
// Depth to space: y (outc, h*r, w*r) from x (c, h, w); mode 0 PyTorch (p*r*r + sh*r + sw), 1 DCR.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P { int w; int h; int outc; int r; int mode; };

void main() {
    int ox = int(gl_GlobalInvocationID.x);
    int oy = int(gl_GlobalInvocationID.y);
    int p = int(gl_GlobalInvocationID.z);
    int ow = w * r, oh = h * r;
    if (ox >= ow || oy >= oh || p >= outc) return;
    int sh = oy % r, sw = ox % r;
    int ic = mode == 0 ? p * r * r + sh * r + sw : (sh * r + sw) * outc + p;
    y[(p * oh + oy) * ow + ox] = x[(ic * h + oy / r) * w + ox / r];
}
