/* xxHash-style hashing: a 32-bit 4-lane variant and a 64-bit 8-lane variant
 * whose inner loop keeps eight accumulators plus sixteen loaded words live
 * (high register pressure), with avalanche finalisers and seed sweeps. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x27d4eb2f165667c5ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x9fb21c651e98df25ULL; ck ^= ck >> 28; }

#define P32_1 0x9E3779B1u
#define P32_2 0x85EBCA77u
#define P32_3 0xC2B2AE3Du
#define P32_4 0x27D4EB2Fu
#define P32_5 0x165667B1u
#define P64_1 0x9E3779B185EBCA87ULL
#define P64_2 0xC2B2AE3D27D4EB4FULL
#define P64_3 0x165667B19E3779F9ULL
#define P64_4 0x85EBCA77C2B2AE63ULL
#define P64_5 0x27D4EB2F165667C5ULL

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static uint64_t rotl64(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

__attribute__((noinline)) static uint32_t hx32(const uint8_t *p, size_t len, uint32_t seed) {
    const uint8_t *end = p + len;
    uint32_t h;
    if (len >= 16) {
        uint32_t v1 = seed + P32_1 + P32_2, v2 = seed + P32_2, v3 = seed, v4 = seed - P32_1;
        const uint8_t *lim = end - 16;
        do {
            v1 = rotl32(v1 + rd32(p) * P32_2, 13) * P32_1;
            v2 = rotl32(v2 + rd32(p + 4) * P32_2, 13) * P32_1;
            v3 = rotl32(v3 + rd32(p + 8) * P32_2, 13) * P32_1;
            v4 = rotl32(v4 + rd32(p + 12) * P32_2, 13) * P32_1;
            p += 16;
        } while (p <= lim);
        h = rotl32(v1, 1) + rotl32(v2, 7) + rotl32(v3, 12) + rotl32(v4, 18);
    } else {
        h = seed + P32_5;
    }
    h += (uint32_t)len;
    while (p + 4 <= end) { h = rotl32(h + rd32(p) * P32_3, 17) * P32_4; p += 4; }
    while (p < end) { h = rotl32(h + *p * P32_5, 11) * P32_1; p++; }
    h ^= h >> 15; h *= P32_2; h ^= h >> 13; h *= P32_3; h ^= h >> 16;
    return h;
}

static uint64_t lane(uint64_t acc, uint64_t in) { return rotl64(acc + in * P64_2, 31) * P64_1; }
static uint64_t merge(uint64_t h, uint64_t v) { h ^= lane(0, v); return h * P64_1 + P64_4; }

/* 8 lanes, 64 bytes per stripe, two stripes per iteration: 8 accumulators and 16 loads live */
__attribute__((noinline)) static uint64_t hx64x8(const uint8_t *p, size_t len, uint64_t seed) {
    const uint8_t *end = p + len;
    uint64_t h;
    if (len >= 128) {
        uint64_t a0 = seed + P64_1 + P64_2, a1 = seed + P64_2, a2 = seed, a3 = seed - P64_1;
        uint64_t a4 = seed ^ P64_3, a5 = seed + P64_4, a6 = rotl64(seed, 17), a7 = ~seed;
        while (p + 128 <= end) {
            uint64_t x0 = rd64(p), x1 = rd64(p + 8), x2 = rd64(p + 16), x3 = rd64(p + 24);
            uint64_t x4 = rd64(p + 32), x5 = rd64(p + 40), x6 = rd64(p + 48), x7 = rd64(p + 56);
            uint64_t y0 = rd64(p + 64), y1 = rd64(p + 72), y2 = rd64(p + 80), y3 = rd64(p + 88);
            uint64_t y4 = rd64(p + 96), y5 = rd64(p + 104), y6 = rd64(p + 112), y7 = rd64(p + 120);
            a0 = lane(a0, x0 ^ y7); a1 = lane(a1, x1 ^ y6); a2 = lane(a2, x2 ^ y5); a3 = lane(a3, x3 ^ y4);
            a4 = lane(a4, x4 ^ y3); a5 = lane(a5, x5 ^ y2); a6 = lane(a6, x6 ^ y1); a7 = lane(a7, x7 ^ y0);
            a0 = lane(a0, y0 + x1); a1 = lane(a1, y1 + x2); a2 = lane(a2, y2 + x3); a3 = lane(a3, y3 + x4);
            a4 = lane(a4, y4 + x5); a5 = lane(a5, y5 + x6); a6 = lane(a6, y6 + x7); a7 = lane(a7, y7 + x0);
            p += 128;
        }
        h = rotl64(a0, 1) + rotl64(a1, 7) + rotl64(a2, 12) + rotl64(a3, 18) +
            rotl64(a4, 23) + rotl64(a5, 29) + rotl64(a6, 37) + rotl64(a7, 43);
        h = merge(h, a0); h = merge(h, a1); h = merge(h, a2); h = merge(h, a3);
        h = merge(h, a4); h = merge(h, a5); h = merge(h, a6); h = merge(h, a7);
    } else {
        h = seed + P64_5;
    }
    h += (uint64_t)len;
    while (p + 8 <= end) { h ^= lane(0, rd64(p)); h = rotl64(h, 27) * P64_1 + P64_4; p += 8; }
    if (p + 4 <= end) { h ^= (uint64_t)rd32(p) * P64_1; h = rotl64(h, 23) * P64_2 + P64_3; p += 4; }
    while (p < end) { h ^= *p * P64_5; h = rotl64(h, 11) * P64_1; p++; }
    h ^= h >> 33; h *= P64_2; h ^= h >> 29; h *= P64_3; h ^= h >> 32;
    return h;
}

