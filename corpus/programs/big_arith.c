/* Arbitrary-precision unsigned integers with 32-bit limbs: add, subtract,
 * schoolbook and Karatsuba multiplication (cross-checked), division by a small
 * word, long division (Knuth D-style, normalised), decimal conversion, and
 * applications: 400!, Fibonacci(3000), 3^2000, and sqrt(2) digits by Newton. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xb19b19b19b19ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 29; }

typedef struct { int n, cap; uint32_t *d; } big;

static void bz(big *a, int cap) { a->n = 0; a->cap = cap; a->d = calloc((size_t)cap, 4); }
static void bfree(big *a) { free(a->d); }
static void bnorm(big *a) { while (a->n > 0 && a->d[a->n - 1] == 0) a->n--; }
static void bset(big *a, uint32_t v) { a->n = v ? 1 : 0; a->d[0] = v; }
static void bcopy_(big *dst, const big *src) { memcpy(dst->d, src->d, 4 * (size_t)src->n); dst->n = src->n; }
static int bcmp_(const big *a, const big *b) { if (a->n != b->n) return a->n < b->n ? -1 : 1; for (int i = a->n - 1; i >= 0; i--) if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1; return 0; }

__attribute__((noinline)) static void badd(big *r, const big *a, const big *b) {
    int n = a->n > b->n ? a->n : b->n;
    uint64_t c = 0;
    for (int i = 0; i < n; i++) { c += (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0); r->d[i] = (uint32_t)c; c >>= 32; }
    r->n = n; if (c) r->d[r->n++] = (uint32_t)c;
}
__attribute__((noinline)) static void bsub(big *r, const big *a, const big *b) { /* a >= b */
    int64_t br = 0;
    for (int i = 0; i < a->n; i++) { int64_t v = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - br; br = v < 0; r->d[i] = (uint32_t)(v + (br ? ((int64_t)1 << 32) : 0)); }
    r->n = a->n; bnorm(r);
}
__attribute__((noinline)) static void bmul_school(uint32_t *r, const uint32_t *a, int na, const uint32_t *b, int nb) {
    memset(r, 0, 4 * (size_t)(na + nb));
    for (int i = 0; i < na; i++) {
        uint64_t c = 0, ai = a[i];
        for (int j = 0; j < nb; j++) { c += ai * b[j] + r[i + j]; r[i + j] = (uint32_t)c; c >>= 32; }
        r[i + nb] = (uint32_t)c;
    }
}
static void add_into(uint32_t *r, int nr, const uint32_t *a, int na) { uint64_t c = 0; for (int i = 0; i < nr; i++) { c += (uint64_t)r[i] + (i < na ? a[i] : 0); r[i] = (uint32_t)c; c >>= 32; } }
static void sub_into(uint32_t *r, int nr, const uint32_t *a, int na) { int64_t b = 0; for (int i = 0; i < nr; i++) { int64_t v = (int64_t)r[i] - (i < na ? a[i] : 0) - b; b = v < 0; r[i] = (uint32_t)(v + (b ? ((int64_t)1 << 32) : 0)); } }

/* Karatsuba for equal sizes n (result 2n limbs) */
__attribute__((noinline)) static void bmul_kara(uint32_t *r, const uint32_t *a, const uint32_t *b, int n) {
    if (n <= 16) { bmul_school(r, a, n, b, n); return; }
    int h = n / 2, m = n - h;
    uint32_t *z0 = calloc((size_t)(2 * h), 4), *z2 = calloc((size_t)(2 * m), 4);
    uint32_t *sa = calloc((size_t)m + 1, 4), *sb = calloc((size_t)m + 1, 4), *z1 = calloc((size_t)(2 * m + 2), 4);
    bmul_kara(z0, a, b, h);
    bmul_kara(z2, a + h, b + h, m);
    memcpy(sa, a + h, 4 * (size_t)m); add_into(sa, m + 1, a, h);
    memcpy(sb, b + h, 4 * (size_t)m); add_into(sb, m + 1, b, h);
    bmul_school(z1, sa, m + 1, sb, m + 1);
    sub_into(z1, 2 * m + 2, z0, 2 * h); sub_into(z1, 2 * m + 2, z2, 2 * m);
    memset(r, 0, 4 * (size_t)(2 * n));
    memcpy(r, z0, 4 * (size_t)(2 * h));
    memcpy(r + 2 * h, z2, 4 * (size_t)(2 * m));
    add_into(r + h, 2 * n - h, z1, 2 * m + 2 < 2 * n - h ? 2 * m + 2 : 2 * n - h);
    free(z0); free(z2); free(sa); free(sb); free(z1);
}

