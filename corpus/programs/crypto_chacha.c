/* ChaCha20 block function with the 16-word state held in local variables and
 * all 20 rounds fully unrolled (high register pressure), a two-block
 * interleaved variant (32 live state words), stream encryption/decryption,
 * and a Poly1305-style polynomial MAC over 26-bit limbs. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x61707865ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 33; }

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define QR(a, b, c, d) a += b; d ^= a; d = ROTL(d, 16); c += d; b ^= c; b = ROTL(b, 12); a += b; d ^= a; d = ROTL(d, 8); c += d; b ^= c; b = ROTL(b, 7)
#define DROUND(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15) \
    QR(x0, x4, x8, x12); QR(x1, x5, x9, x13); QR(x2, x6, x10, x14); QR(x3, x7, x11, x15); \
    QR(x0, x5, x10, x15); QR(x1, x6, x11, x12); QR(x2, x7, x8, x13); QR(x3, x4, x9, x14)
#define ROUNDS10(...) DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); \
    DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); DROUND(__VA_ARGS__); DROUND(__VA_ARGS__)

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }

__attribute__((noinline)) static void chacha_block(const uint32_t in[16], uint32_t out[16]) {
    uint32_t x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3], x4 = in[4], x5 = in[5], x6 = in[6], x7 = in[7];
    uint32_t x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11], x12 = in[12], x13 = in[13], x14 = in[14], x15 = in[15];
    ROUNDS10(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15);
    out[0] = x0 + in[0]; out[1] = x1 + in[1]; out[2] = x2 + in[2]; out[3] = x3 + in[3];
    out[4] = x4 + in[4]; out[5] = x5 + in[5]; out[6] = x6 + in[6]; out[7] = x7 + in[7];
    out[8] = x8 + in[8]; out[9] = x9 + in[9]; out[10] = x10 + in[10]; out[11] = x11 + in[11];
    out[12] = x12 + in[12]; out[13] = x13 + in[13]; out[14] = x14 + in[14]; out[15] = x15 + in[15];
}

/* two consecutive counters at once: 32 state words live */
__attribute__((noinline)) static void chacha_block2(const uint32_t in[16], uint32_t out[32]) {
    uint32_t x0 = in[0], x1 = in[1], x2 = in[2], x3 = in[3], x4 = in[4], x5 = in[5], x6 = in[6], x7 = in[7];
    uint32_t x8 = in[8], x9 = in[9], x10 = in[10], x11 = in[11], x12 = in[12], x13 = in[13], x14 = in[14], x15 = in[15];
    uint32_t y0 = in[0], y1 = in[1], y2 = in[2], y3 = in[3], y4 = in[4], y5 = in[5], y6 = in[6], y7 = in[7];
    uint32_t y8 = in[8], y9 = in[9], y10 = in[10], y11 = in[11], y12 = in[12] + 1, y13 = in[13], y14 = in[14], y15 = in[15];
    for (int r = 0; r < 10; r++) {
        DROUND(x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15);
        DROUND(y0, y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, y11, y12, y13, y14, y15);
    }
    uint32_t xs[16] = { x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15 };
    uint32_t ys[16] = { y0, y1, y2, y3, y4, y5, y6, y7, y8, y9, y10, y11, y12, y13, y14, y15 };
    for (int i = 0; i < 16; i++) { out[i] = xs[i] + in[i]; out[16 + i] = ys[i] + in[i] + (i == 12); }
}

static void setup(uint32_t st[16], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12]) {
    st[0] = 0x61707865u; st[1] = 0x3320646eu; st[2] = 0x79622d32u; st[3] = 0x6b206574u;
    for (int i = 0; i < 8; i++) st[4 + i] = le32(key + 4 * i);
    st[12] = counter;
    for (int i = 0; i < 3; i++) st[13 + i] = le32(nonce + 4 * i);
}

__attribute__((noinline)) static void chacha_xor(const uint8_t key[32], const uint8_t nonce[12], uint32_t counter, uint8_t *buf, size_t n, int use2) {
    uint32_t st[16], ks[32];
    uint8_t kb[128];
    setup(st, key, counter, nonce);
    for (size_t off = 0; off < n;) {
        size_t avail;
        if (use2) { chacha_block2(st, ks); for (int i = 0; i < 32; i++) put32(kb + 4 * i, ks[i]); st[12] += 2; avail = 128; }
        else { chacha_block(st, ks); for (int i = 0; i < 16; i++) put32(kb + 4 * i, ks[i]); st[12] += 1; avail = 64; }
        for (size_t i = 0; i < avail && off < n; i++, off++) buf[off] ^= kb[i];
    }
}

