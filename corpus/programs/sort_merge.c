/* Merge sorts: top-down recursive, bottom-up iterative, natural merge sort,
 * with a stability check on keyed records and inversion counting. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N 16384

static uint64_t ck = 0x9e3779b97f4a7c15ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0xff51afd7ed558ccdULL; ck ^= ck >> 33; }

static uint64_t s64 = 88172645463325252ULL;
static uint64_t rnd64(void) { s64 ^= s64 << 13; s64 ^= s64 >> 7; s64 ^= s64 << 17; return s64; }

__attribute__((noinline)) static uint64_t merge(uint32_t *a, uint32_t *tmp, int lo, int mid, int hi) {
    int i = lo, j = mid, k = lo;
    uint64_t inv = 0;
    while (i < mid && j < hi) {
        if (a[i] <= a[j]) tmp[k++] = a[i++];
        else { tmp[k++] = a[j++]; inv += (uint64_t)(mid - i); }
    }
    while (i < mid) tmp[k++] = a[i++];
    while (j < hi) tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, sizeof(uint32_t) * (size_t)(hi - lo));
    return inv;
}

static uint64_t msort_td(uint32_t *a, uint32_t *tmp, int lo, int hi) {
    if (hi - lo < 2) return 0;
    int mid = lo + (hi - lo) / 2;
    uint64_t inv = msort_td(a, tmp, lo, mid);
    inv += msort_td(a, tmp, mid, hi);
    if (a[mid - 1] <= a[mid]) return inv;
    return inv + merge(a, tmp, lo, mid, hi);
}

__attribute__((noinline)) static uint64_t msort_bu(uint32_t *a, uint32_t *tmp, int n) {
    uint64_t inv = 0;
    for (int w = 1; w < n; w *= 2)
        for (int lo = 0; lo < n - w; lo += 2 * w) {
            int mid = lo + w, hi = lo + 2 * w < n ? lo + 2 * w : n;
            inv += merge(a, tmp, lo, mid, hi);
        }
    return inv;
}

__attribute__((noinline)) static int msort_natural(uint32_t *a, uint32_t *tmp, int n) {
    int passes = 0;
    for (;;) {
        int lo = 0, runs = 0;
        while (lo < n) {
            int mid = lo + 1;
            while (mid < n && a[mid - 1] <= a[mid]) mid++;
            if (mid >= n) { runs++; break; }
            int hi = mid + 1;
            while (hi < n && a[hi - 1] <= a[hi]) hi++;
            merge(a, tmp, lo, mid, hi);
            runs++;
            lo = hi;
        }
        passes++;
        if (runs <= 1) break;
    }
    return passes;
}

struct item { uint8_t key; uint16_t seq; };

__attribute__((noinline)) static void msort_items(struct item *a, struct item *tmp, int n) {
    for (int w = 1; w < n; w *= 2) {
        for (int lo = 0; lo < n; lo += 2 * w) {
            int mid = lo + w < n ? lo + w : n;
            int hi = lo + 2 * w < n ? lo + 2 * w : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = (a[j].key < a[i].key) ? a[j++] : a[i++];
            while (i < mid) tmp[k++] = a[i++];
            while (j < hi) tmp[k++] = a[j++];
        }
        memcpy(a, tmp, sizeof(struct item) * (size_t)n);
    }
}

static uint64_t brute_inversions(const uint32_t *a, int n) {
    uint64_t c = 0;
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) c += a[i] > a[j];
    return c;
}

int main(void) {
    uint32_t *a = malloc(sizeof(uint32_t) * N), *b = malloc(sizeof(uint32_t) * N);
    uint32_t *c = malloc(sizeof(uint32_t) * N), *tmp = malloc(sizeof(uint32_t) * N);
    for (int i = 0; i < N; i++) a[i] = (uint32_t)(rnd64() >> 40);
    memcpy(b, a, sizeof(uint32_t) * N);
    /* c: partially sorted, a few long runs */
    for (int i = 0; i < N; i++) c[i] = (uint32_t)((i * 7919) % 613) + (uint32_t)(i / 613) * 1000u;

    uint64_t bi = brute_inversions(a, 1500);
    uint32_t small[1500]; memcpy(small, a, sizeof small);
    uint64_t si = msort_td(small, tmp, 0, 1500);
    printf("inversions(1500): brute=%llu merge=%llu\n", (unsigned long long)bi, (unsigned long long)si);
    ck_add(bi); ck_add(si);

    uint64_t i1 = msort_td(a, tmp, 0, N);
    uint64_t i2 = msort_bu(b, tmp, N);
    printf("topdown inv=%llu bottomup inv=%llu equal=%d\n", (unsigned long long)i1,
           (unsigned long long)i2, memcmp(a, b, sizeof(uint32_t) * N) == 0);
    ck_add(i1); ck_add(i2);
    for (int i = 0; i < N; i += 97) ck_add(a[i]);

    int passes = msort_natural(c, tmp, N);
    int ok = 1;
    for (int i = 1; i < N; i++) if (c[i - 1] > c[i]) ok = 0;
    printf("natural: passes=%d sorted=%d c[100]=%u\n", passes, ok, c[100]);
    ck_add((uint64_t)passes); ck_add(c[100]); ck_add(c[N - 1]);

    int ni = 3000;
    struct item *it = malloc(sizeof(struct item) * (size_t)ni), *it2 = malloc(sizeof(struct item) * (size_t)ni);
    for (int i = 0; i < ni; i++) { it[i].key = (uint8_t)(rnd64() % 10); it[i].seq = (uint16_t)i; }
    msort_items(it, it2, ni);
    int stable = 1;
    for (int i = 1; i < ni; i++)
        if (it[i - 1].key > it[i].key || (it[i - 1].key == it[i].key && it[i - 1].seq > it[i].seq)) stable = 0;
    printf("stable=%d first_seq=%u last_seq=%u\n", stable, it[0].seq, it[ni - 1].seq);
    for (int i = 0; i < ni; i += 11) ck_add((uint64_t)it[i].seq << 8 | it[i].key);
    free(a); free(b); free(c); free(tmp); free(it); free(it2);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