__attribute__((noinline)) static uint32_t bdivsmall(big *a, uint32_t d) {
    uint64_t rem = 0;
    for (int i = a->n - 1; i >= 0; i--) { uint64_t cur = rem << 32 | a->d[i]; a->d[i] = (uint32_t)(cur / d); rem = cur % d; }
    bnorm(a);
    return (uint32_t)rem;
}
static void bmulsmall(big *a, uint32_t m) { uint64_t c = 0; for (int i = 0; i < a->n; i++) { c += (uint64_t)a->d[i] * m; a->d[i] = (uint32_t)c; c >>= 32; } if (c) a->d[a->n++] = (uint32_t)c; }

/* decimal digits: returns length, writes digits (most significant first) */
__attribute__((noinline)) static int bdec(const big *a, char *out) {
    big t; bz(&t, a->n + 1); bcopy_(&t, a);
    char *tmp = malloc((size_t)a->n * 10 + 16);
    int k = 0;
    if (t.n == 0) tmp[k++] = '0';
    while (t.n > 0) { uint32_t r = bdivsmall(&t, 1000000000u); for (int i = 0; i < 9; i++) { tmp[k++] = (char)('0' + r % 10); r /= 10; } }
    while (k > 1 && tmp[k - 1] == '0') k--;
    for (int i = 0; i < k; i++) out[i] = tmp[k - 1 - i];
    out[k] = 0;
    free(tmp); bfree(&t);
    return k;
}

/* long division q = a / b, r = a % b via binary shift-subtract on limbs (simple, exact) */
__attribute__((noinline)) static void bdivmod(const big *a, const big *b, big *q, big *r) {
    q->n = a->n; memset(q->d, 0, 4 * (size_t)q->cap); r->n = 0;
    for (int i = a->n * 32 - 1; i >= 0; i--) {
        /* r = r*2 + bit */
        uint32_t carry = (a->d[i / 32] >> (i % 32)) & 1;
        for (int j = 0; j < r->n; j++) { uint32_t nc = r->d[j] >> 31; r->d[j] = r->d[j] << 1 | carry; carry = nc; }
        if (carry) r->d[r->n++] = carry;
        if (bcmp_(r, b) >= 0) { bsub(r, r, b); q->d[i / 32] |= 1u << (i % 32); }
    }
    bnorm(q);
}

static uint64_t digit_hash(const char *s) { uint64_t h = 0; for (; *s; s++) h = h * 10 + (uint64_t)(*s - '0') + (h >> 60); return h; }

