/* Modular arithmetic: 256-bit Montgomery multiplication with 8x32-bit limbs
 * where the product uses a fully unrolled comba (column-wise) schedule with
 * all 16 input limbs in locals (high register pressure), modular
 * exponentiation (left-to-right binary), Fermat tests on 256-bit numbers,
 * and deterministic Miller-Rabin for 64-bit integers using 128-bit products. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x0123fedc4567ba98ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 27; }

typedef struct { uint32_t w[8]; } u256;

/* 3-word accumulator helpers for comba */
#define MAC(a, b) do { uint64_t p_ = (uint64_t)(a) * (b); uint64_t s_ = (uint64_t)c0 + (uint32_t)p_; c0 = (uint32_t)s_; \
    s_ = (uint64_t)c1 + (p_ >> 32) + (s_ >> 32); c1 = (uint32_t)s_; c2 += (uint32_t)(s_ >> 32); } while (0)
#define COL(k) do { r[k] = c0; c0 = c1; c1 = c2; c2 = 0; } while (0)

__attribute__((noinline)) static void mul256(const u256 *x, const u256 *y, uint32_t r[16]) {
    uint32_t a0 = x->w[0], a1 = x->w[1], a2 = x->w[2], a3 = x->w[3], a4 = x->w[4], a5 = x->w[5], a6 = x->w[6], a7 = x->w[7];
    uint32_t b0 = y->w[0], b1 = y->w[1], b2 = y->w[2], b3 = y->w[3], b4 = y->w[4], b5 = y->w[5], b6 = y->w[6], b7 = y->w[7];
    uint32_t c0 = 0, c1 = 0, c2 = 0;
    MAC(a0, b0); COL(0);
    MAC(a0, b1); MAC(a1, b0); COL(1);
    MAC(a0, b2); MAC(a1, b1); MAC(a2, b0); COL(2);
    MAC(a0, b3); MAC(a1, b2); MAC(a2, b1); MAC(a3, b0); COL(3);
    MAC(a0, b4); MAC(a1, b3); MAC(a2, b2); MAC(a3, b1); MAC(a4, b0); COL(4);
    MAC(a0, b5); MAC(a1, b4); MAC(a2, b3); MAC(a3, b2); MAC(a4, b1); MAC(a5, b0); COL(5);
    MAC(a0, b6); MAC(a1, b5); MAC(a2, b4); MAC(a3, b3); MAC(a4, b2); MAC(a5, b1); MAC(a6, b0); COL(6);
    MAC(a0, b7); MAC(a1, b6); MAC(a2, b5); MAC(a3, b4); MAC(a4, b3); MAC(a5, b2); MAC(a6, b1); MAC(a7, b0); COL(7);
    MAC(a1, b7); MAC(a2, b6); MAC(a3, b5); MAC(a4, b4); MAC(a5, b3); MAC(a6, b2); MAC(a7, b1); COL(8);
    MAC(a2, b7); MAC(a3, b6); MAC(a4, b5); MAC(a5, b4); MAC(a6, b3); MAC(a7, b2); COL(9);
    MAC(a3, b7); MAC(a4, b6); MAC(a5, b5); MAC(a6, b4); MAC(a7, b3); COL(10);
    MAC(a4, b7); MAC(a5, b6); MAC(a6, b5); MAC(a7, b4); COL(11);
    MAC(a5, b7); MAC(a6, b6); MAC(a7, b5); COL(12);
    MAC(a6, b7); MAC(a7, b6); COL(13);
    MAC(a7, b7); COL(14);
    r[15] = c0;
}

static void mul256_ref(const u256 *x, const u256 *y, uint32_t r[16]) {
    memset(r, 0, 64);
    for (int i = 0; i < 8; i++) { uint64_t c = 0; for (int j = 0; j < 8; j++) { c += (uint64_t)x->w[i] * y->w[j] + r[i + j]; r[i + j] = (uint32_t)c; c >>= 32; } r[i + 8] = (uint32_t)c; }
}

