/* Register-pressure stress aimed at machines with 31-32 registers per class
 * (AArch64) as well as x86-64: a 48-lane uint64 hashing loop (48 loop-carried
 * integer values), a bank of 40 one-pole IIR filters in double precision
 * (40 loop-carried floating values sharing one input stream), and a loop
 * mixing 20 integer and 20 floating loop-carried values around calls to a
 * non-inlined function. */
#include <stdio.h>
#include <stdint.h>
#include <math.h>

static uint64_t ck = 0x4c414e4553ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 31; }

#define NW 6000
static uint64_t words[NW];
static double samples[NW];

#define G8(g, b) uint64_t g##0 = b + 1, g##1 = b + 2, g##2 = b + 3, g##3 = b + 4, g##4 = b + 5, g##5 = b + 6, g##6 = b + 7, g##7 = b + 8
#define STEP8(g, o) g##0 = (g##0 ^ w[o]) * 0x9e3779b97f4a7c15ULL + g##7; g##1 = (g##1 + w[o + 1]) * 0xc2b2ae3d27d4eb4fULL ^ g##0; \
                    g##2 = (g##2 ^ w[o + 2]) * 0x165667b19e3779f9ULL + g##1; g##3 = (g##3 + w[o + 3]) * 0x85ebca77c2b2ae63ULL ^ g##2; \
                    g##4 = (g##4 ^ w[o + 4]) * 0x27d4eb2f165667c5ULL + g##3; g##5 = (g##5 + w[o + 5]) * 0xff51afd7ed558ccdULL ^ g##4; \
                    g##6 = (g##6 ^ w[o + 6]) * 0xc4ceb9fe1a85ec53ULL + g##5; g##7 = (g##7 + w[o + 7]) * 0x2545f4914f6cdd1dULL ^ g##6
#define FOLD8(g) r = (r ^ g##0) * 3 + g##1; r = (r ^ g##2) * 5 + g##3; r = (r ^ g##4) * 7 + g##5; r = (r ^ g##6) * 11 + g##7

__attribute__((noinline)) static uint64_t lanes48(const uint64_t *w, int n) {
    G8(a, 0x100); G8(b, 0x200); G8(c, 0x300); G8(d, 0x400); G8(e, 0x500); G8(f, 0x600);
    for (int i = 0; i + 48 <= n; i += 16) {
        STEP8(a, i); STEP8(b, i + 8); STEP8(c, i + 16); STEP8(d, i + 24); STEP8(e, i + 32); STEP8(f, i + 40);
    }
    uint64_t r = 0;
    FOLD8(a); FOLD8(b); FOLD8(c); FOLD8(d); FOLD8(e); FOLD8(f);
    return r;
}

/* 40 one-pole low-pass filters y += k * (x - y) with different k, all driven by the same input */
#define F8(g, base) double g##0 = 0, g##1 = 0, g##2 = 0, g##3 = 0, g##4 = 0, g##5 = 0, g##6 = 0, g##7 = 0; \
    const double k##g##0 = (base + 1) / 64.0, k##g##1 = (base + 2) / 64.0, k##g##2 = (base + 3) / 64.0, k##g##3 = (base + 4) / 64.0, \
                 k##g##4 = (base + 5) / 64.0, k##g##5 = (base + 6) / 64.0, k##g##6 = (base + 7) / 64.0, k##g##7 = (base + 8) / 64.0
#define U8(g) g##0 += k##g##0 * (x - g##0); g##1 += k##g##1 * (x - g##1); g##2 += k##g##2 * (x - g##2); g##3 += k##g##3 * (x - g##3); \
              g##4 += k##g##4 * (x - g##4); g##5 += k##g##5 * (x - g##5); g##6 += k##g##6 * (x - g##6); g##7 += k##g##7 * (x - g##7)
#define E8(g) e += g##0 * g##0 + g##1 * g##1 + g##2 * g##2 + g##3 * g##3 + g##4 * g##4 + g##5 * g##5 + g##6 * g##6 + g##7 * g##7; \
              o[idx++] = g##0; o[idx++] = g##7

__attribute__((noinline)) static double filter_bank(const double *s, int n, double o[10]) {
    F8(p, 0); F8(q, 8); F8(r, 16); F8(t, 24); F8(u, 32);
    for (int i = 0; i < n; i++) {
        double x = s[i];
        U8(p); U8(q); U8(r); U8(t); U8(u);
    }
    double e = 0; int idx = 0;
    E8(p); E8(q); E8(r); E8(t); E8(u);
    return e;
}