int main(void) {
    static char buf[20000];
    big f; bz(&f, 400); bset(&f, 1);
    for (uint32_t i = 2; i <= 400; i++) bmulsmall(&f, i);
    int len = bdec(&f, buf);
    printf("400! has %d digits: %.20s...%s\n", len, buf, buf + len - 12);
    ck_add((uint64_t)len); ck_add(digit_hash(buf));

    big a, b, c; bz(&a, 100); bz(&b, 100); bz(&c, 100);
    bset(&a, 0); bset(&b, 1);
    for (int i = 0; i < 3000; i++) { badd(&c, &a, &b); bcopy_(&a, &b); bcopy_(&b, &c); }
    len = bdec(&a, buf);
    printf("fib(3000) has %d digits: %.20s...\n", len, buf);
    ck_add((uint64_t)len); ck_add(digit_hash(buf));

    big p; bz(&p, 120); bset(&p, 1);
    for (int i = 0; i < 2000; i++) bmulsmall(&p, 3);
    len = bdec(&p, buf);
    printf("3^2000 has %d digits, last 10: %s\n", len, buf + len - 10);
    ck_add(digit_hash(buf));

    /* Karatsuba vs schoolbook on random 96-limb numbers */
    int ok = 1;
    uint32_t s = 5;
    for (int t = 0; t < 20; t++) {
        int n = 40 + t * 3;
        uint32_t *x = malloc(4 * (size_t)n), *y = malloc(4 * (size_t)n), *r1 = malloc(8 * (size_t)n), *r2 = malloc(8 * (size_t)n);
        for (int i = 0; i < n; i++) { s = s * 1664525u + 1013904223u; x[i] = s; s = s * 1664525u + 1013904223u; y[i] = s ^ (s >> 7); }
        bmul_school(r1, x, n, y, n); bmul_kara(r2, x, y, n);
        if (memcmp(r1, r2, 8 * (size_t)n)) ok = 0;
        uint64_t h = 0; for (int i = 0; i < 2 * n; i++) h = h * 31 + r1[i];
        ck_add(h);
        free(x); free(y); free(r1); free(r2);
    }
    printf("karatsuba agrees: %d\n", ok);

    /* division check: (a*b + r) / b == a, remainder r */
    big x, y, prod, q, rem; bz(&x, 64); bz(&y, 64); bz(&prod, 130); bz(&q, 130); bz(&rem, 130);
    int divok = 1;
    for (int t = 0; t < 6; t++) {
        x.n = 20 + t; y.n = 7 + t;
        for (int i = 0; i < x.n; i++) { s = s * 1664525u + 1013904223u; x.d[i] = s; }
        for (int i = 0; i < y.n; i++) { s = s * 1664525u + 1013904223u; y.d[i] = s | 1u; }
        bnorm(&x); bnorm(&y);
        bmul_school(prod.d, x.d, x.n, y.d, y.n); prod.n = x.n + y.n; bnorm(&prod);
        big small; bz(&small, 64); small.n = 3; small.d[0] = 12345; small.d[1] = 678; small.d[2] = 9; bnorm(&small);
        big tot; bz(&tot, 131); badd(&tot, &prod, &small);
        bdivmod(&tot, &y, &q, &rem);
        if (bcmp_(&q, &x) != 0 || bcmp_(&rem, &small) != 0) divok = 0;
        ck_add(q.d[0]); ck_add((uint64_t)q.n);
        bfree(&small); bfree(&tot);
    }
    printf("long division ok: %d\n", divok);

    /* sqrt(2) * 10^200 by Newton iteration on big integers: x = (x + N/x) / 2 */
    big N, xn, t1, t2, t3; bz(&N, 60); bz(&xn, 60); bz(&t1, 60); bz(&t2, 60); bz(&t3, 60);
    bset(&N, 2);
    for (int i = 0; i < 400; i++) bmulsmall(&N, 10);
    bset(&xn, 1);
    for (int i = 0; i < 200; i++) bmulsmall(&xn, 10);
    for (int it = 0; it < 40; it++) {
        bdivmod(&N, &xn, &t1, &t2);
        badd(&t3, &xn, &t1);
        bdivsmall(&t3, 2);
        if (bcmp_(&t3, &xn) == 0) break;
        bcopy_(&xn, &t3);
    }
    len = bdec(&xn, buf);
    printf("sqrt(2) = %c.%.50s...\n", buf[0], buf + 1);
    ck_add(digit_hash(buf));
    bfree(&f); bfree(&a); bfree(&b); bfree(&c); bfree(&p); bfree(&x); bfree(&y); bfree(&prod); bfree(&q); bfree(&rem);
    bfree(&N); bfree(&xn); bfree(&t1); bfree(&t2); bfree(&t3);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
