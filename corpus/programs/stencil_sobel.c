/* Image filters on a synthetic 8-bit image: Sobel gradient magnitude,
 * 3x3 median via a fully unrolled sorting network (nine live values plus
 * temporaries), 5x5 Gaussian blur with integer weights, erosion/dilation and
 * a histogram equalisation. High register pressure in the median/blur kernels. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x7f4a7c159e3779b9ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 27; }

#define IW 160
#define IH 120

static uint64_t img_hash(const uint8_t *p, int n) { uint64_t h = 0; for (int i = 0; i < n; i++) h = h * 131 + p[i]; return h; }

__attribute__((noinline)) static void sobel(const uint8_t *in, uint8_t *out) {
    memset(out, 0, IW * IH);
    for (int y = 1; y < IH - 1; y++)
        for (int x = 1; x < IW - 1; x++) {
            const uint8_t *r0 = in + (y - 1) * IW + x, *r1 = in + y * IW + x, *r2 = in + (y + 1) * IW + x;
            int gx = -r0[-1] + r0[1] - 2 * r1[-1] + 2 * r1[1] - r2[-1] + r2[1];
            int gy = -r0[-1] - 2 * r0[0] - r0[1] + r2[-1] + 2 * r2[0] + r2[1];
            int m = (gx < 0 ? -gx : gx) + (gy < 0 ? -gy : gy);
            out[y * IW + x] = (uint8_t)(m > 255 ? 255 : m);
        }
}

#define SORT2(a, b) do { int lo_ = a < b ? a : b; int hi_ = a < b ? b : a; a = lo_; b = hi_; } while (0)

__attribute__((noinline)) static void median3x3(const uint8_t *in, uint8_t *out) {
    memcpy(out, in, IW * IH);
    for (int y = 1; y < IH - 1; y++)
        for (int x = 1; x < IW - 1; x++) {
            const uint8_t *r0 = in + (y - 1) * IW + x, *r1 = in + y * IW + x, *r2 = in + (y + 1) * IW + x;
            int p0 = r0[-1], p1 = r0[0], p2 = r0[1], p3 = r1[-1], p4 = r1[0], p5 = r1[1], p6 = r2[-1], p7 = r2[0], p8 = r2[1];
            SORT2(p1, p2); SORT2(p4, p5); SORT2(p7, p8); SORT2(p0, p1); SORT2(p3, p4); SORT2(p6, p7);
            SORT2(p1, p2); SORT2(p4, p5); SORT2(p7, p8); SORT2(p0, p3); SORT2(p5, p8); SORT2(p4, p7);
            SORT2(p3, p6); SORT2(p1, p4); SORT2(p2, p5); SORT2(p4, p7); SORT2(p4, p2); SORT2(p6, p4);
            SORT2(p4, p2);
            out[y * IW + x] = (uint8_t)p4;
        }
}

/* 5x5 gaussian (1 4 6 4 1)^T (1 4 6 4 1) / 256 computed directly with 25 loads */
__attribute__((noinline)) static void blur5(const uint8_t *in, uint8_t *out) {
    memcpy(out, in, IW * IH);
    for (int y = 2; y < IH - 2; y++)
        for (int x = 2; x < IW - 2; x++) {
            const uint8_t *r0 = in + (y - 2) * IW + x, *r1 = r0 + IW, *r2 = r1 + IW, *r3 = r2 + IW, *r4 = r3 + IW;
            uint32_t a0 = r0[-2], a1 = r0[-1], a2 = r0[0], a3 = r0[1], a4 = r0[2];
            uint32_t b0 = r1[-2], b1 = r1[-1], b2 = r1[0], b3 = r1[1], b4 = r1[2];
            uint32_t c0 = r2[-2], c1 = r2[-1], c2 = r2[0], c3 = r2[1], c4 = r2[2];
            uint32_t d0 = r3[-2], d1 = r3[-1], d2 = r3[0], d3 = r3[1], d4 = r3[2];
            uint32_t e0 = r4[-2], e1 = r4[-1], e2 = r4[0], e3 = r4[1], e4 = r4[2];
            uint32_t ra = a0 + 4 * a1 + 6 * a2 + 4 * a3 + a4, rb = b0 + 4 * b1 + 6 * b2 + 4 * b3 + b4;
            uint32_t rc = c0 + 4 * c1 + 6 * c2 + 4 * c3 + c4, rd = d0 + 4 * d1 + 6 * d2 + 4 * d3 + d4;
            uint32_t re = e0 + 4 * e1 + 6 * e2 + 4 * e3 + e4;
            out[y * IW + x] = (uint8_t)((ra + 4 * rb + 6 * rc + 4 * rd + re + 128) >> 8);
        }
}