static int cmp256(const uint32_t *a, const uint32_t *b) { for (int i = 7; i >= 0; i--) if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1; return 0; }
static uint32_t sub256(uint32_t *r, const uint32_t *a, const uint32_t *b) { uint64_t br = 0; for (int i = 0; i < 8; i++) { uint64_t v = (uint64_t)a[i] - b[i] - br; r[i] = (uint32_t)v; br = (v >> 32) & 1; } return (uint32_t)br; }

struct mont { u256 n; uint32_t ninv; u256 r2; };

static uint32_t inv32(uint32_t n0) { uint32_t x = 1; for (int i = 0; i < 5; i++) x *= 2 - n0 * x; return 0u - x; }

/* Montgomery reduction of a 16-limb t: returns t * R^-1 mod n */
__attribute__((noinline)) static void redc(const struct mont *m, uint32_t t[17], u256 *out) {
    t[16] = 0;
    for (int i = 0; i < 8; i++) {
        uint32_t q = t[i] * m->ninv;
        uint64_t c = 0;
        for (int j = 0; j < 8; j++) { c += (uint64_t)q * m->n.w[j] + t[i + j]; t[i + j] = (uint32_t)c; c >>= 32; }
        for (int k = i + 8; c && k < 17; k++) { c += t[k]; t[k] = (uint32_t)c; c >>= 32; }
    }
    uint32_t res[8];
    memcpy(res, t + 8, 32);
    if (t[16] || cmp256(res, m->n.w) >= 0) sub256(res, res, m->n.w);
    memcpy(out->w, res, 32);
}

static void mont_mul(const struct mont *m, const u256 *a, const u256 *b, u256 *out) { uint32_t t[17]; mul256(a, b, t); redc(m, t, out); }

static void mont_init(struct mont *m, const u256 *n) {
    m->n = *n; m->ninv = inv32(n->w[0]);
    /* r2 = 2^512 mod n by repeated doubling of 1 */
    uint32_t x[9] = { 1 };
    for (int i = 0; i < 512; i++) {
        uint32_t c = 0;
        for (int j = 0; j < 9; j++) { uint32_t nc = x[j] >> 31; x[j] = x[j] << 1 | c; c = nc; }
        if (x[8] || cmp256(x, n->w) >= 0) { uint64_t br = 0; for (int j = 0; j < 8; j++) { uint64_t v = (uint64_t)x[j] - n->w[j] - br; x[j] = (uint32_t)v; br = (v >> 32) & 1; } x[8] -= (uint32_t)br; }
    }
    memcpy(m->r2.w, x, 32);
}

__attribute__((noinline)) static void mod_exp(const struct mont *m, const u256 *base, const u256 *e, u256 *out) {
    u256 one = { { 1 } }, xm, acc;
    mont_mul(m, base, &m->r2, &xm);          /* to Montgomery form */
    mont_mul(m, &one, &m->r2, &acc);
    for (int i = 255; i >= 0; i--) {
        mont_mul(m, &acc, &acc, &acc);
        if ((e->w[i / 32] >> (i % 32)) & 1) mont_mul(m, &acc, &xm, &acc);
    }
    mont_mul(m, &acc, &one, out);             /* out of Montgomery form */
}

