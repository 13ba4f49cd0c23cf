/* Manually unrolled reductions with many simultaneously live accumulators:
 * 16 uint64 + 16 double accumulators in one loop, a 32-lane polynomial hash,
 * and a loop that calls a non-inlined function while 24 values stay live.
 * Designed to force spilling on both x86-64 and AArch64. */
#include <stdio.h>
#include <stdint.h>
#include <math.h>

static uint64_t ck = 0xa0761d6478bd642fULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0xe7037ed1a0b428dbULL; ck ^= ck >> 32; }

#define NDATA 4096
static uint32_t data[NDATA];
static double fdata[NDATA];

__attribute__((noinline)) static uint64_t acc32(const uint32_t *d, const double *f, int n, double *fout) {
    uint64_t a0 = 0, a1 = 1, a2 = 2, a3 = 3, a4 = 4, a5 = 5, a6 = 6, a7 = 7;
    uint64_t a8 = 8, a9 = 9, a10 = 10, a11 = 11, a12 = 12, a13 = 13, a14 = 14, a15 = 15;
    double f0 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0, f6 = 0, f7 = 0;
    double f8 = 0, f9 = 0, f10 = 0, f11 = 0, f12 = 0, f13 = 0, f14 = 0, f15 = 0;
    for (int i = 0; i + 16 <= n; i += 16) {
        a0 = a0 * 31 + d[i];       f0 += f[i] * 0.5;
        a1 = a1 * 37 ^ d[i + 1];   f1 -= f[i + 1] * 0.25;
        a2 = a2 + (d[i + 2] << 3); f2 += f[i + 2] * f[i + 3];
        a3 = a3 * 41 + d[i + 3];   f3 += f[i + 3] - f[i + 4];
        a4 ^= d[i + 4] * 0x9e37u;  f4 += f[i + 4] * 1.5;
        a5 = a5 * 43 + (d[i + 5] >> 2); f5 += f[i + 5] * f[i + 5];
        a6 += d[i + 6] ^ a5;       f6 -= f[i + 6];
        a7 = a7 * 47 + d[i + 7];   f7 += f[i + 7] * 0.75;
        a8 = (a8 << 5 | a8 >> 59) + d[i + 8]; f8 += f[i + 8] * f[i];
        a9 = a9 * 53 ^ d[i + 9];   f9 += f[i + 9] * 2.0;
        a10 += d[i + 10] * (uint64_t)d[i + 11]; f10 += f[i + 10] - f[i + 11];
        a11 = a11 * 59 + d[i + 11]; f11 += f[i + 11] * 0.125;
        a12 ^= (uint64_t)d[i + 12] << 17; f12 += f[i + 12] * f[i + 13];
        a13 = a13 * 61 + d[i + 13]; f13 -= f[i + 13] * 3.0;
        a14 += d[i + 14] + a0;     f14 += f[i + 14];
        a15 = a15 * 67 ^ d[i + 15]; f15 += f[i + 15] * f[i + 14];
    }
    *fout = ((f0 + f1) + (f2 + f3)) + ((f4 + f5) + (f6 + f7)) + ((f8 + f9) + (f10 + f11)) + ((f12 + f13) + (f14 + f15));
    return a0 ^ (a1 * 3) ^ (a2 * 5) ^ (a3 * 7) ^ (a4 * 11) ^ (a5 * 13) ^ (a6 * 17) ^ (a7 * 19) ^
           (a8 * 23) ^ (a9 * 29) ^ (a10 * 31) ^ (a11 * 37) ^ (a12 * 41) ^ (a13 * 43) ^ (a14 * 47) ^ (a15 * 53);
}

/* 32-lane polynomial hash: 32 live uint32 lanes */
#define L8(b) uint32_t h##b##0 = b * 8 + 0, h##b##1 = b * 8 + 1, h##b##2 = b * 8 + 2, h##b##3 = b * 8 + 3, \
              h##b##4 = b * 8 + 4, h##b##5 = b * 8 + 5, h##b##6 = b * 8 + 6, h##b##7 = b * 8 + 7
#define U8(b, o) h##b##0 = h##b##0 * 33u + d[i + o]; h##b##1 = h##b##1 * 35u + d[i + o + 1]; \
                 h##b##2 = h##b##2 * 37u + d[i + o + 2]; h##b##3 = h##b##3 * 39u + d[i + o + 3]; \
                 h##b##4 = h##b##4 * 41u + d[i + o + 4]; h##b##5 = h##b##5 * 43u + d[i + o + 5]; \
                 h##b##6 = h##b##6 * 45u + d[i + o + 6]; h##b##7 = h##b##7 * 47u + d[i + o + 7]