__attribute__((noinline)) static void morph(const uint8_t *in, uint8_t *out, int dilate) {
    for (int y = 0; y < IH; y++)
        for (int x = 0; x < IW; x++) {
            int best = dilate ? 0 : 255;
            for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) {
                int yy = y + dy, xx = x + dx;
                if (yy < 0 || yy >= IH || xx < 0 || xx >= IW) continue;
                int v = in[yy * IW + xx];
                if (dilate ? v > best : v < best) best = v;
            }
            out[y * IW + x] = (uint8_t)best;
        }
}

__attribute__((noinline)) static void equalize(const uint8_t *in, uint8_t *out) {
    uint32_t hist[256] = { 0 }, cdf[256];
    for (int i = 0; i < IW * IH; i++) hist[in[i]]++;
    uint32_t c = 0, cmin = 0;
    for (int v = 0; v < 256; v++) { c += hist[v]; cdf[v] = c; if (!cmin && c) cmin = c; }
    for (int i = 0; i < IW * IH; i++) {
        uint32_t den = IW * IH - cmin;
        out[i] = (uint8_t)(den ? ((uint64_t)(cdf[in[i]] - cmin) * 255u + den / 2) / den : 0);
    }
}

int main(void) {
    uint8_t *img = malloc(IW * IH), *t1 = malloc(IW * IH), *t2 = malloc(IW * IH);
    uint32_t s = 777;
    for (int y = 0; y < IH; y++)
        for (int x = 0; x < IW; x++) {
            s = s * 1664525u + 1013904223u;
            int v = (x * 3 + y * 2) % 256;
            if ((x - 80) * (x - 80) + (y - 60) * (y - 60) < 900) v = 255 - v / 2;
            if ((s >> 24) < 12) v = (s >> 20) & 1 ? 255 : 0; /* salt & pepper */
            img[y * IW + x] = (uint8_t)v;
        }
    printf("input hash=%016llx\n", (unsigned long long)img_hash(img, IW * IH));
    sobel(img, t1);
    uint32_t edges = 0; for (int i = 0; i < IW * IH; i++) edges += t1[i] > 128;
    printf("sobel: strong edges=%u hash=%016llx\n", edges, (unsigned long long)img_hash(t1, IW * IH));
    ck_add(edges); ck_add(img_hash(t1, IW * IH));
    median3x3(img, t1);
    uint32_t extreme = 0; for (int i = 0; i < IW * IH; i++) extreme += t1[i] == 0 || t1[i] == 255;
    printf("median: extreme pixels=%u hash=%016llx\n", extreme, (unsigned long long)img_hash(t1, IW * IH));
    ck_add(extreme); ck_add(img_hash(t1, IW * IH));
    for (int r = 0; r < 3; r++) { blur5(t1, t2); blur5(t2, t1); }
    printf("blur: hash=%016llx center=%u\n", (unsigned long long)img_hash(t1, IW * IH), t1[60 * IW + 80]);
    ck_add(img_hash(t1, IW * IH));
    morph(img, t1, 0); morph(t1, t2, 1); /* opening */
    printf("opening hash=%016llx\n", (unsigned long long)img_hash(t2, IW * IH));
    ck_add(img_hash(t2, IW * IH));
    equalize(t2, t1);
    printf("equalized hash=%016llx\n", (unsigned long long)img_hash(t1, IW * IH));
    ck_add(img_hash(t1, IW * IH));
    free(img); free(t1); free(t2);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
