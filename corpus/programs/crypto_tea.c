/* The TEA family of block ciphers: TEA, XTEA and XXTEA (corrected block TEA)
 * with encryption/decryption round trips, ECB and CBC modes over a buffer,
 * a Davies-Meyer style hash built from XTEA, and a differential trail count. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x7ea7ea7ea7eaULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 28; }

#define DELTA 0x9e3779b9u

__attribute__((noinline)) static void tea_enc(uint32_t v[2], const uint32_t k[4]) {
    uint32_t v0 = v[0], v1 = v[1], sum = 0;
    for (int i = 0; i < 32; i++) {
        sum += DELTA;
        v0 += ((v1 << 4) + k[0]) ^ (v1 + sum) ^ ((v1 >> 5) + k[1]);
        v1 += ((v0 << 4) + k[2]) ^ (v0 + sum) ^ ((v0 >> 5) + k[3]);
    }
    v[0] = v0; v[1] = v1;
}
__attribute__((noinline)) static void tea_dec(uint32_t v[2], const uint32_t k[4]) {
    uint32_t v0 = v[0], v1 = v[1], sum = DELTA * 32u;
    for (int i = 0; i < 32; i++) {
        v1 -= ((v0 << 4) + k[2]) ^ (v0 + sum) ^ ((v0 >> 5) + k[3]);
        v0 -= ((v1 << 4) + k[0]) ^ (v1 + sum) ^ ((v1 >> 5) + k[1]);
        sum -= DELTA;
    }
    v[0] = v0; v[1] = v1;
}

__attribute__((noinline)) static void xtea_enc(uint32_t v[2], const uint32_t k[4], int rounds) {
    uint32_t v0 = v[0], v1 = v[1], sum = 0;
    for (int i = 0; i < rounds; i++) {
        v0 += (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + k[sum & 3]);
        sum += DELTA;
        v1 += (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + k[(sum >> 11) & 3]);
    }
    v[0] = v0; v[1] = v1;
}
__attribute__((noinline)) static void xtea_dec(uint32_t v[2], const uint32_t k[4], int rounds) {
    uint32_t v0 = v[0], v1 = v[1], sum = DELTA * (uint32_t)rounds;
    for (int i = 0; i < rounds; i++) {
        v1 -= (((v0 << 4) ^ (v0 >> 5)) + v0) ^ (sum + k[(sum >> 11) & 3]);
        sum -= DELTA;
        v0 -= (((v1 << 4) ^ (v1 >> 5)) + v1) ^ (sum + k[sum & 3]);
    }
    v[0] = v0; v[1] = v1;
}

#define MX (((z >> 5 ^ y << 2) + (y >> 3 ^ z << 4)) ^ ((sum ^ y) + (k[(p & 3) ^ e] ^ z)))
__attribute__((noinline)) static void xxtea(uint32_t *v, int n, const uint32_t k[4]) {
    uint32_t y, z, sum;
    unsigned p, rounds, e;
    if (n > 1) {
        rounds = 6 + 52 / (unsigned)n; sum = 0; z = v[n - 1];
        do {
            sum += DELTA; e = (sum >> 2) & 3;
            for (p = 0; p < (unsigned)n - 1; p++) { y = v[p + 1]; z = v[p] += MX; }
            y = v[0]; z = v[n - 1] += MX;
        } while (--rounds);
    } else if (n < -1) {
        n = -n;
        rounds = 6 + 52 / (unsigned)n; sum = rounds * DELTA; y = v[0];
        do {
            e = (sum >> 2) & 3;
            for (p = (unsigned)n - 1; p > 0; p--) { z = v[p - 1]; y = v[p] -= MX; }
            z = v[n - 1]; y = v[0] -= MX;
            sum -= DELTA;
        } while (--rounds);
    }
}

static int popc(uint32_t x) { int c = 0; while (x) { x &= x - 1; c++; } return c; }

int main(void) {
    uint32_t k[4] = { 0x01234567u, 0x89abcdefu, 0xfedcba98u, 0x76543210u };
    uint32_t v[2] = { 0xdeadbeefu, 0x0badf00du }, w[2];
    memcpy(w, v, 8); tea_enc(w, k);
    printf("tea: %08x %08x", w[0], w[1]);
    ck_add(w[0]); ck_add(w[1]);
    tea_dec(w, k);
    printf(" -> back ok=%d\n", w[0] == v[0] && w[1] == v[1]);
    memcpy(w, v, 8); xtea_enc(w, k, 32);
    printf("xtea: %08x %08x", w[0], w[1]);
    ck_add(w[0]); ck_add(w[1]);
    xtea_dec(w, k, 32);
    printf(" -> back ok=%d\n", w[0] == v[0] && w[1] == v[1]);

    enum { NW = 4096 };
    static uint32_t data[NW], orig[NW];
    for (int i = 0; i < NW; i++) data[i] = orig[i] = (uint32_t)i * 2654435761u;
    /* CBC with XTEA */
    uint32_t iv[2] = { 1, 2 };
    for (int i = 0; i < NW; i += 2) { data[i] ^= iv[0]; data[i + 1] ^= iv[1]; xtea_enc(&data[i], k, 32); iv[0] = data[i]; iv[1] = data[i + 1]; }
    uint64_t h = 0; for (int i = 0; i < NW; i++) h = h * 1000003u + data[i];
    printf("xtea-cbc hash=%016llx\n", (unsigned long long)h);
    ck_add(h);
    uint32_t piv[2] = { 1, 2 };
    for (int i = 0; i < NW; i += 2) { uint32_t c0 = data[i], c1 = data[i + 1]; xtea_dec(&data[i], k, 32); data[i] ^= piv[0]; data[i + 1] ^= piv[1]; piv[0] = c0; piv[1] = c1; }
    printf("xtea-cbc decrypt ok=%d\n", !memcmp(data, orig, sizeof data));
    /* XXTEA on variable-size blocks */
    int ok = 1; uint64_t xh = 0;
    for (int n = 2; n <= 64; n += 5) {
        uint32_t blk[64];
        for (int i = 0; i < n; i++) blk[i] = orig[i + n];
        xxtea(blk, n, k);
        for (int i = 0; i < n; i++) xh = xh * 31 + blk[i];
        xxtea(blk, -n, k);
        for (int i = 0; i < n; i++) if (blk[i] != orig[i + n]) ok = 0;
    }
    printf("xxtea ok=%d hash=%016llx\n", ok, (unsigned long long)xh);
    ck_add(xh);
    /* Davies-Meyer hash: H = E_m(H) ^ H over 128-bit message blocks */
    uint32_t H[2] = { 0x67452301u, 0xefcdab89u };
    for (int i = 0; i + 4 <= NW; i += 4) { uint32_t t[2] = { H[0], H[1] }; xtea_enc(t, &orig[i], 16); H[0] ^= t[0]; H[1] ^= t[1]; }
    printf("davies-meyer: %08x%08x\n", H[0], H[1]);
    ck_add(H[0]); ck_add(H[1]);
    /* reduced-round differential: count output differences with low weight */
    int low = 0; long wsum = 0;
    for (uint32_t t = 0; t < 3000; t++) {
        uint32_t a[2] = { t * 0x9e3779b9u, t ^ 0x55555555u }, b[2] = { a[0] ^ 0x80000000u, a[1] };
        xtea_enc(a, k, 4); xtea_enc(b, k, 4);
        int wgt = popc(a[0] ^ b[0]) + popc(a[1] ^ b[1]);
        wsum += wgt; low += wgt < 16;
    }
    printf("4-round xtea differential: low-weight=%d mean*100=%ld\n", low, wsum * 100 / 3000);
    ck_add((uint64_t)low); ck_add((uint64_t)wsum);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