static uint64_t mulmod64(uint64_t a, uint64_t b, uint64_t n) { return (uint64_t)((unsigned __int128)a * b % n); }
static uint64_t powmod64(uint64_t b, uint64_t e, uint64_t n) { uint64_t r = 1; b %= n; while (e) { if (e & 1) r = mulmod64(r, b, n); b = mulmod64(b, b, n); e >>= 1; } return r; }
__attribute__((noinline)) static int is_prime64(uint64_t n) {
    if (n < 2) return 0;
    static const uint64_t sp[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };
    for (int i = 0; i < 12; i++) { if (n % sp[i] == 0) return n == sp[i]; }
    uint64_t d = n - 1; int s = 0;
    while (!(d & 1)) { d >>= 1; s++; }
    for (int i = 0; i < 12; i++) {
        uint64_t x = powmod64(sp[i], d, n);
        if (x == 1 || x == n - 1) continue;
        int comp = 1;
        for (int r = 1; r < s; r++) { x = mulmod64(x, x, n); if (x == n - 1) { comp = 0; break; } }
        if (comp) return 0;
    }
    return 1;
}

int main(void) {
    uint32_t s = 271828;
    int ok = 1;
    for (int t = 0; t < 2000; t++) {
        u256 x, y; uint32_t r1[16], r2[16];
        for (int i = 0; i < 8; i++) { s = s * 1664525u + 1013904223u; x.w[i] = s; s = s * 1664525u + 1013904223u; y.w[i] = t % 7 == 0 ? 0xffffffffu : s; }
        mul256(&x, &y, r1); mul256_ref(&x, &y, r2);
        if (memcmp(r1, r2, 64)) ok = 0;
        if (t % 100 == 0) ck_add((uint64_t)r1[15] << 32 | r1[7]);
    }
    printf("comba 256x256 agrees with schoolbook: %d\n", ok);
    /* modulus: 2^255 - 19 */
    u256 p = { { 0xffffffedu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x7fffffffu } };
    struct mont m; mont_init(&m, &p);
    u256 pm1 = p; pm1.w[0] -= 1;
    int fermat = 0;
    for (int t = 0; t < 8; t++) {
        u256 a = { { 0 } }, r;
        a.w[0] = 2u + (uint32_t)t * 3u; a.w[3] = (uint32_t)t;
        mod_exp(&m, &a, &pm1, &r);
        int is_one = r.w[0] == 1; for (int i = 1; i < 8; i++) is_one &= r.w[i] == 0;
        fermat += is_one;
    }
    printf("fermat a^(p-1)=1 mod 2^255-19: %d/8\n", fermat);
    ck_add((uint64_t)fermat);
    /* composite modulus: 2^255 - 21 (odd, composite since divisible by 3? check via Fermat) */
    u256 c = p; c.w[0] -= 2;
    struct mont mc; mont_init(&mc, &c);
    u256 cm1 = c; cm1.w[0] -= 1;
    u256 two = { { 2 } }, r;
    mod_exp(&mc, &two, &cm1, &r);
    printf("2^(c-1) mod c (c=2^255-21): %08x%08x...%08x\n", r.w[7], r.w[6], r.w[0]);
    for (int i = 0; i < 8; i++) ck_add(r.w[i]);
    /* chained exponentiations */
    u256 acc = { { 3 } };
    for (int t = 0; t < 12; t++) { u256 e = acc; e.w[7] &= 0x0fffffffu; mod_exp(&m, &acc, &e, &acc); }
    printf("chained: %08x%08x%08x%08x\n", acc.w[7], acc.w[6], acc.w[1], acc.w[0]);
    for (int i = 0; i < 8; i++) ck_add(acc.w[i]);

    int primes = 0; uint64_t last = 0;
    for (uint64_t n = 1000000000000000000ULL; n < 1000000000000000000ULL + 3000; n++) if (is_prime64(n)) { primes++; last = n; }
    printf("primes in [1e18, 1e18+3000): %d, last=%llu\n", primes, (unsigned long long)last);
    ck_add((uint64_t)primes); ck_add(last);
    int small = 0;
    for (uint64_t n = 0; n < 20000; n++) small += is_prime64(n);
    printf("pi(20000)=%d mersenne 2^61-1 prime=%d 2^59-1 prime=%d\n", small, is_prime64((1ULL << 61) - 1), is_prime64((1ULL << 59) - 1));
    ck_add((uint64_t)small);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
