/* AES-128: S-box derived at start-up from GF(2^8) inversion and the affine
 * map, key expansion, encryption with the 16-byte state held in 16 local
 * variables and each round fully unrolled (SubBytes+ShiftRows by renaming,
 * MixColumns with xtime) -> high register pressure; table-free decryption for
 * round trips; CTR and CBC modes over a buffer. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0xae5ae5ae5ae5ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

static uint8_t SB[256], ISB[256];

static uint8_t xt(uint8_t x) { return (uint8_t)((x << 1) ^ ((x >> 7) * 0x1b)); }
static uint8_t gmul(uint8_t a, uint8_t b) { uint8_t r = 0; while (b) { if (b & 1) r ^= a; a = xt(a); b >>= 1; } return r; }

__attribute__((noinline)) static void make_sbox(void) {
    for (int x = 0; x < 256; x++) {
        uint8_t inv = 0;
        if (x) { uint8_t p = (uint8_t)x, r = 1; for (int e = 254; e; e >>= 1) { if (e & 1) r = gmul(r, p); p = gmul(p, p); } inv = r; }
        uint8_t s = inv;
        for (int i = 1; i <= 4; i++) s ^= (uint8_t)((inv << i) | (inv >> (8 - i)));
        s ^= 0x63;
        SB[x] = s; ISB[s] = (uint8_t)x;
    }
}

static void expand_key(const uint8_t key[16], uint8_t rk[176]) {
    memcpy(rk, key, 16);
    uint8_t rcon = 1;
    for (int i = 16; i < 176; i += 4) {
        uint8_t t0 = rk[i - 4], t1 = rk[i - 3], t2 = rk[i - 2], t3 = rk[i - 1];
        if (i % 16 == 0) { uint8_t u = t0; t0 = (uint8_t)(SB[t1] ^ rcon); t1 = SB[t2]; t2 = SB[t3]; t3 = SB[u]; rcon = xt(rcon); }
        rk[i] = rk[i - 16] ^ t0; rk[i + 1] = rk[i - 15] ^ t1; rk[i + 2] = rk[i - 14] ^ t2; rk[i + 3] = rk[i - 13] ^ t3;
    }
}

#define MIXCOL(a, b, c, d) do { uint8_t t_ = a ^ b ^ c ^ d, a0_ = a; \
    a ^= t_ ^ xt(a ^ b); b ^= t_ ^ xt(b ^ c); c ^= t_ ^ xt(c ^ d); d ^= t_ ^ xt(d ^ a0_); } while (0)

/* state column-major: s[r + 4c] */
__attribute__((noinline)) static void encrypt(const uint8_t rk[176], const uint8_t in[16], uint8_t out[16]) {
    uint8_t s0 = in[0] ^ rk[0], s1 = in[1] ^ rk[1], s2 = in[2] ^ rk[2], s3 = in[3] ^ rk[3];
    uint8_t s4 = in[4] ^ rk[4], s5 = in[5] ^ rk[5], s6 = in[6] ^ rk[6], s7 = in[7] ^ rk[7];
    uint8_t s8 = in[8] ^ rk[8], s9 = in[9] ^ rk[9], s10 = in[10] ^ rk[10], s11 = in[11] ^ rk[11];
    uint8_t s12 = in[12] ^ rk[12], s13 = in[13] ^ rk[13], s14 = in[14] ^ rk[14], s15 = in[15] ^ rk[15];
    for (int r = 1; r <= 10; r++) {
        /* SubBytes + ShiftRows (row i rotated left by i) */
        uint8_t t0 = SB[s0], t1 = SB[s5], t2 = SB[s10], t3 = SB[s15];
        uint8_t t4 = SB[s4], t5 = SB[s9], t6 = SB[s14], t7 = SB[s3];
        uint8_t t8 = SB[s8], t9 = SB[s13], t10 = SB[s2], t11 = SB[s7];
        uint8_t t12 = SB[s12], t13 = SB[s1], t14 = SB[s6], t15 = SB[s11];
        if (r != 10) { MIXCOL(t0, t1, t2, t3); MIXCOL(t4, t5, t6, t7); MIXCOL(t8, t9, t10, t11); MIXCOL(t12, t13, t14, t15); }
        const uint8_t *k = rk + 16 * r;
        s0 = t0 ^ k[0]; s1 = t1 ^ k[1]; s2 = t2 ^ k[2]; s3 = t3 ^ k[3]; s4 = t4 ^ k[4]; s5 = t5 ^ k[5]; s6 = t6 ^ k[6]; s7 = t7 ^ k[7];
        s8 = t8 ^ k[8]; s9 = t9 ^ k[9]; s10 = t10 ^ k[10]; s11 = t11 ^ k[11]; s12 = t12 ^ k[12]; s13 = t13 ^ k[13]; s14 = t14 ^ k[14]; s15 = t15 ^ k[15];
    }
    out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3; out[4] = s4; out[5] = s5; out[6] = s6; out[7] = s7;
    out[8] = s8; out[9] = s9; out[10] = s10; out[11] = s11; out[12] = s12; out[13] = s13; out[14] = s14; out[15] = s15;
}