static int popcount64(uint64_t x) { int c = 0; while (x) { x &= x - 1; c++; } return c; }

int main(void) {
    static uint8_t buf[65536];
    uint64_t s = 1;
    for (size_t i = 0; i < sizeof buf; i++) { s = s * 6364136223846793005ULL + 1442695040888963407ULL; buf[i] = (uint8_t)(s >> 56); }

    uint32_t h32 = 0; uint64_t h64 = 0;
    for (size_t len = 0; len <= 300; len++) {
        uint32_t a = hx32(buf, len, (uint32_t)len);
        uint64_t b = hx64x8(buf + 7, len, len * 3);
        h32 ^= rotl32(a, (int)(len & 31) | 1); h64 += b;
        ck_add(a); ck_add(b);
    }
    printf("small lengths: xor32=%08x sum64=%016llx\n", h32, (unsigned long long)h64);
    uint32_t big32 = hx32(buf, sizeof buf, 0);
    uint64_t big64 = hx64x8(buf, sizeof buf, 0);
    printf("64KiB: h32=%08x h64=%016llx\n", big32, (unsigned long long)big64);
    ck_add(big32); ck_add(big64);

    /* avalanche: flip each bit of a 64-byte message, average hamming distance */
    uint8_t msg[200];
    memcpy(msg, buf + 1000, sizeof msg);
    uint64_t base = hx64x8(msg, sizeof msg, 42);
    long total = 0; int minhd = 64, maxhd = 0;
    for (int bit = 0; bit < 200 * 8; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        int hd = popcount64(base ^ hx64x8(msg, sizeof msg, 42));
        msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        total += hd; if (hd < minhd) minhd = hd; if (hd > maxhd) maxhd = hd;
    }
    printf("avalanche: total=%ld min=%d max=%d\n", total, minhd, maxhd);
    ck_add((uint64_t)total); ck_add((uint64_t)(minhd * 100 + maxhd));

    /* bucket distribution of sequential integer keys */
    unsigned buckets[64] = { 0 };
    for (uint32_t k = 0; k < 20000; k++) { uint8_t kb[4]; memcpy(kb, &k, 4); buckets[hx32(kb, 4, 7) & 63]++; }
    unsigned mn = ~0u, mx = 0;
    for (int i = 0; i < 64; i++) { if (buckets[i] < mn) mn = buckets[i]; if (buckets[i] > mx) mx = buckets[i]; }
    printf("buckets: min=%u max=%u\n", mn, mx);
    ck_add(mn); ck_add(mx);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
