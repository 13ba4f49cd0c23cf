/* A Mersenne-Twister-family generator implemented from the recurrence
 * (624-word state, twist, tempering; MT19937 parameters) plus the 64-bit
 * variant (312 words), initialisation by array, and uses: Fisher-Yates
 * shuffles, reservoir sampling, weighted choice with an alias table, and
 * rejection-free bounded integers (multiply-shift with rejection). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x6d7419937ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

struct mt32 { uint32_t s[624]; int i; };
__attribute__((noinline)) static void mt_seed(struct mt32 *m, uint32_t seed) {
    m->s[0] = seed;
    for (int i = 1; i < 624; i++) m->s[i] = 1812433253u * (m->s[i - 1] ^ (m->s[i - 1] >> 30)) + (uint32_t)i;
    m->i = 624;
}
static void mt_seed_array(struct mt32 *m, const uint32_t *key, int len) {
    mt_seed(m, 19650218u);
    int i = 1, j = 0;
    for (int k = 624 > len ? 624 : len; k; k--) {
        m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
        i++; j++;
        if (i >= 624) { m->s[0] = m->s[623]; i = 1; }
        if (j >= len) j = 0;
    }
    for (int k = 623; k; k--) {
        m->s[i] = (m->s[i] ^ ((m->s[i - 1] ^ (m->s[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        i++;
        if (i >= 624) { m->s[0] = m->s[623]; i = 1; }
    }
    m->s[0] = 0x80000000u;
}
__attribute__((noinline)) static void mt_twist(struct mt32 *m) {
    for (int k = 0; k < 624; k++) {
        uint32_t y = (m->s[k] & 0x80000000u) | (m->s[(k + 1) % 624] & 0x7fffffffu);
        m->s[k] = m->s[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    m->i = 0;
}
static uint32_t mt_next(struct mt32 *m) {
    if (m->i >= 624) mt_twist(m);
    uint32_t y = m->s[m->i++];
    y ^= y >> 11; y ^= (y << 7) & 0x9d2c5680u; y ^= (y << 15) & 0xefc60000u; y ^= y >> 18;
    return y;
}

struct mt64 { uint64_t s[312]; int i; };
static void mt64_seed(struct mt64 *m, uint64_t seed) {
    m->s[0] = seed;
    for (int i = 1; i < 312; i++) m->s[i] = 6364136223846793005ULL * (m->s[i - 1] ^ (m->s[i - 1] >> 62)) + (uint64_t)i;
    m->i = 312;
}
__attribute__((noinline)) static uint64_t mt64_next(struct mt64 *m) {
    if (m->i >= 312) {
        for (int k = 0; k < 312; k++) {
            uint64_t y = (m->s[k] & 0xFFFFFFFF80000000ULL) | (m->s[(k + 1) % 312] & 0x7FFFFFFFULL);
            m->s[k] = m->s[(k + 156) % 312] ^ (y >> 1) ^ ((y & 1) ? 0xB5026F5AA96619E9ULL : 0);
        }
        m->i = 0;
    }
    uint64_t x = m->s[m->i++];
    x ^= (x >> 29) & 0x5555555555555555ULL; x ^= (x << 17) & 0x71D67FFFEDA60000ULL; x ^= (x << 37) & 0xFFF7EEE000000000ULL; x ^= x >> 43;
    return x;
}

static uint32_t bounded(struct mt32 *m, uint32_t n) {
    uint64_t p = (uint64_t)mt_next(m) * n;
    uint32_t lo = (uint32_t)p;
    if (lo < n) { uint32_t t = (0u - n) % n; while (lo < t) { p = (uint64_t)mt_next(m) * n; lo = (uint32_t)p; } }
    return (uint32_t)(p >> 32);
}

int main(void) {
    struct mt32 m;
    mt_seed(&m, 5489u);
    uint32_t f0 = mt_next(&m), f1 = mt_next(&m), f2 = mt_next(&m);
    printf("mt19937(5489) first: %u %u %u\n", f0, f1, f2);
    ck_add(f0); ck_add(f1); ck_add(f2);
    mt_seed(&m, 5489u);
    uint32_t v = 0;
    for (int i = 0; i < 10000; i++) v = mt_next(&m);
    printf("10000th output: %u\n", v);
    ck_add(v);
    uint32_t key[4] = { 0x123, 0x234, 0x345, 0x456 };
    mt_seed_array(&m, key, 4);
    uint32_t a0 = mt_next(&m), a1 = mt_next(&m);
    printf("init_by_array first: %u %u\n", a0, a1);
    ck_add(a0); ck_add(a1);
    struct mt64 m64; mt64_seed(&m64, 5489u);
    uint64_t x64 = 0;
    for (int i = 0; i < 1000; i++) x64 = mt64_next(&m64);
    printf("mt64 1000th: %llu\n", (unsigned long long)x64);
    ck_add(x64);
    /* Fisher-Yates shuffle and fixed points statistics */
    int perm[1000];
    long fixed = 0;
    for (int t = 0; t < 100; t++) {
        for (int i = 0; i < 1000; i++) perm[i] = i;
        for (int i = 999; i > 0; i--) { int j = (int)bounded(&m, (uint32_t)i + 1); int tmp = perm[i]; perm[i] = perm[j]; perm[j] = tmp; }
        for (int i = 0; i < 1000; i++) fixed += perm[i] == i;
        ck_add((uint64_t)perm[0] << 16 | (uint64_t)perm[999]);
    }
    printf("shuffles: total fixed points=%ld\n", fixed);
    /* reservoir sampling of 10 from 100000 */
    int res[10];
    for (int i = 0; i < 100000; i++) { if (i < 10) res[i] = i; else { uint32_t j = bounded(&m, (uint32_t)i + 1); if (j < 10) res[j] = i; } }
    printf("reservoir:");
    for (int i = 0; i < 10; i++) { printf(" %d", res[i]); ck_add((uint64_t)res[i]); }
    printf("\n");
    /* alias method (Vose) for 8 weights */
    uint32_t w[8] = { 10, 1, 7, 30, 2, 2, 18, 30 }, total = 100;
    uint32_t prob[8], alias[8], small[8], large[8]; int ns = 0, nl = 0;
    uint32_t scaled[8];
    for (int i = 0; i < 8; i++) { scaled[i] = w[i] * 8; if (scaled[i] < total) small[ns++] = (uint32_t)i; else large[nl++] = (uint32_t)i; }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[--nl];
        prob[s] = scaled[s]; alias[s] = l;
        scaled[l] = scaled[l] + scaled[s] - total;
        if (scaled[l] < total) small[ns++] = l; else large[nl++] = l;
    }
    while (nl) { uint32_t l = large[--nl]; prob[l] = total; alias[l] = l; }
    while (ns) { uint32_t s = small[--ns]; prob[s] = total; alias[s] = s; }
    uint32_t hist[8] = { 0 };
    for (int i = 0; i < 100000; i++) { uint32_t col = bounded(&m, 8); hist[bounded(&m, total) < prob[col] ? col : alias[col]]++; }
    printf("alias histogram:");
    for (int i = 0; i < 8; i++) { printf(" %u", hist[i]); ck_add(hist[i]); }
    printf("\n");
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