#define F8(b) r = r * 3 + h##b##0; r = r * 3 + h##b##1; r = r * 3 + h##b##2; r = r * 3 + h##b##3; \
              r = r * 3 + h##b##4; r = r * 3 + h##b##5; r = r * 3 + h##b##6; r = r * 3 + h##b##7

__attribute__((noinline)) static uint64_t lanes32(const uint32_t *d, int n) {
    L8(0); L8(1); L8(2); L8(3);
    for (int i = 0; i + 32 <= n; i += 32) { U8(0, 0); U8(1, 8); U8(2, 16); U8(3, 24); }
    uint64_t r = 0;
    F8(0); F8(1); F8(2); F8(3);
    return r;
}

static volatile uint32_t sink;
__attribute__((noinline)) static uint32_t opaque(uint32_t x, int k) {
    uint32_t y = x;
    for (int i = 0; i < (k & 7) + 1; i++) y = y * 2654435761u ^ (y >> 15);
    sink = y;
    return y;
}

/* 12 integer + 12 double values live across a call in every iteration */
__attribute__((noinline)) static uint64_t live_across_calls(const uint32_t *d, const double *f, int n, double *fo) {
    uint64_t s0 = 1, s1 = 2, s2 = 3, s3 = 4, s4 = 5, s5 = 6, s6 = 7, s7 = 8, s8 = 9, s9 = 10, s10 = 11, s11 = 12;
    double g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0, g8 = 0, g9 = 0, g10 = 0, g11 = 0;
    for (int i = 0; i + 4 <= n; i += 4) {
        uint32_t o = opaque(d[i], i);
        s0 += o; s1 ^= o * 3u; s2 += s0 >> 3; s3 = s3 * 5 + d[i + 1]; s4 ^= s2 + o; s5 += d[i + 2] * (uint64_t)o;
        g0 += f[i]; g1 += f[i + 1] * 0.5; g2 -= f[i + 2]; g3 += f[i + 3] * f[i];
        uint32_t p = opaque(d[i + 3], i + 1);
        s6 += p; s7 = s7 * 7 + (p >> 4); s8 ^= s6 << 3; s9 += s7 ^ s5; s10 += p & 0xffu; s11 = s11 * 11 + s10;
        g4 += (double)(p & 1023u) * 0.001; g5 += g0 * 0.0001; g6 -= g1 * 0.25; g7 += f[i + 1] - f[i + 2];
        g8 += g3 * 0.5; g9 += (double)(o & 255u); g10 += g9 * 0.125; g11 -= f[i + 3] * 0.0625;
    }
    *fo = g0 + g1 + g2 + g3 + g4 + g5 + g6 + g7 + g8 + g9 + g10 + g11;
    return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7 + s8 + s9 + s10 + s11;
}

int main(void) {
    uint32_t x = 2463534242u;
    for (int i = 0; i < NDATA; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        data[i] = x;
        fdata[i] = (double)(int)(x % 2001u) / 1000.0 - 1.0; /* in [-1, 1] */
    }
    uint64_t tot = 0;
    double fsum = 0;
    for (int rep = 0; rep < 24; rep++) {
        double fo;
        uint64_t r = acc32(data, fdata, NDATA - rep * 16, &fo);
        tot ^= r + (uint64_t)rep; fsum += fo;
        ck_add(r); ck_add((uint64_t)llround(fo * 1000.0));
    }
    printf("acc32: %016llx fsum*1000=%lld\n", (unsigned long long)tot, (long long)llround(fsum * 1000.0));
    uint64_t lh = 0;
    for (int rep = 0; rep < 40; rep++) { lh = lh * 7 + lanes32(data + rep, NDATA - 64); }
    printf("lanes32: %016llx\n", (unsigned long long)lh);
    ck_add(lh);
    double fo;
    uint64_t lc = live_across_calls(data, fdata, NDATA, &fo);
    printf("live_across_calls: %016llx f*1000=%lld\n", (unsigned long long)lc, (long long)llround(fo * 1000.0));
    ck_add(lc); ck_add((uint64_t)llround(fo * 1000.0));
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
