/* Shellsort with several gap sequences (Shell, Knuth, Ciura-like, Pratt-like),
 * comb sort, gnome sort and odd-even transposition sort; counts comparisons. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0;
static void ck_add(uint64_t v) { ck = (ck << 7 | ck >> 57) ^ v; ck *= 0x9e3779b97f4a7c15ULL; }

static uint32_t seed = 7;
static uint32_t rnd(void) { seed ^= seed << 13; seed ^= seed >> 17; seed ^= seed << 5; return seed; }

static unsigned long cmps;

__attribute__((noinline)) static void shellsort(int32_t *a, int n, const int *gaps, int ngaps) {
    for (int g = 0; g < ngaps; g++) {
        int gap = gaps[g];
        if (gap >= n) continue;
        for (int i = gap; i < n; i++) {
            int32_t v = a[i];
            int j = i;
            while (j >= gap && (cmps++, a[j - gap] > v)) { a[j] = a[j - gap]; j -= gap; }
            a[j] = v;
        }
    }
}

__attribute__((noinline)) static void combsort(int32_t *a, int n) {
    int gap = n, sorted = 0;
    while (!sorted) {
        gap = gap * 10 / 13;
        if (gap <= 1) { gap = 1; sorted = 1; }
        if (gap == 9 || gap == 10) gap = 11;
        for (int i = 0; i + gap < n; i++) {
            cmps++;
            if (a[i] > a[i + gap]) { int32_t t = a[i]; a[i] = a[i + gap]; a[i + gap] = t; sorted = 0; }
        }
    }
}

__attribute__((noinline)) static void gnomesort(int32_t *a, int n) {
    int i = 1;
    while (i < n) {
        cmps++;
        if (i == 0 || a[i - 1] <= a[i]) i++;
        else { int32_t t = a[i]; a[i] = a[i - 1]; a[i - 1] = t; i--; }
    }
}

__attribute__((noinline)) static int oddeven(int32_t *a, int n) {
    int rounds = 0, changed = 1;
    while (changed) {
        changed = 0; rounds++;
        for (int p = 0; p < 2; p++)
            for (int i = p; i + 1 < n; i += 2) {
                cmps++;
                if (a[i] > a[i + 1]) { int32_t t = a[i]; a[i] = a[i + 1]; a[i + 1] = t; changed = 1; }
            }
    }
    return rounds;
}

static int sorted(const int32_t *a, int n) { for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) return 0; return 1; }
static uint64_t hsh(const int32_t *a, int n) { uint64_t h = 5381; for (int i = 0; i < n; i++) h = h * 33 + (uint32_t)a[i]; return h; }

int main(void) {
    enum { N = 12000 };
    int32_t *orig = malloc(4 * N), *a = malloc(4 * N);
    for (int i = 0; i < N; i++) orig[i] = (int32_t)(rnd() % 100000u) - 50000;

    int shell_g[16], knuth_g[16], pratt_g[64], ns = 0, nk = 0, np = 0;
    for (int g = N / 2; g > 0; g /= 2) shell_g[ns++] = g;
    int kg[16], kn = 0;
    for (int g = 1; g < N / 3; g = 3 * g + 1) kg[kn++] = g;
    for (int i = kn - 1; i >= 0; i--) knuth_g[nk++] = kg[i];
    static const int ciura[] = { 3905, 1750, 701, 301, 132, 57, 23, 10, 4, 1 };
    int pg[64], pn = 0;
    for (int p2 = 1; p2 < N; p2 *= 2)
        for (int p3 = p2; p3 < N; p3 *= 3) if (pn < 64) pg[pn++] = p3;
    /* sort pratt gaps descending (small insertion sort) */
    for (int i = 1; i < pn; i++) { int v = pg[i], j = i - 1; while (j >= 0 && pg[j] < v) { pg[j + 1] = pg[j]; j--; } pg[j + 1] = v; }
    for (int i = 0; i < pn; i++) pratt_g[np++] = pg[i];

    const char *names[4] = { "shell", "knuth", "ciura", "pratt" };
    const int *seqs[4] = { shell_g, knuth_g, ciura, pratt_g };
    int lens[4] = { ns, nk, 10, np };
    uint64_t ref = 0;
    for (int s = 0; s < 4; s++) {
        memcpy(a, orig, 4 * N); cmps = 0;
        shellsort(a, N, seqs[s], lens[s]);
        uint64_t h = hsh(a, N);
        if (s == 0) ref = h;
        printf("%s: gaps=%d sorted=%d same=%d cmps=%lu\n", names[s], lens[s], sorted(a, N), h == ref, cmps);
        ck_add(h); ck_add(cmps);
    }
    memcpy(a, orig, 4 * N); cmps = 0;
    combsort(a, N);
    printf("comb: sorted=%d same=%d cmps=%lu\n", sorted(a, N), hsh(a, N) == ref, cmps);
    ck_add(cmps);

    int small = 1500;
    memcpy(a, orig, 4 * (size_t)small); cmps = 0;
    gnomesort(a, small);
    printf("gnome(%d): sorted=%d cmps=%lu\n", small, sorted(a, small), cmps);
    ck_add(cmps); ck_add(hsh(a, small));
    memcpy(a, orig, 4 * (size_t)small); cmps = 0;
    int rounds = oddeven(a, small);
    printf("oddeven(%d): sorted=%d rounds=%d cmps=%lu\n", small, sorted(a, small), rounds, cmps);
    ck_add((uint64_t)rounds); ck_add(hsh(a, small));
    free(orig); free(a);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
