/* Quicksort variants: Lomuto, Hoare with median-of-3 and insertion-sort cutoff,
 * 3-way (Dutch flag) partition, and a struct sort with a composite key. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define N 20000

static uint64_t ck = 0xcbf29ce484222325ULL;
static void ck_add(uint64_t v) { ck ^= v; ck *= 0x100000001b3ULL; ck ^= ck >> 31; }

static uint32_t rng_state = 0x12345678u;
static uint32_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static long swaps, compares;

__attribute__((noinline)) static void insertion(int32_t *a, int lo, int hi) {
    for (int i = lo + 1; i <= hi; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= lo && (compares++, a[j] > v)) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

__attribute__((noinline)) static int lomuto(int32_t *a, int lo, int hi) {
    int32_t p = a[hi];
    int i = lo;
    for (int j = lo; j < hi; j++) {
        compares++;
        if (a[j] < p) { int32_t t = a[i]; a[i] = a[j]; a[j] = t; i++; swaps++; }
    }
    int32_t t = a[i]; a[i] = a[hi]; a[hi] = t;
    return i;
}

static void qs_lomuto(int32_t *a, int lo, int hi) {
    while (lo < hi) {
        int p = lomuto(a, lo, hi);
        if (p - lo < hi - p) { qs_lomuto(a, lo, p - 1); lo = p + 1; }
        else { qs_lomuto(a, p + 1, hi); hi = p - 1; }
    }
}

static int32_t median3(int32_t *a, int lo, int hi) {
    int mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) { int32_t t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { int32_t t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { int32_t t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    return a[mid];
}

__attribute__((noinline)) static void qs_hoare(int32_t *a, int lo, int hi, int depth) {
    while (hi - lo > 16) {
        int32_t p = median3(a, lo, hi);
        int i = lo - 1, j = hi + 1;
        for (;;) {
            do { i++; compares++; } while (a[i] < p);
            do { j--; compares++; } while (a[j] > p);
            if (i >= j) break;
            int32_t t = a[i]; a[i] = a[j]; a[j] = t; swaps++;
        }
        if (j - lo < hi - j) { qs_hoare(a, lo, j, depth + 1); lo = j + 1; }
        else { qs_hoare(a, j + 1, hi, depth + 1); hi = j; }
    }
    insertion(a, lo, hi);
}

__attribute__((noinline)) static void qs_3way(int32_t *a, int lo, int hi) {
    if (hi <= lo) return;
    int32_t p = a[lo + (hi - lo) / 3];
    int lt = lo, gt = hi, i = lo;
    while (i <= gt) {
        compares++;
        if (a[i] < p) { int32_t t = a[lt]; a[lt] = a[i]; a[i] = t; lt++; i++; swaps++; }
        else if (a[i] > p) { int32_t t = a[gt]; a[gt] = a[i]; a[i] = t; gt--; swaps++; }
        else i++;
    }
    qs_3way(a, lo, lt - 1);
    qs_3way(a, gt + 1, hi);
}

struct rec { uint16_t group; int32_t score; uint32_t id; };

static int rec_less(const struct rec *x, const struct rec *y) {
    if (x->group != y->group) return x->group < y->group;
    if (x->score != y->score) return x->score > y->score;
    return x->id < y->id;
}

__attribute__((noinline)) static void qs_rec(struct rec *r, int lo, int hi) {
    while (lo < hi) {
        struct rec p = r[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (rec_less(&r[i], &p)) i++;
            while (rec_less(&p, &r[j])) j--;
            if (i <= j) { struct rec t = r[i]; r[i] = r[j]; r[j] = t; i++; j--; }
        }
        if (j - lo < hi - i) { qs_rec(r, lo, j); lo = i; }
        else { qs_rec(r, i, hi); hi = j; }
    }
}

static int is_sorted(const int32_t *a, int n) {
    for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) return 0;
    return 1;
}

static uint64_t hash_arr(const int32_t *a, int n) {
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < n; i++) { h ^= (uint32_t)a[i]; h *= 1099511628211ULL; }
    return h;
}

int main(void) {
    int32_t *a = malloc(sizeof(int32_t) * N);
    int32_t *b = malloc(sizeof(int32_t) * N);
    int32_t *c = malloc(sizeof(int32_t) * N);
    for (int i = 0; i < N; i++) a[i] = (int32_t)(rnd() % 2000001u) - 1000000;
    memcpy(b, a, sizeof(int32_t) * N);
    memcpy(c, a, sizeof(int32_t) * N);
    for (int i = 0; i < N; i++) c[i] = c[i] % 50; /* many duplicates */

    swaps = compares = 0;
    qs_lomuto(a, 0, N - 1);
    printf("lomuto: sorted=%d swaps=%ld compares=%ld\n", is_sorted(a, N), swaps, compares);
    ck_add(hash_arr(a, N)); ck_add((uint64_t)swaps); ck_add((uint64_t)compares);

    swaps = compares = 0;
    qs_hoare(b, 0, N - 1, 0);
    printf("hoare: sorted=%d swaps=%ld compares=%ld same=%d\n", is_sorted(b, N), swaps, compares,
           memcmp(a, b, sizeof(int32_t) * N) == 0);
    ck_add(hash_arr(b, N)); ck_add((uint64_t)swaps); ck_add((uint64_t)compares);

    swaps = compares = 0;
    qs_3way(c, 0, N - 1);
    printf("3way: sorted=%d swaps=%ld compares=%ld min=%d max=%d\n", is_sorted(c, N), swaps, compares,
           c[0], c[N - 1]);
    ck_add(hash_arr(c, N)); ck_add((uint64_t)swaps);

    int nr = 5000;
    struct rec *r = malloc(sizeof(struct rec) * (size_t)nr);
    for (int i = 0; i < nr; i++) {
        r[i].group = (uint16_t)(rnd() % 17u);
        r[i].score = (int32_t)(rnd() % 1000u) - 500;
        r[i].id = (uint32_t)i;
    }
    qs_rec(r, 0, nr - 1);
    int ok = 1;
    for (int i = 1; i < nr; i++) if (rec_less(&r[i], &r[i - 1])) ok = 0;
    printf("records: ok=%d first=(%u,%d,%u) last=(%u,%d,%u)\n", ok, r[0].group, r[0].score, r[0].id,
           r[nr - 1].group, r[nr - 1].score, r[nr - 1].id);
    for (int i = 0; i < nr; i += 7) { ck_add(r[i].id); ck_add((uint64_t)(uint32_t)r[i].score); }
    printf("median=%d\n", b[N / 2]);
    ck_add((uint64_t)(uint32_t)b[N / 2]);
    free(a); free(b); free(c); free(r);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
