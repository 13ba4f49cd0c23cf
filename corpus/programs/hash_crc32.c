/* Checksums: bitwise CRC-32, table-driven CRC-32, slicing-by-4 CRC-32,
 * CRC-32C, CRC-16/CCITT, Adler-32 and Fletcher-16, cross-checked against each other. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0xcbf43926ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL + 0x9e37ULL; }

static uint32_t T[4][256], TC[256];
static uint16_t T16[256];

__attribute__((noinline)) static uint32_t crc32_bitwise(const uint8_t *p, size_t n, uint32_t poly) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (poly & (0u - (c & 1u)));
    }
    return ~c;
}

__attribute__((noinline)) static void make_tables(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i, d = i;
        for (int k = 0; k < 8; k++) { c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1; d = (d & 1) ? (d >> 1) ^ 0x82F63B78u : d >> 1; }
        T[0][i] = c; TC[i] = d;
        uint16_t e = (uint16_t)(i << 8);
        for (int k = 0; k < 8; k++) e = (uint16_t)((e & 0x8000) ? (e << 1) ^ 0x1021 : e << 1);
        T16[i] = e;
    }
    for (int i = 0; i < 256; i++)
        for (int t = 1; t < 4; t++) T[t][i] = (T[t - 1][i] >> 8) ^ T[0][T[t - 1][i] & 0xff];
}

__attribute__((noinline)) static uint32_t crc32_table(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    while (n--) c = (c >> 8) ^ T[0][(c ^ *p++) & 0xff];
    return ~c;
}

__attribute__((noinline)) static uint32_t crc32_slice4(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    while (n >= 4) {
        c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        c = T[3][c & 0xff] ^ T[2][(c >> 8) & 0xff] ^ T[1][(c >> 16) & 0xff] ^ T[0][c >> 24];
        p += 4; n -= 4;
    }
    while (n--) c = (c >> 8) ^ T[0][(c ^ *p++) & 0xff];
    return ~c;
}

__attribute__((noinline)) static uint32_t crc32c(const uint8_t *p, size_t n) {
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) c = (c >> 8) ^ TC[(c ^ p[i]) & 0xff];
    return ~c;
}

__attribute__((noinline)) static uint16_t crc16(const uint8_t *p, size_t n) {
    uint16_t c = 0xffff;
    for (size_t i = 0; i < n; i++) c = (uint16_t)((c << 8) ^ T16[((c >> 8) ^ p[i]) & 0xff]);
    return c;
}

__attribute__((noinline)) static uint32_t adler32(const uint8_t *p, size_t n) {
    uint32_t a = 1, b = 0;
    while (n > 0) {
        size_t blk = n < 5552 ? n : 5552;
        n -= blk;
        while (blk--) { a += *p++; b += a; }
        a %= 65521u; b %= 65521u;
    }
    return b << 16 | a;
}

__attribute__((noinline)) static uint16_t fletcher16(const uint8_t *p, size_t n) {
    uint32_t s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) { s1 = (s1 + p[i]) % 255u; s2 = (s2 + s1) % 255u; }
    return (uint16_t)(s2 << 8 | s1);
}

int main(void) {
    make_tables();
    const uint8_t *cv = (const uint8_t *)"123456789";
    printf("check '123456789': crc32=%08x crc32c=%08x crc16=%04x adler=%08x fletcher=%04x\n",
           crc32_table(cv, 9), crc32c(cv, 9), crc16(cv, 9), adler32(cv, 9), fletcher16(cv, 9));
    ck_add(crc32_table(cv, 9)); ck_add(crc32c(cv, 9)); ck_add(crc16(cv, 9));

    static uint8_t buf[100000];
    uint32_t s = 1;
    for (size_t i = 0; i < sizeof buf; i++) { s = s * 214013u + 2531011u; buf[i] = (uint8_t)(s >> 16); }
    int agree = 1;
    uint32_t acc = 0;
    for (size_t n = 0; n < 2000; n += 37) {
        uint32_t a = crc32_bitwise(buf + n, n, 0xEDB88320u), b = crc32_table(buf + n, n), c = crc32_slice4(buf + n, n);
        if (a != b || b != c) agree = 0;
        acc ^= a + (uint32_t)n;
        ck_add(a);
    }
    printf("crc32 variants agree=%d acc=%08x\n", agree, acc);
    uint32_t full = crc32_slice4(buf, sizeof buf);
    printf("full: crc32=%08x crc32c=%08x crc16=%04x adler=%08x fletcher=%04x\n", full, crc32c(buf, sizeof buf),
           crc16(buf, sizeof buf), adler32(buf, sizeof buf), fletcher16(buf, sizeof buf));
    ck_add(full); ck_add(crc32c(buf, sizeof buf)); ck_add(adler32(buf, sizeof buf)); ck_add(fletcher16(buf, sizeof buf));

    /* residue property: crc of (data || crc_le) is a constant */
    uint8_t msg[68];
    memcpy(msg, buf + 500, 64);
    uint32_t c = crc32_table(msg, 64);
    for (int i = 0; i < 4; i++) msg[64 + i] = (uint8_t)(c >> (8 * i));
    uint32_t residue = crc32_table(msg, 68);
    printf("residue=%08x\n", residue);
    ck_add(residue);
    /* single-bit error detection */
    int detected = 0;
    for (int bit = 0; bit < 64 * 8; bit++) {
        msg[bit / 8] ^= (uint8_t)(1u << (bit & 7));
        detected += crc32_slice4(msg, 68) != residue;
        msg[bit / 8] ^= (uint8_t)(1u << (bit & 7));
    }
    printf("single-bit errors detected: %d/512\n", detected);
    ck_add((uint64_t)detected);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
