/* A collection of small PRNGs (LCG, xorshift32/64, xorshift128+, splitmix64,
 * a PCG-style generator, xoshiro-style 256-bit state) with integer
 * statistical checks: chi-square over 256 buckets (scaled integer), serial
 * correlation of consecutive pairs, bit balance, and run-length statistics. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x9e9e9e9e7f7f7f7fULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 32; }

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

struct gen { const char *name; uint64_t s[4]; };

__attribute__((noinline)) static uint64_t next(int which, uint64_t *s) {
    switch (which) {
    case 0: s[0] = s[0] * 6364136223846793005ULL + 1442695040888963407ULL; return s[0] >> 32 | (s[0] & 0xffffffff00000000ULL);
    case 1: { uint32_t x = (uint32_t)s[0]; x ^= x << 13; x ^= x >> 17; x ^= x << 5; s[0] = x; return (uint64_t)x << 32 | x; }
    case 2: { uint64_t x = s[0]; x ^= x << 13; x ^= x >> 7; x ^= x << 17; s[0] = x; return x; }
    case 3: { uint64_t a = s[0], b = s[1]; s[0] = b; a ^= a << 23; s[1] = a ^ b ^ (a >> 17) ^ (b >> 26); return s[1] + b; }
    case 4: { uint64_t z = (s[0] += 0x9e3779b97f4a7c15ULL); z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL; z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL; return z ^ (z >> 31); }
    case 5: { uint64_t old = s[0]; s[0] = old * 6364136223846793005ULL + (s[1] | 1); uint32_t xs = (uint32_t)(((old >> 18) ^ old) >> 27); int rot = (int)(old >> 59);
              uint32_t r = (xs >> rot) | (xs << ((32 - rot) & 31)); return (uint64_t)r << 32 | (r ^ 0x5bd1e995u); }
    default: { uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17; s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45); return r; }
    }
}

struct stats { uint64_t chi1000; int64_t corr_q; uint32_t bits[64]; uint64_t runs; uint64_t longest; uint64_t last; };

__attribute__((noinline)) static void evaluate(int which, uint64_t *s, int n, struct stats *st) {
    uint32_t bucket[256] = { 0 };
    int64_t sxy = 0, sx = 0, sxx = 0;
    uint64_t prev = next(which, s);
    memset(st, 0, sizeof *st);
    uint64_t run = 1; int up_prev = -1;
    for (int i = 0; i < n; i++) {
        uint64_t v = next(which, s);
        bucket[v >> 56]++;
        int64_t a = (int64_t)(prev >> 54), b = (int64_t)(v >> 54); /* 10-bit samples */
        sxy += a * b; sx += a; sxx += a * a;
        for (int k = 0; k < 64; k += 8) st->bits[k] += (uint32_t)(v >> k & 1);
        int up = v > prev;
        if (up == up_prev) run++; else { st->runs++; if (run > st->longest) st->longest = run; run = 1; }
        up_prev = up;
        prev = v;
    }
    uint64_t exp1000 = (uint64_t)n * 1000 / 256, chi = 0;
    for (int i = 0; i < 256; i++) { int64_t d = (int64_t)bucket[i] * 1000 - (int64_t)exp1000; chi += (uint64_t)(d * d / (int64_t)exp1000); }
    st->chi1000 = chi / 1000;
    int64_t mean = sx / n;
    int64_t cov = sxy / n - mean * mean, var = sxx / n - mean * mean;
    st->corr_q = var ? cov * 10000 / var : 0;
    st->last = prev;
}

int main(void) {
    const char *names[] = { "lcg64", "xorshift32", "xorshift64", "xorshift128+", "splitmix64", "pcg-ish", "xoshiro-ish" };
    for (int g = 0; g < 7; g++) {
        uint64_t s[4] = { 0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL, 0x1234567887654321ULL, 0x0fedcba987654321ULL };
        if (g == 1) s[0] = 2463534242u;
        struct stats st;
        evaluate(g, s, 60000, &st);
        uint32_t minb = ~0u, maxb = 0;
        for (int k = 0; k < 64; k += 8) { if (st.bits[k] < minb) minb = st.bits[k]; if (st.bits[k] > maxb) maxb = st.bits[k]; }
        printf("%-13s chi2(255)=%llu corr*1e4=%lld bitbal=[%u,%u] runs=%llu longest=%llu last=%016llx\n", names[g], (unsigned long long)st.chi1000,
               (long long)st.corr_q, minb, maxb, (unsigned long long)st.runs, (unsigned long long)st.longest, (unsigned long long)st.last);
        ck_add(st.chi1000); ck_add((uint64_t)st.corr_q); ck_add(st.runs); ck_add(st.last); ck_add((uint64_t)minb << 32 | maxb);
    }
    /* a deliberately bad generator: RANDU-like */
    uint32_t x = 1; uint32_t triples = 0;
    for (int i = 0; i < 30000; i++) {
        uint32_t a = x = x * 65539u & 0x7fffffffu, b = x = x * 65539u & 0x7fffffffu, c = x = x * 65539u & 0x7fffffffu;
        /* RANDU satisfies c = 6b - 9a (mod 2^31) */
        triples += ((6u * b - 9u * a) & 0x7fffffffu) == c;
    }
    printf("randu triples satisfying the plane relation: %u/30000\n", triples);
    ck_add(triples);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
