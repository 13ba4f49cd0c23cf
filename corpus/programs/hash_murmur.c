/* Murmur-style hashing: a 32-bit block hash, a 128-bit (two 64-bit halves)
 * variant, a 4-way interleaved variant hashing four buffers at once (many live
 * values), plus a Bloom filter and a count-min sketch built on top. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

static uint64_t ck = 0x87c37b91114253d5ULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0x4cf5ad432745937fULL; ck ^= ck >> 31; }

static uint32_t rl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static uint64_t rl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint64_t fmix64(uint64_t k) { k ^= k >> 33; k *= 0xff51afd7ed558ccdULL; k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53ULL; k ^= k >> 33; return k; }

__attribute__((noinline)) static uint32_t mm32(const uint8_t *p, size_t n, uint32_t seed) {
    uint32_t h = seed;
    size_t nb = n / 4;
    for (size_t i = 0; i < nb; i++) {
        uint32_t k = ld32(p + 4 * i);
        k *= 0xcc9e2d51u; k = rl32(k, 15); k *= 0x1b873593u;
        h ^= k; h = rl32(h, 13); h = h * 5 + 0xe6546b64u;
    }
    const uint8_t *t = p + nb * 4;
    uint32_t k = 0;
    switch (n & 3) {
    case 3: k ^= (uint32_t)t[2] << 16; /* fallthrough */
    case 2: k ^= (uint32_t)t[1] << 8;  /* fallthrough */
    case 1: k ^= t[0]; k *= 0xcc9e2d51u; k = rl32(k, 15); k *= 0x1b873593u; h ^= k;
    }
    h ^= (uint32_t)n;
    h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16;
    return h;
}

