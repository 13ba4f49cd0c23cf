/* 2-D convolution: a generic KxK version, a 5x5 version with all 25 kernel
 * weights held in locals across the whole image loop and a sliding 5x5 pixel
 * window (50 live values: high register pressure), separable convolution,
 * and an integer Laplacian-of-Gaussian edge count. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xc0c0c0c0a1a1a1a1ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x9e3779b97f4a7c15ULL; ck ^= ck >> 27; }

#define W 128
#define H 96

__attribute__((noinline)) static void conv_generic(const int32_t *in, int32_t *out, const int32_t *k, int ks) {
    int r = ks / 2;
    memset(out, 0, sizeof(int32_t) * W * H);
    for (int y = r; y < H - r; y++)
        for (int x = r; x < W - r; x++) {
            int64_t acc = 0;
            for (int j = 0; j < ks; j++) for (int i = 0; i < ks; i++) acc += (int64_t)k[j * ks + i] * in[(y + j - r) * W + (x + i - r)];
            out[y * W + x] = (int32_t)(acc / 256);
        }
}

#define KL(j) int32_t k##j##0 = k[j * 5], k##j##1 = k[j * 5 + 1], k##j##2 = k[j * 5 + 2], k##j##3 = k[j * 5 + 3], k##j##4 = k[j * 5 + 4]
#define ROWSUM(j, p) ((int64_t)k##j##0 * p[0] + (int64_t)k##j##1 * p[1] + (int64_t)k##j##2 * p[2] + (int64_t)k##j##3 * p[3] + (int64_t)k##j##4 * p[4])

__attribute__((noinline)) static void conv5_regs(const int32_t *in, int32_t *out, const int32_t *k) {
    KL(0); KL(1); KL(2); KL(3); KL(4);
    memset(out, 0, sizeof(int32_t) * W * H);
    for (int y = 2; y < H - 2; y++) {
        /* sliding window: columns c0..c4 of 5 rows each */
        const int32_t *r0 = in + (y - 2) * W, *r1 = r0 + W, *r2 = r1 + W, *r3 = r2 + W, *r4 = r3 + W;
        int32_t a0 = r0[0], a1 = r0[1], a2 = r0[2], a3 = r0[3];
        int32_t b0 = r1[0], b1 = r1[1], b2 = r1[2], b3 = r1[3];
        int32_t c0 = r2[0], c1 = r2[1], c2 = r2[2], c3 = r2[3];
        int32_t d0 = r3[0], d1 = r3[1], d2 = r3[2], d3 = r3[3];
        int32_t e0 = r4[0], e1 = r4[1], e2 = r4[2], e3 = r4[3];
        for (int x = 2; x < W - 2; x++) {
            int32_t a4 = r0[x + 2], b4 = r1[x + 2], c4 = r2[x + 2], d4 = r3[x + 2], e4 = r4[x + 2];
            int32_t pa[5] = { a0, a1, a2, a3, a4 }, pb[5] = { b0, b1, b2, b3, b4 }, pc[5] = { c0, c1, c2, c3, c4 };
            int32_t pd[5] = { d0, d1, d2, d3, d4 }, pe[5] = { e0, e1, e2, e3, e4 };
            int64_t acc = ROWSUM(0, pa) + ROWSUM(1, pb) + ROWSUM(2, pc) + ROWSUM(3, pd) + ROWSUM(4, pe);
            out[y * W + x] = (int32_t)(acc / 256);
            a0 = a1; a1 = a2; a2 = a3; a3 = a4; b0 = b1; b1 = b2; b2 = b3; b3 = b4; c0 = c1; c1 = c2; c2 = c3; c3 = c4;
            d0 = d1; d1 = d2; d2 = d3; d3 = d4; e0 = e1; e1 = e2; e2 = e3; e3 = e4;
        }
    }
}

__attribute__((noinline)) static void conv_separable(const int32_t *in, int32_t *out, const int32_t *kv, const int32_t *kh, int ks) {
    int r = ks / 2;
    int32_t *tmp = calloc(W * H, sizeof(int32_t));
    for (int y = 0; y < H; y++) for (int x = r; x < W - r; x++) { int64_t a = 0; for (int i = 0; i < ks; i++) a += (int64_t)kh[i] * in[y * W + x + i - r]; tmp[y * W + x] = (int32_t)a; }
    memset(out, 0, sizeof(int32_t) * W * H);
    for (int y = r; y < H - r; y++) for (int x = r; x < W - r; x++) { int64_t a = 0; for (int j = 0; j < ks; j++) a += (int64_t)kv[j] * tmp[(y + j - r) * W + x]; out[y * W + x] = (int32_t)(a / 256); }
    free(tmp);
}

static uint64_t hsh(const int32_t *p) { uint64_t h = 0; for (int i = 0; i < W * H; i++) h = h * 1000003u + (uint32_t)p[i]; return h; }

int main(void) {
    int32_t *img = malloc(sizeof(int32_t) * W * H), *o1 = malloc(sizeof(int32_t) * W * H), *o2 = malloc(sizeof(int32_t) * W * H), *o3 = malloc(sizeof(int32_t) * W * H);
    uint32_t s = 4040;
    for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) {
        s = s * 1664525u + 1013904223u;
        int v = ((x / 16 + y / 12) % 2) * 180 + (x * y) % 37 + (int)(s >> 28);
        img[y * W + x] = v;
    }
    int32_t g1[5] = { 1, 4, 6, 4, 1 }, gk[25];
    for (int j = 0; j < 5; j++) for (int i = 0; i < 5; i++) gk[j * 5 + i] = g1[j] * g1[i];
    conv_generic(img, o1, gk, 5); conv5_regs(img, o2, gk); conv_separable(img, o3, g1, g1, 5);
    printf("gaussian 5x5: generic==regs %d generic==separable %d hash=%016llx\n", hsh(o1) == hsh(o2), hsh(o1) == hsh(o3), (unsigned long long)hsh(o1));
    ck_add(hsh(o1));
    int32_t sharp[25];
    for (int i = 0; i < 25; i++) sharp[i] = -(i % 3) - 1;
    sharp[12] = 256 + 48;
    int64_t rep = 0;
    for (int r = 0; r < 6; r++) {
        sharp[r] += r * 3;
        conv5_regs(img, o2, sharp); conv_generic(img, o1, sharp, 5);
        rep += hsh(o1) == hsh(o2);
        ck_add(hsh(o2));
    }
    printf("sharpen variants agreeing=%lld\n", (long long)rep);
    /* LoG-like kernel, count zero crossings */
    int32_t log5[25] = { 0, 0, -1, 0, 0, 0, -1, -2, -1, 0, -1, -2, 16, -2, -1, 0, -1, -2, -1, 0, 0, 0, -1, 0, 0 };
    for (int i = 0; i < 25; i++) log5[i] *= 64;
    conv5_regs(img, o2, log5);
    int zc = 0;
    for (int y = 3; y < H - 3; y++) for (int x = 3; x < W - 3; x++) { int32_t a = o2[y * W + x], b = o2[y * W + x + 1], c = o2[(y + 1) * W + x]; zc += (a > 0 && b < 0) || (a < 0 && b > 0) || (a > 0 && c < 0) || (a < 0 && c > 0); }
    printf("LoG zero crossings=%d\n", zc);
    ck_add((uint64_t)zc);
    free(img); free(o1); free(o2); free(o3);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