static volatile uint64_t sink;
__attribute__((noinline)) static uint64_t kernel(uint64_t x) { x ^= x >> 29; x *= 0xbf58476d1ce4e5b9ULL; sink = x; return x ^ (x >> 32); }

__attribute__((noinline)) static uint64_t mixed_calls(const uint64_t *w, const double *s, int n, double *fout) {
    uint64_t i0 = 1, i1 = 2, i2 = 3, i3 = 4, i4 = 5, i5 = 6, i6 = 7, i7 = 8, i8 = 9, i9 = 10;
    uint64_t j0 = 11, j1 = 12, j2 = 13, j3 = 14, j4 = 15, j5 = 16, j6 = 17, j7 = 18, j8 = 19, j9 = 20;
    double f0 = 0, f1 = 0, f2 = 0, f3 = 0, f4 = 0, f5 = 0, f6 = 0, f7 = 0, f8 = 0, f9 = 0;
    double g0 = 1, g1 = 1, g2 = 1, g3 = 1, g4 = 1, g5 = 1, g6 = 1, g7 = 1, g8 = 1, g9 = 1;
    for (int k = 0; k + 2 <= n; k += 2) {
        uint64_t h = kernel(w[k] + i0);
        i0 += h; i1 ^= h >> 3; i2 += i1; i3 ^= i2 << 1; i4 += i3 >> 2; i5 ^= i4 * 3; i6 += i5; i7 ^= i6 >> 5; i8 += i7; i9 ^= i8 + h;
        f0 += s[k]; f1 += f0 * 0.001; f2 -= s[k + 1] * 0.5; f3 += f2 * 0.01; f4 += (double)(h & 1023) * 0.0001; f5 += f4 * 0.001;
        f6 -= f5 * 0.0001; f7 += s[k] * s[k + 1]; f8 += f7 * 0.00001; f9 += f8 * 0.5 - f1 * 0.25;
        uint64_t h2 = kernel(w[k + 1] ^ j0);
        j0 += h2; j1 ^= h2 >> 7; j2 += j1 * 5; j3 ^= j2; j4 += j3 >> 1; j5 ^= j4; j6 += j5 * 7; j7 ^= j6; j8 += j7 >> 3; j9 ^= j8 + i9;
        g0 = g0 * 0.999 + s[k] * 0.001; g1 = g1 * 0.998 + g0 * 0.002; g2 = g2 * 0.997 + g1 * 0.003; g3 = g3 * 0.996 + g2 * 0.004;
        g4 = g4 * 0.995 + g3 * 0.005; g5 = g5 * 0.994 + g4 * 0.006; g6 = g6 * 0.993 + g5 * 0.007; g7 = g7 * 0.992 + g6 * 0.008;
        g8 = g8 * 0.991 + g7 * 0.009; g9 = g9 * 0.990 + g8 * 0.010 + (double)(h2 & 15) * 0.0001;
    }
    *fout = f0 + f1 + f2 + f3 + f4 + f5 + f6 + f7 + f8 + f9 + g0 + g1 + g2 + g3 + g4 + g5 + g6 + g7 + g8 + g9;
    return i0 + i1 + i2 + i3 + i4 + i5 + i6 + i7 + i8 + i9 + (j0 ^ j1 ^ j2 ^ j3 ^ j4 ^ j5 ^ j6 ^ j7 ^ j8 ^ j9);
}

int main(void) {
    uint64_t x = 0x0123456789abcdefULL;
    for (int i = 0; i < NW; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        words[i] = x;
        samples[i] = (double)(int64_t)(x % 20001) / 10000.0 - 1.0;
    }
    uint64_t acc = 0;
    for (int r = 0; r < 20; r++) { uint64_t h = lanes48(words + r, NW - 64); acc = acc * 31 + h; ck_add(h); }
    printf("lanes48: %016llx\n", (unsigned long long)acc);
    double o[10], etot = 0;
    for (int r = 0; r < 6; r++) {
        double e = filter_bank(samples + r * 100, NW - 600, o);
        etot += e;
        ck_add((uint64_t)llround(e * 1e6));
        for (int k = 0; k < 10; k++) ck_add((uint64_t)llround(o[k] * 1e9));
    }
    printf("filter bank: energy*1e6=%lld out0*1e9=%lld\n", (long long)llround(etot * 1e6), (long long)llround(o[0] * 1e9));
    double fo;
    uint64_t m = mixed_calls(words, samples, NW, &fo);
    printf("mixed_calls: %016llx f*1e6=%lld\n", (unsigned long long)m, (long long)llround(fo * 1e6));
    ck_add(m); ck_add((uint64_t)llround(fo * 1e6));
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