__attribute__((noinline)) static void mm128(const uint8_t *p, size_t n, uint64_t seed, uint64_t out[2]) {
    const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
    uint64_t h1 = seed, h2 = seed;
    size_t nb = n / 16;
    for (size_t i = 0; i < nb; i++) {
        uint64_t k1 = ld64(p + 16 * i), k2 = ld64(p + 16 * i + 8);
        k1 *= c1; k1 = rl64(k1, 31); k1 *= c2; h1 ^= k1;
        h1 = rl64(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
        k2 *= c2; k2 = rl64(k2, 33); k2 *= c1; h2 ^= k2;
        h2 = rl64(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
    }
    const uint8_t *t = p + nb * 16;
    uint64_t k1 = 0, k2 = 0;
    size_t rem = n & 15;
    for (size_t i = rem; i > 8; i--) k2 ^= (uint64_t)t[i - 1] << (8 * (i - 9));
    if (rem > 8) { k2 *= c2; k2 = rl64(k2, 33); k2 *= c1; h2 ^= k2; }
    for (size_t i = rem < 8 ? rem : 8; i > 0; i--) k1 ^= (uint64_t)t[i - 1] << (8 * (i - 1));
    if (rem > 0) { k1 *= c1; k1 = rl64(k1, 31); k1 *= c2; h1 ^= k1; }
    h1 ^= n; h2 ^= n; h1 += h2; h2 += h1;
    h1 = fmix64(h1); h2 = fmix64(h2); h1 += h2; h2 += h1;
    out[0] = h1; out[1] = h2;
}

/* four independent 128-bit states advanced in lockstep over four buffers of equal length */
__attribute__((noinline)) static void mm128x4(const uint8_t *p0, const uint8_t *p1, const uint8_t *p2, const uint8_t *p3,
                                              size_t n, uint64_t out[8]) {
    const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
    uint64_t a1 = 1, a2 = 2, b1 = 3, b2 = 4, e1 = 5, e2 = 6, d1 = 7, d2 = 8;
    for (size_t i = 0; i + 16 <= n; i += 16) {
        uint64_t ka = ld64(p0 + i), la = ld64(p0 + i + 8), kb = ld64(p1 + i), lb = ld64(p1 + i + 8);
        uint64_t ke = ld64(p2 + i), le = ld64(p2 + i + 8), kd = ld64(p3 + i), ld = ld64(p3 + i + 8);
        ka = rl64(ka * c1, 31) * c2; kb = rl64(kb * c1, 31) * c2; ke = rl64(ke * c1, 31) * c2; kd = rl64(kd * c1, 31) * c2;
        la = rl64(la * c2, 33) * c1; lb = rl64(lb * c2, 33) * c1; le = rl64(le * c2, 33) * c1; ld = rl64(ld * c2, 33) * c1;
        a1 = (rl64(a1 ^ ka, 27) + a2) * 5 + 0x52dce729; b1 = (rl64(b1 ^ kb, 27) + b2) * 5 + 0x52dce729;
        e1 = (rl64(e1 ^ ke, 27) + e2) * 5 + 0x52dce729; d1 = (rl64(d1 ^ kd, 27) + d2) * 5 + 0x52dce729;
        a2 = (rl64(a2 ^ la, 31) + a1) * 5 + 0x38495ab5; b2 = (rl64(b2 ^ lb, 31) + b1) * 5 + 0x38495ab5;
        e2 = (rl64(e2 ^ le, 31) + e1) * 5 + 0x38495ab5; d2 = (rl64(d2 ^ ld, 31) + d1) * 5 + 0x38495ab5;
    }
    out[0] = fmix64(a1 + a2); out[1] = fmix64(a2 ^ a1); out[2] = fmix64(b1 + b2); out[3] = fmix64(b2 ^ b1);
    out[4] = fmix64(e1 + e2); out[5] = fmix64(e2 ^ e1); out[6] = fmix64(d1 + d2); out[7] = fmix64(d2 ^ d1);
}

#define BLOOM_BITS (1u << 16)
static uint8_t bloom[BLOOM_BITS / 8];
static void bloom_add(const uint8_t *k, size_t n) {
    uint64_t h[2]; mm128(k, n, 99, h);
    for (int i = 0; i < 5; i++) { uint32_t b = (uint32_t)((h[0] + (uint64_t)i * h[1]) % BLOOM_BITS); bloom[b >> 3] |= (uint8_t)(1u << (b & 7)); }
}
static int bloom_has(const uint8_t *k, size_t n) {
    uint64_t h[2]; mm128(k, n, 99, h);
    for (int i = 0; i < 5; i++) { uint32_t b = (uint32_t)((h[0] + (uint64_t)i * h[1]) % BLOOM_BITS); if (!(bloom[b >> 3] & (1u << (b & 7)))) return 0; }
    return 1;
}

int main(void) {
    enum { LEN = 4096 };
    uint8_t *buf = malloc(4 * LEN);
    uint32_t x = 0xdeadbeefu;
    for (int i = 0; i < 4 * LEN; i++) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; buf[i] = (uint8_t)x; }

    uint32_t acc = 0;
    for (size_t n = 0; n < 600; n += 3) acc = acc * 31 + mm32(buf + n, n, (uint32_t)n);
    printf("mm32 sweep: %08x  full=%08x\n", acc, mm32(buf, 4 * LEN, 0));
    ck_add(acc);
    uint64_t h[2], sum0 = 0, sum1 = 0;
    for (size_t n = 0; n < 600; n += 5) { mm128(buf + 3, n, n, h); sum0 += h[0]; sum1 ^= h[1]; }
    printf("mm128 sweep: %016llx %016llx\n", (unsigned long long)sum0, (unsigned long long)sum1);
    ck_add(sum0); ck_add(sum1);
    uint64_t o[8];
    for (int r = 0; r < 40; r++) {
        mm128x4(buf, buf + LEN, buf + 2 * LEN, buf + 3 * LEN, LEN - (size_t)r * 16, o);
        for (int i = 0; i < 8; i++) ck_add(o[i]);
        buf[r] ^= (uint8_t)o[r & 7];
    }
    printf("mm128x4: %016llx %016llx\n", (unsigned long long)o[0], (unsigned long long)o[7]);

    char key[32];
    for (int i = 0; i < 4000; i++) { int n = snprintf(key, sizeof key, "item-%d", i * 7); bloom_add((const uint8_t *)key, (size_t)n); }
    int present = 0, fp = 0;
    for (int i = 0; i < 4000; i++) { int n = snprintf(key, sizeof key, "item-%d", i * 7); present += bloom_has((const uint8_t *)key, (size_t)n); }
    for (int i = 0; i < 20000; i++) { int n = snprintf(key, sizeof key, "other-%d", i); fp += bloom_has((const uint8_t *)key, (size_t)n); }
    printf("bloom: present=%d false_positives=%d\n", present, fp);
    ck_add((uint64_t)present); ck_add((uint64_t)fp);

    /* count-min sketch over a skewed stream */
    static uint32_t cms[4][512];
    uint32_t truth[64] = { 0 };
    uint32_t y = 12345;
    for (int i = 0; i < 30000; i++) {
        y = y * 1103515245u + 12345u;
        uint32_t item = (y >> 16) % 64u;
        item = item * item / 64u; /* skew toward small ids */
        truth[item]++;
        for (int r = 0; r < 4; r++) cms[r][mm32((const uint8_t *)&item, 4, (uint32_t)r * 0x9e37u) & 511u]++;
    }
    uint64_t err = 0;
    for (uint32_t it = 0; it < 64; it++) {
        uint32_t est = ~0u;
        for (int r = 0; r < 4; r++) { uint32_t c = cms[r][mm32((const uint8_t *)&it, 4, (uint32_t)r * 0x9e37u) & 511u]; if (c < est) est = c; }
        err += est - truth[it];
        ck_add(est);
    }
    printf("cms: total_overestimate=%llu truth0=%u\n", (unsigned long long)err, truth[0]);
    free(buf);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
