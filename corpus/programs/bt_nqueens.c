/* N-queens: bitmask backtracking counting all solutions for n = 1..11, a
 * plain array-based backtracker for cross-checking, symmetry-reduced counting
 * (first-row half with mirroring), and the lexicographically first solution
 * for several n. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x9a9a9a9a9a9aULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 31; }

static long nodes;

__attribute__((noinline)) static uint64_t solve_bits(uint32_t all, uint32_t cols, uint32_t d1, uint32_t d2) {
    nodes++;
    if (cols == all) return 1;
    uint64_t cnt = 0;
    uint32_t avail = all & ~(cols | d1 | d2);
    while (avail) {
        uint32_t bit = avail & (0u - avail);
        avail ^= bit;
        cnt += solve_bits(all, cols | bit, ((d1 | bit) << 1) & all, (d2 | bit) >> 1);
    }
    return cnt;
}

static int qpos[32];
__attribute__((noinline)) static int safe(int row, int col) {
    for (int r = 0; r < row; r++) { int c = qpos[r]; if (c == col || c - col == r - row || c - col == row - r) return 0; }
    return 1;
}
__attribute__((noinline)) static uint64_t solve_array(int row, int n) {
    if (row == n) return 1;
    uint64_t cnt = 0;
    for (int c = 0; c < n; c++) if (safe(row, c)) { qpos[row] = c; cnt += solve_array(row + 1, n); }
    return cnt;
}

__attribute__((noinline)) static uint64_t solve_sym(int n) {
    uint32_t all = (1u << n) - 1;
    uint64_t cnt = 0;
    for (int c = 0; c < n / 2; c++) { uint32_t bit = 1u << c; cnt += 2 * solve_bits(all, bit, (bit << 1) & all, bit >> 1); }
    if (n & 1) { uint32_t bit = 1u << (n / 2); cnt += solve_bits(all, bit, (bit << 1) & all, bit >> 1); }
    return cnt;
}

static int first_found;
static int first_solution(int row, int n, int *out) {
    if (row == n) { memcpy(out, qpos, sizeof(int) * (size_t)n); return 1; }
    for (int c = 0; c < n; c++) if (safe(row, c)) { qpos[row] = c; if (first_solution(row + 1, n, out)) return 1; }
    return 0;
}

int main(void) {
    printf("n : solutions (bits / array / symmetric)\n");
    for (int n = 1; n <= 11; n++) {
        nodes = 0;
        uint64_t a = solve_bits((1u << n) - 1, 0, 0, 0);
        long nd = nodes;
        uint64_t b = n <= 9 ? solve_array(0, n) : a;
        uint64_t c = solve_sym(n);
        printf("%2d: %llu %llu %llu nodes=%ld\n", n, (unsigned long long)a, (unsigned long long)b, (unsigned long long)c, nd);
        ck_add(a); ck_add((uint64_t)nd); ck_add(b == a && c == a);
    }
    for (int n = 4; n <= 16; n += 4) {
        int sol[32];
        first_found = first_solution(0, n, sol);
        printf("first solution n=%d:", n);
        for (int i = 0; i < n; i++) { printf(" %d", sol[i]); ck_add((uint64_t)sol[i]); }
        printf("\n");
    }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
