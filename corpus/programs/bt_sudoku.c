/* Sudoku solving: constraint propagation with bitmask candidates (naked
 * singles and hidden singles) plus backtracking on the cell with the fewest
 * candidates; counts solutions (up to 2) for uniqueness checks; solves a
 * handful of puzzles including a minimal one, and generates puzzles by
 * removing clues from a solved grid while keeping uniqueness. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x5d5d5d5d5d5dULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 28; }

static long guesses;

static int popc(unsigned x) { int c = 0; while (x) { x &= x - 1; c++; } return c; }
static int ctz9(unsigned x) { int i = 0; while (!(x & 1)) { x >>= 1; i++; } return i; }

static unsigned cand(const uint8_t g[81], int cell) {
    int r = cell / 9, c = cell % 9, br = r / 3 * 3, bc = c / 3 * 3;
    unsigned used = 0;
    for (int i = 0; i < 9; i++) { used |= 1u << g[r * 9 + i]; used |= 1u << g[i * 9 + c]; }
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) used |= 1u << g[(br + i) * 9 + bc + j];
    return ~used & 0x3feu; /* bits 1..9 */
}

/* returns 0 on contradiction */
__attribute__((noinline)) static int propagate(uint8_t g[81]) {
    for (int changed = 1; changed;) {
        changed = 0;
        for (int cell = 0; cell < 81; cell++) {
            if (g[cell]) continue;
            unsigned m = cand(g, cell);
            if (!m) return 0;
            if (popc(m) == 1) { g[cell] = (uint8_t)ctz9(m); changed = 1; }
        }
        /* hidden singles per row */
        for (int r = 0; r < 9; r++)
            for (int d = 1; d <= 9; d++) {
                int where = -1, count = 0, present = 0;
                for (int c = 0; c < 9; c++) { if (g[r * 9 + c] == d) present = 1; else if (!g[r * 9 + c] && (cand(g, r * 9 + c) >> d & 1)) { count++; where = r * 9 + c; } }
                if (!present && count == 0) return 0;
                if (!present && count == 1) { g[where] = (uint8_t)d; changed = 1; }
            }
    }
    return 1;
}

__attribute__((noinline)) static int search(uint8_t g[81], int limit, uint8_t sol[81]) {
    uint8_t save[81];
    memcpy(save, g, 81);
    if (!propagate(g)) { memcpy(g, save, 81); return 0; }
    int best = -1, bestc = 10;
    for (int cell = 0; cell < 81; cell++) if (!g[cell]) { int pc = popc(cand(g, cell)); if (pc < bestc) { bestc = pc; best = cell; } }
    if (best < 0) { memcpy(sol, g, 81); memcpy(g, save, 81); return 1; }
    int found = 0;
    unsigned m = cand(g, best);
    uint8_t before[81];
    memcpy(before, g, 81);
    for (int d = 1; d <= 9 && found < limit; d++) {
        if (!(m >> d & 1)) continue;
        guesses++;
        g[best] = (uint8_t)d;
        found += search(g, limit - found, sol);
        memcpy(g, before, 81);
    }
    memcpy(g, save, 81);
    return found;
}

static void parse(const char *s, uint8_t g[81]) { for (int i = 0; i < 81; i++) g[i] = (uint8_t)(s[i] == '.' ? 0 : s[i] - '0'); }

int main(void) {
    const char *puzzles[] = {
        "53..7....6..195....98....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
        "..9748...7.........2.1.9.....7...24..64.1.59..98...3.....8.3.2.........6...2759..",
        "8..........36......7..9.2...5...7.......457.....1...3...1....68..85...1..9....4..",
        "000000010400000000020000000000050407008000300001090000300400200050100000000806000",
        "....................8....6.8...6...34..8.3..17...2...6.6....28....419..5....8..79",
    };
    for (int p = 0; p < 5; p++) {
        char tmp[82];
        for (int i = 0; i < 81; i++) tmp[i] = puzzles[p][i] == '0' ? '.' : puzzles[p][i];
        tmp[81] = 0;
        uint8_t g[81], sol[81];
        memset(sol, 0, sizeof sol);
        parse(tmp, g);
        guesses = 0;
        int n = search(g, 2, sol);
        int clues = 0; for (int i = 0; i < 81; i++) clues += g[i] != 0;
        printf("puzzle %d: clues=%d solutions(capped at 2)=%d guesses=%ld first row=", p, clues, n, guesses);
        for (int i = 0; i < 9; i++) printf("%d", sol[i]);
        printf("\n");
        uint64_t h = 0; for (int i = 0; i < 81; i++) h = h * 10 + sol[i];
        ck_add(h); ck_add((uint64_t)n); ck_add((uint64_t)guesses);
    }
    /* generate: start from solution of puzzle 0, remove clues in pseudo-random order keeping uniqueness */
    uint8_t g[81], sol[81], full[81];
    char tmp[82];
    memcpy(tmp, puzzles[0], 82);
    parse(tmp, g);
    search(g, 1, full);
    memcpy(g, full, 81);
    uint32_t s = 1;
    int order[81];
    for (int i = 0; i < 81; i++) order[i] = i;
    for (int i = 80; i > 0; i--) { s = s * 1103515245u + 12345u; int j = (int)((s >> 16) % (uint32_t)(i + 1)); int t = order[i]; order[i] = order[j]; order[j] = t; }
    int removed = 0;
    guesses = 0;
    for (int k = 0; k < 81; k++) {
        int cell = order[k];
        uint8_t v = g[cell];
        g[cell] = 0;
        if (search(g, 2, sol) != 1) g[cell] = v; else removed++;
    }
    printf("generated puzzle: clues=%d (removed %d) checks' guesses=%ld\n", 81 - removed, removed, guesses);
    for (int r = 0; r < 9; r++) { for (int c = 0; c < 9; c++) putchar(g[r * 9 + c] ? '0' + g[r * 9 + c] : '.'); putchar('\n'); }
    uint64_t h = 0; for (int i = 0; i < 81; i++) h = h * 10 + g[i];
    ck_add(h); ck_add((uint64_t)removed);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