__attribute__((noinline)) static void decrypt(const uint8_t rk[176], const uint8_t in[16], uint8_t out[16]) {
    uint8_t s[16], t[16];
    for (int i = 0; i < 16; i++) s[i] = in[i] ^ rk[160 + i];
    for (int r = 9; r >= 0; r--) {
        for (int c = 0; c < 4; c++) for (int row = 0; row < 4; row++) t[row + 4 * ((c + row) % 4)] = ISB[s[row + 4 * c]];
        for (int i = 0; i < 16; i++) t[i] ^= rk[16 * r + i];
        if (r > 0)
            for (int c = 0; c < 4; c++) {
                uint8_t a0 = t[4 * c], a1 = t[4 * c + 1], a2 = t[4 * c + 2], a3 = t[4 * c + 3];
                t[4 * c] = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
                t[4 * c + 1] = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
                t[4 * c + 2] = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
                t[4 * c + 3] = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
            }
        memcpy(s, t, 16);
    }
    memcpy(out, s, 16);
}

static void hex(const char *label, const uint8_t *b, int n) { printf("%s", label); for (int i = 0; i < n; i++) printf("%02x", b[i]); printf("\n"); }

int main(void) {
    make_sbox();
    printf("sbox[00]=%02x sbox[01]=%02x sbox[53]=%02x isbox[63]=%02x\n", SB[0], SB[1], SB[0x53], ISB[0x63]);
    for (int i = 0; i < 256; i++) ck_add(SB[i]);
    uint8_t key[16], pt[16], ct[16], dt[16], rk[176];
    for (int i = 0; i < 16; i++) { key[i] = (uint8_t)i; pt[i] = (uint8_t)(i * 0x11); }
    expand_key(key, rk);
    encrypt(rk, pt, ct);
    decrypt(rk, ct, dt);
    hex("fips-197 ct: ", ct, 16);
    printf("decrypt ok=%d\n", !memcmp(dt, pt, 16));
    for (int i = 0; i < 16; i++) ck_add(ct[i]);
    /* CTR mode over 16 KiB, CBC over 4 KiB with round trip */
    static uint8_t buf[16384], cbc[4096], back[4096];
    for (int i = 0; i < 16384; i++) buf[i] = (uint8_t)(i ^ (i >> 8));
    uint8_t ctr[16] = { 0 }, ks[16];
    for (int blk = 0; blk < 1024; blk++) {
        ctr[15] = (uint8_t)blk; ctr[14] = (uint8_t)(blk >> 8);
        encrypt(rk, ctr, ks);
        for (int i = 0; i < 16; i++) buf[16 * blk + i] ^= ks[i];
    }
    uint64_t h = 0; for (int i = 0; i < 16384; i++) h = h * 131 + buf[i];
    printf("ctr hash=%016llx\n", (unsigned long long)h);
    ck_add(h);
    uint8_t iv[16] = { 0 }, prev[16];
    memcpy(prev, iv, 16);
    for (int blk = 0; blk < 256; blk++) {
        uint8_t x[16];
        for (int i = 0; i < 16; i++) x[i] = buf[16 * blk + i] ^ prev[i];
        encrypt(rk, x, cbc + 16 * blk);
        memcpy(prev, cbc + 16 * blk, 16);
    }
    memcpy(prev, iv, 16);
    for (int blk = 0; blk < 256; blk++) {
        uint8_t x[16];
        decrypt(rk, cbc + 16 * blk, x);
        for (int i = 0; i < 16; i++) back[16 * blk + i] = x[i] ^ prev[i];
        memcpy(prev, cbc + 16 * blk, 16);
    }
    printf("cbc round trip=%d\n", !memcmp(back, buf, 4096));
    hex("cbc last block: ", cbc + 4080, 16);
    for (int i = 0; i < 16; i++) ck_add(cbc[4080 + i]);
    /* avalanche on key bits */
    int total = 0;
    for (int bit = 0; bit < 128; bit++) {
        uint8_t k2[16], rk2[176], c2[16];
        memcpy(k2, key, 16); k2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        expand_key(k2, rk2); encrypt(rk2, pt, c2);
        for (int i = 0; i < 16; i++) { uint8_t d = c2[i] ^ ct[i]; while (d) { total += d & 1; d >>= 1; } }
    }
    printf("key avalanche: %d bits flipped over 128 trials\n", total);
    ck_add((uint64_t)total);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
