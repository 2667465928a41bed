#version 450
// Copy a (ec, eh, ew) box from x (c, h, w) at (ic, iy, ix) into y (oc, oh, ow) at (jc, jy, jx).
// Concat, Crop, Slice and Padding's interior all are this copy.
layout(local_size_x = 8, local_size_y = 8, local_size_z = 1) in;
layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };
layout(push_constant) uniform P {
    int w; int h; int ow; int oh; int ew; int eh; int ec; int ix; int iy; int ic; int jx; int jy; int jc;
};

void main() {
    int gx = int(gl_GlobalInvocationID.x);
    int gy = int(gl_GlobalInvocationID.y);
    int gz = int(gl_GlobalInvocationID.z);
    if (gx >= ew || gy >= eh || gz >= ec) return;
    y[((jc + gz) * oh + jy + gy) * ow + jx + gx] = x[((ic + gz) * h + iy + gy) * w + ix + gx];
}