/* Poly1305-like MAC with 26-bit limbs (h = (h + m) * r mod 2^130-5) */
__attribute__((noinline)) static void poly_mac(const uint8_t key[32], const uint8_t *m, size_t n, uint8_t tag[16]) {
    uint32_t r0 = le32(key) & 0x3ffffff, r1 = (le32(key + 3) >> 2) & 0x3ffff03, r2 = (le32(key + 6) >> 4) & 0x3ffc0ff, r3 = (le32(key + 9) >> 6) & 0x3f03fff, r4 = (le32(key + 12) >> 8) & 0x00fffff;
    uint32_t s1 = r1 * 5, s2 = r2 * 5, s3 = r3 * 5, s4 = r4 * 5;
    uint32_t h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0;
    while (n > 0) {
        uint8_t blk[17] = { 0 };
        size_t l = n < 16 ? n : 16;
        memcpy(blk, m, l); blk[l] = 1;
        h0 += le32(blk) & 0x3ffffff; h1 += (le32(blk + 3) >> 2) & 0x3ffffff; h2 += (le32(blk + 6) >> 4) & 0x3ffffff;
        h3 += (le32(blk + 9) >> 6) & 0x3ffffff; h4 += (le32(blk + 12) >> 8) | ((uint32_t)blk[16] << 24);
        uint64_t d0 = (uint64_t)h0 * r0 + (uint64_t)h1 * s4 + (uint64_t)h2 * s3 + (uint64_t)h3 * s2 + (uint64_t)h4 * s1;
        uint64_t d1 = (uint64_t)h0 * r1 + (uint64_t)h1 * r0 + (uint64_t)h2 * s4 + (uint64_t)h3 * s3 + (uint64_t)h4 * s2;
        uint64_t d2 = (uint64_t)h0 * r2 + (uint64_t)h1 * r1 + (uint64_t)h2 * r0 + (uint64_t)h3 * s4 + (uint64_t)h4 * s3;
        uint64_t d3 = (uint64_t)h0 * r3 + (uint64_t)h1 * r2 + (uint64_t)h2 * r1 + (uint64_t)h3 * r0 + (uint64_t)h4 * s4;
        uint64_t d4 = (uint64_t)h0 * r4 + (uint64_t)h1 * r3 + (uint64_t)h2 * r2 + (uint64_t)h3 * r1 + (uint64_t)h4 * r0;
        uint32_t c = (uint32_t)(d0 >> 26); h0 = (uint32_t)d0 & 0x3ffffff;
        d1 += c; c = (uint32_t)(d1 >> 26); h1 = (uint32_t)d1 & 0x3ffffff;
        d2 += c; c = (uint32_t)(d2 >> 26); h2 = (uint32_t)d2 & 0x3ffffff;
        d3 += c; c = (uint32_t)(d3 >> 26); h3 = (uint32_t)d3 & 0x3ffffff;
        d4 += c; c = (uint32_t)(d4 >> 26); h4 = (uint32_t)d4 & 0x3ffffff;
        h0 += c * 5; c = h0 >> 26; h0 &= 0x3ffffff; h1 += c;
        m += l; n -= l;
    }
    uint64_t f = (uint64_t)(h0 | h1 << 26) + le32(key + 16); put32(tag, (uint32_t)f);
    f = (uint64_t)((h1 >> 6) | h2 << 20) + le32(key + 20) + (f >> 32); put32(tag + 4, (uint32_t)f);
    f = (uint64_t)((h2 >> 12) | h3 << 14) + le32(key + 24) + (f >> 32); put32(tag + 8, (uint32_t)f);
    f = (uint64_t)((h3 >> 18) | h4 << 8) + le32(key + 28) + (f >> 32); put32(tag + 12, (uint32_t)f);
}

int main(void) {
    uint8_t key[32], nonce[12] = { 0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0 };
    for (int i = 0; i < 32; i++) key[i] = (uint8_t)i;
    uint32_t st[16], out[16];
    setup(st, key, 1, nonce);
    chacha_block(st, out);
    printf("block(counter=1): %08x %08x %08x ... %08x\n", out[0], out[1], out[2], out[15]);
    for (int i = 0; i < 16; i++) ck_add(out[i]);
    static uint8_t msg[20000], c1[20000], c2[20000];
    for (size_t i = 0; i < sizeof msg; i++) msg[i] = (uint8_t)(i * 7 + (i >> 5));
    memcpy(c1, msg, sizeof msg); memcpy(c2, msg, sizeof msg);
    chacha_xor(key, nonce, 7, c1, sizeof c1, 0);
    chacha_xor(key, nonce, 7, c2, sizeof c2, 1);
    int same = !memcmp(c1, c2, sizeof c1);
    chacha_xor(key, nonce, 7, c2, sizeof c2, 0);
    int back = !memcmp(c2, msg, sizeof msg);
    uint64_t h = 0; for (size_t i = 0; i < sizeof c1; i++) h = h * 131 + c1[i];
    printf("stream: 1-block==2-block %d, decrypt ok %d, ct hash=%016llx\n", same, back, (unsigned long long)h);
    ck_add(h);
    uint8_t tag[16];
    poly_mac(key, c1, sizeof c1, tag);
    printf("mac:");
    for (int i = 0; i < 16; i++) { printf("%02x", tag[i]); ck_add(tag[i]); }
    printf("\n");
    /* keystream statistics */
    uint32_t ones = 0;
    memset(c1, 0, 4096);
    chacha_xor(key, nonce, 0, c1, 4096, 1);
    for (int i = 0; i < 4096; i++) { uint8_t b = c1[i]; while (b) { ones += b & 1; b >>= 1; } }
    printf("keystream ones=%u of 32768\n", ones);
    ck_add(ones);
    /* iterate the block function as a permutation */
    uint32_t v[16];
    memcpy(v, st, sizeof v);
    for (int i = 0; i < 3000; i++) { chacha_block(v, out); memcpy(v, out, sizeof v); }
    printf("iterated: %08x %08x\n", v[0], v[15]);
    ck_add(v[0]); ck_add(v[15]);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
