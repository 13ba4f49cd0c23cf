/* Digit spigots: Rabinowitz-Wagon spigot for pi (with predigit/nines
 * handling), a spigot for e, a base-10^4 Machin formula for pi using
 * fixed-point arrays (arctan series with array division), and digit
 * statistics; the two pi computations are cross-checked. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x3243f6a8885a308dULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 31; }

__attribute__((noinline)) static int pi_spigot(int ndig, char *out) {
    int len = ndig * 10 / 3 + 1;
    uint32_t *a = malloc(sizeof(uint32_t) * (size_t)len);
    for (int i = 0; i < len; i++) a[i] = 2;
    int nines = 0, predigit = 0, k = 0;
    for (int j = 0; j < ndig; j++) {
        uint32_t q = 0;
        for (int i = len; i > 0; i--) {
            uint32_t x = 10 * a[i - 1] + q * (uint32_t)i;
            a[i - 1] = x % (2u * (uint32_t)i - 1u);
            q = x / (2u * (uint32_t)i - 1u);
        }
        a[0] = q % 10; q /= 10;
        if (q == 9) nines++;
        else if (q == 10) {
            out[k++] = (char)('0' + predigit + 1);
            for (int m = 0; m < nines; m++) out[k++] = '0';
            predigit = 0; nines = 0;
        } else {
            if (j > 0) out[k++] = (char)('0' + predigit);
            predigit = (int)q;
            for (int m = 0; m < nines; m++) out[k++] = '9';
            nines = 0;
        }
    }
    out[k++] = (char)('0' + predigit);
    out[k] = 0;
    free(a);
    return k;
}

__attribute__((noinline)) static int e_spigot(int ndig, char *out) {
    int n = ndig + 10;
    uint32_t *a = malloc(sizeof(uint32_t) * (size_t)n);
    for (int i = 0; i < n; i++) a[i] = 1;
    int k = 0;
    out[k++] = '2';
    for (int j = 0; j < ndig; j++) {
        uint32_t q = 0;
        for (int i = n - 1; i >= 1; i--) {
            uint32_t x = a[i] * 10 + q;
            a[i] = x % (uint32_t)(i + 1);
            q = x / (uint32_t)(i + 1);
        }
        out[k++] = (char)('0' + q);
    }
    out[k] = 0;
    free(a);
    return k;
}

/* fixed-point base 10000 arrays: x[0] integer part, x[1..] fractional groups */
#define G 260
static void fp_div_small(uint32_t *x, uint32_t d) { uint32_t r = 0; for (int i = 0; i < G; i++) { uint32_t cur = r * 10000 + x[i]; x[i] = cur / d; r = cur % d; } }
static void fp_add(uint32_t *x, const uint32_t *y) { uint32_t c = 0; for (int i = G - 1; i >= 0; i--) { uint32_t s = x[i] + y[i] + c; x[i] = s % 10000; c = s / 10000; } }
static void fp_sub(uint32_t *x, const uint32_t *y) { int32_t b = 0; for (int i = G - 1; i >= 0; i--) { int32_t s = (int32_t)x[i] - (int32_t)y[i] - b; b = s < 0; x[i] = (uint32_t)(s + (b ? 10000 : 0)); } }
static int fp_zero(const uint32_t *x) { for (int i = 0; i < G; i++) if (x[i]) return 0; return 1; }

/* acc += mult * arctan(1/inv) */
__attribute__((noinline)) static int arctan_inv(uint32_t *acc, uint32_t inv, uint32_t mult) {
    uint32_t *term = calloc(G, 4), *t2 = calloc(G, 4);
    term[0] = mult;
    fp_div_small(term, inv);
    uint32_t inv2 = inv * inv;
    int k = 0;
    for (uint32_t n = 1; !fp_zero(term); n += 2, k++) {
        memcpy(t2, term, 4 * G);
        fp_div_small(t2, n);
        if (k % 2 == 0) fp_add(acc, t2); else fp_sub(acc, t2);
        fp_div_small(term, inv2);
    }
    free(term); free(t2);
    return k;
}

int main(void) {
    enum { ND = 800 };
    static char pi1[ND + 8], e[ND + 8], pi2[4 * G + 8];
    int n1 = pi_spigot(ND, pi1);
    printf("pi (spigot, %d digits): %.1s.%.60s\n", n1, pi1, pi1 + 1);
    int ne = e_spigot(ND, e);
    printf("e  (spigot, %d digits): %.1s.%.60s\n", ne, e, e + 1);
    uint32_t *acc = calloc(G, 4);
    int t1 = arctan_inv(acc, 5, 16);
    /* subtract 4*arctan(1/239) */
    uint32_t *neg = calloc(G, 4);
    int t2 = arctan_inv(neg, 239, 4);
    fp_sub(acc, neg);
    int k = sprintf(pi2, "%u", acc[0]);
    for (int i = 1; i < G; i++) k += sprintf(pi2 + k, "%04u", acc[i]);
    int agree = 0;
    while (agree < n1 - 2 && pi1[agree] == pi2[agree]) agree++;
    printf("machin terms=%d+%d, digits agreeing with spigot=%d\n", t1, t2, agree);
    ck_add((uint64_t)agree);
    int hist[10] = { 0 }, ehist[10] = { 0 };
    uint64_t h = 0;
    for (int i = 0; i < ND; i++) { hist[pi1[i] - '0']++; ehist[e[i] - '0']++; h = h * 10 + (uint64_t)(pi1[i] - '0') + (h >> 59); }
    printf("pi digit counts:");
    for (int d = 0; d < 10; d++) { printf(" %d", hist[d]); ck_add((uint64_t)hist[d]); }
    printf("\ne digit counts:");
    for (int d = 0; d < 10; d++) { printf(" %d", ehist[d]); ck_add((uint64_t)ehist[d]); }
    printf("\n");
    ck_add(h);
    for (int i = 0; i < ne; i++) ck_add((uint64_t)(uint8_t)e[i]);
    /* position of first "999" in pi, if any */
    char *p = strstr(pi1, "999");
    printf("first 999 at decimal place %ld\n", p ? (long)(p - pi1) : -1L);
    ck_add(p ? (uint64_t)(p - pi1) : 0);
    free(acc); free(neg);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
