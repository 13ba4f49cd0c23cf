/* ARX primitives: SipHash-2-4 and SipHash-1-3 keyed hashing, the Speck64/128
 * and Speck128/128 block ciphers (key schedule, encrypt, decrypt), and a
 * hash-flooding resistance experiment bucketing colliding-prefix keys. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x736f6d6570736575ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 31; }

static uint64_t rotl64(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }
static uint64_t rd64le(const uint8_t *p) { uint64_t v = 0; for (int i = 7; i >= 0; i--) v = v << 8 | p[i]; return v; }

#define SIPROUND do { v0 += v1; v1 = rotl64(v1, 13); v1 ^= v0; v0 = rotl64(v0, 32); v2 += v3; v3 = rotl64(v3, 16); v3 ^= v2; \
    v0 += v3; v3 = rotl64(v3, 21); v3 ^= v0; v2 += v1; v1 = rotl64(v1, 17); v1 ^= v2; v2 = rotl64(v2, 32); } while (0)

__attribute__((noinline)) static uint64_t siphash(const uint8_t key[16], const uint8_t *m, size_t n, int crounds, int drounds) {
    uint64_t k0 = rd64le(key), k1 = rd64le(key + 8);
    uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1, v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
    size_t full = n / 8 * 8;
    for (size_t i = 0; i < full; i += 8) {
        uint64_t mi = rd64le(m + i);
        v3 ^= mi;
        for (int r = 0; r < crounds; r++) SIPROUND;
        v0 ^= mi;
    }
    uint64_t b = (uint64_t)n << 56;
    for (size_t i = full; i < n; i++) b |= (uint64_t)m[i] << (8 * (i - full));
    v3 ^= b;
    for (int r = 0; r < crounds; r++) SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    for (int r = 0; r < drounds; r++) SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* Speck64/128: 32-bit words, 27 rounds, alpha=8 beta=3 */
static uint32_t ror32(uint32_t x, int r) { return (x >> r) | (x << (32 - r)); }
static uint32_t rol32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
__attribute__((noinline)) static void speck64_schedule(const uint32_t k[4], uint32_t rk[27]) {
    uint32_t a = k[0], l[3 + 27] = { k[1], k[2], k[3] };
    for (int i = 0; i < 26; i++) {
        rk[i] = a;
        l[i + 3] = (a + ror32(l[i], 8)) ^ (uint32_t)i;
        a = rol32(a, 3) ^ l[i + 3];
    }
    rk[26] = a;
}
__attribute__((noinline)) static void speck64_enc(const uint32_t rk[27], uint32_t *x, uint32_t *y) {
    for (int i = 0; i < 27; i++) { *x = (ror32(*x, 8) + *y) ^ rk[i]; *y = rol32(*y, 3) ^ *x; }
}
__attribute__((noinline)) static void speck64_dec(const uint32_t rk[27], uint32_t *x, uint32_t *y) {
    for (int i = 26; i >= 0; i--) { *y = ror32(*y ^ *x, 3); *x = rol32((*x ^ rk[i]) - *y, 8); }
}

/* Speck128/128: 64-bit words, 32 rounds, computed on the fly with key expansion interleaved */
__attribute__((noinline)) static void speck128_enc(const uint64_t key[2], uint64_t *x, uint64_t *y) {
    uint64_t b = key[0], a = key[1];
    for (int i = 0; i < 32; i++) {
        *x = (rotl64(*x, 56) + *y) ^ b;
        *y = rotl64(*y, 3) ^ *x;
        a = (rotl64(a, 56) + b) ^ (uint64_t)i;
        b = rotl64(b, 3) ^ a;
    }
}

int main(void) {
    uint8_t key[16], msg[64];
    for (int i = 0; i < 16; i++) key[i] = (uint8_t)i;
    for (int i = 0; i < 64; i++) msg[i] = (uint8_t)i;
    printf("siphash-2-4(15 bytes)=%016llx\n", (unsigned long long)siphash(key, msg, 15, 2, 4));
    uint64_t acc = 0;
    for (size_t n = 0; n <= 64; n++) { uint64_t h = siphash(key, msg, n, 2, 4); acc ^= rotl64(h, (int)(n % 63) + 1); ck_add(h); }
    uint64_t acc13 = 0;
    for (size_t n = 0; n <= 64; n++) { uint64_t h = siphash(key, msg, n, 1, 3); acc13 += h; ck_add(h); }
    printf("sweep: 2-4 xor=%016llx 1-3 sum=%016llx\n", (unsigned long long)acc, (unsigned long long)acc13);

    uint32_t k64[4] = { 0x03020100u, 0x0b0a0908u, 0x13121110u, 0x1b1a1918u }, rk[27];
    speck64_schedule(k64, rk);
    uint32_t x = 0x3b726574u, y = 0x7475432du;
    speck64_enc(rk, &x, &y);
    printf("speck64/128: %08x %08x", x, y);
    ck_add(x); ck_add(y);
    speck64_dec(rk, &x, &y);
    printf(" -> decrypt %08x %08x\n", x, y);
    uint64_t k128[2] = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }, px = 0x6c61766975716520ULL, py = 0x7469206564616d20ULL;
    speck128_enc(k128, &px, &py);
    printf("speck128/128: %016llx %016llx\n", (unsigned long long)px, (unsigned long long)py);
    ck_add(px); ck_add(py);
    /* CTR-like keystream with speck64, round trips */
    uint64_t ks = 0; int rt = 1;
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t a = i, b = ~i;
        speck64_enc(rk, &a, &b);
        ks = ks * 31 + ((uint64_t)a << 32 | b);
        if (i % 97 == 0) { speck64_dec(rk, &a, &b); if (a != i || b != ~i) rt = 0; }
    }
    printf("speck64 stream hash=%016llx roundtrip=%d\n", (unsigned long long)ks, rt);
    ck_add(ks);
    /* flooding: keys that collide under a weak hash (sum of bytes) spread under siphash */
    unsigned weak[64] = { 0 }, strong[64] = { 0 };
    for (int i = 0; i < 20000; i++) {
        uint8_t kk[8];
        int a = i % 200, b = i / 200;
        kk[0] = (uint8_t)a; kk[1] = (uint8_t)(200 - a); kk[2] = (uint8_t)b; kk[3] = (uint8_t)(100 - b);
        kk[4] = kk[5] = kk[6] = kk[7] = 7;
        unsigned s = 0; for (int j = 0; j < 8; j++) s += kk[j];
        weak[s & 63]++;
        strong[siphash(key, kk, 8, 2, 4) & 63]++;
    }
    unsigned wmax = 0, smax = 0, smin = ~0u;
    for (int i = 0; i < 64; i++) { if (weak[i] > wmax) wmax = weak[i]; if (strong[i] > smax) smax = strong[i]; if (strong[i] < smin) smin = strong[i]; }
    printf("bucket max: weak=%u siphash=%u (min %u)\n", wmax, smax, smin);
    ck_add(wmax); ck_add(smax); ck_add(smin);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
