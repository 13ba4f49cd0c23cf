/* Classic recursion benchmarks: Takeuchi (tak), tarai (lazy-free version),
 * naive and memoised Fibonacci, binomial coefficients by Pascal recursion,
 * a 10-parameter recursive function (stack-passed arguments on every call),
 * Catalan numbers via recursive convolution, and Hanoi move counting. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x7a47a47a47a4ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 32; }

static long ncalls;

__attribute__((noinline)) static int tak(int x, int y, int z) {
    ncalls++;
    if (y >= x) return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

__attribute__((noinline)) static int tarai(int x, int y, int z) {
    ncalls++;
    if (x <= y) return y;
    return tarai(tarai(x - 1, y, z), tarai(y - 1, z, x), tarai(z - 1, x, y));
}

__attribute__((noinline)) static uint32_t fib(uint32_t n) { ncalls++; return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint64_t memo[100];
__attribute__((noinline)) static uint64_t fibm(unsigned n) { ncalls++; if (n < 2) return n; if (memo[n]) return memo[n]; return memo[n] = fibm(n - 1) + fibm(n - 2); }

__attribute__((noinline)) static uint32_t binom(uint32_t n, uint32_t k) { ncalls++; if (k == 0 || k == n) return 1; return binom(n - 1, k - 1) + binom(n - 1, k); }

__attribute__((noinline)) static uint64_t ten(int depth, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f, uint32_t g, uint32_t h, uint32_t i) {
    ncalls++;
    if (depth == 0) return (uint64_t)a + b * 2u + c * 3u + d * 5u + e * 7u + f * 11u + g * 13u + h * 17u + i * 19u;
    uint64_t left = ten(depth - 1, b, c, d, e, f, g, h, i, a + 1);
    uint64_t right = ten(depth - 1, i ^ a, h, g, f, e, d, c, b, (uint32_t)left);
    return left * 3 + right;
}

static uint64_t cat_memo[40];
__attribute__((noinline)) static uint64_t catalan(int n) {
    ncalls++;
    if (n <= 1) return 1;
    if (cat_memo[n]) return cat_memo[n];
    uint64_t s = 0;
    for (int i = 0; i < n; i++) s += catalan(i) * catalan(n - 1 - i);
    return cat_memo[n] = s;
}

__attribute__((noinline)) static uint64_t hanoi(int n, int from, int to, int via, uint64_t *trace) {
    ncalls++;
    if (n == 0) return 0;
    uint64_t m = hanoi(n - 1, from, via, to, trace);
    *trace = *trace * 7 + (uint64_t)(from * 3 + to);
    return m + 1 + hanoi(n - 1, via, to, from, trace);
}

int main(void) {
    ncalls = 0;
    int t = tak(18, 12, 6);
    printf("tak(18,12,6)=%d calls=%ld\n", t, ncalls);
    ck_add((uint64_t)t); ck_add((uint64_t)ncalls);
    ncalls = 0;
    int ta = tarai(10, 5, 0);
    printf("tarai(10,5,0)=%d calls=%ld\n", ta, ncalls);
    ck_add((uint64_t)ta); ck_add((uint64_t)ncalls);
    ncalls = 0;
    uint32_t f = fib(25);
    printf("fib(25)=%u calls=%ld\n", f, ncalls);
    ck_add(f); ck_add((uint64_t)ncalls);
    ncalls = 0;
    uint64_t fm = fibm(90);
    printf("fibm(90)=%llu calls=%ld\n", (unsigned long long)fm, ncalls);
    ck_add(fm);
    ncalls = 0;
    uint32_t bsum = 0;
    for (uint32_t n = 0; n <= 18; n++) for (uint32_t k = 0; k <= n; k += 3) bsum += binom(n, k);
    printf("binomial sum=%u calls=%ld\n", bsum, ncalls);
    ck_add(bsum); ck_add((uint64_t)ncalls);
    ncalls = 0;
    uint64_t tn = ten(14, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    printf("ten-arg recursion=%016llx calls=%ld\n", (unsigned long long)tn, ncalls);
    ck_add(tn);
    ncalls = 0;
    uint64_t cs = 0;
    for (int n = 0; n < 36; n++) cs ^= catalan(n) + (uint64_t)n;
    printf("catalan(35)=%llu xor=%llu\n", (unsigned long long)catalan(35), (unsigned long long)cs);
    ck_add(cs);
    ncalls = 0;
    uint64_t tr = 0;
    uint64_t moves = hanoi(16, 0, 2, 1, &tr);
    printf("hanoi(16) moves=%llu trace=%016llx calls=%ld\n", (unsigned long long)moves, (unsigned long long)tr, ncalls);
    ck_add(moves); ck_add(tr);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
