/* Assorted backtracking searches: knight's tours (Warnsdorff heuristic with
 * backtracking fallback) on several board sizes, permutation enumeration with
 * Heap's algorithm, subset-sum search with sorting and bound pruning, and
 * graph k-colouring of a random graph with most-constrained-vertex ordering. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0xb7b7b7b7c8c8c8c8ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 30; }

static const int KDX[8] = { 1, 2, 2, 1, -1, -2, -2, -1 }, KDY[8] = { 2, 1, -1, -2, -2, -1, 1, 2 };
static int board[16][16], N;
static long knodes;

static int degree(int x, int y) {
    int d = 0;
    for (int k = 0; k < 8; k++) { int nx = x + KDX[k], ny = y + KDY[k]; if (nx >= 0 && ny >= 0 && nx < N && ny < N && !board[ny][nx]) d++; }
    return d;
}

__attribute__((noinline)) static int tour(int x, int y, int step) {
    knodes++;
    board[y][x] = step;
    if (step == N * N) return 1;
    if (knodes > 2000000) { board[y][x] = 0; return 0; }
    int order[8], deg[8], m = 0;
    for (int k = 0; k < 8; k++) {
        int nx = x + KDX[k], ny = y + KDY[k];
        if (nx < 0 || ny < 0 || nx >= N || ny >= N || board[ny][nx]) continue;
        int d = degree(nx, ny);
        int i = m++;
        while (i > 0 && deg[i - 1] > d) { deg[i] = deg[i - 1]; order[i] = order[i - 1]; i--; }
        deg[i] = d; order[i] = k;
    }
    for (int i = 0; i < m; i++) if (tour(x + KDX[order[i]], y + KDY[order[i]], step + 1)) return 1;
    board[y][x] = 0;
    return 0;
}

static uint64_t perm_hash; static long perm_count;
__attribute__((noinline)) static void heap_perm(int *a, int n) {
    int c[16] = { 0 };
    perm_count = 1;
    uint64_t h = 0; for (int j = 0; j < n; j++) h = h * 11 + (uint64_t)a[j];
    perm_hash = h;
    int i = 0;
    while (i < n) {
        if (c[i] < i) {
            int j = (i & 1) ? c[i] : 0;
            int t = a[j]; a[j] = a[i]; a[i] = t;
            perm_count++;
            h = 0; for (int k = 0; k < n; k++) h = h * 11 + (uint64_t)a[k];
            perm_hash ^= h + (uint64_t)perm_count;
            c[i]++; i = 0;
        } else { c[i] = 0; i++; }
    }
}

static long ss_nodes;
__attribute__((noinline)) static int subset_sum(const int *a, const int64_t *suffix, int n, int i, int64_t target, uint8_t *pick) {
    ss_nodes++;
    if (target == 0) return 1;
    if (i == n || target < 0 || suffix[i] < target) return 0;
    pick[i] = 1;
    if (a[i] <= target && subset_sum(a, suffix, n, i + 1, target - a[i], pick)) return 1;
    pick[i] = 0;
    return subset_sum(a, suffix, n, i + 1, target, pick);
}

#define GV 40
static uint8_t adj[GV][GV];
static int color[GV];
static long col_nodes;
__attribute__((noinline)) static int colour(int k, int done) {
    col_nodes++;
    if (done == GV) return 1;
    int best = -1, bestopts = 99;
    for (int v = 0; v < GV; v++) {
        if (color[v] >= 0) continue;
        unsigned used = 0;
        for (int u = 0; u < GV; u++) if (adj[v][u] && color[u] >= 0) used |= 1u << color[u];
        int opts = 0; for (int c = 0; c < k; c++) opts += !(used >> c & 1);
        if (opts < bestopts) { bestopts = opts; best = v; }
    }
    if (bestopts == 0) return 0;
    for (int c = 0; c < k; c++) {
        int ok = 1;
        for (int u = 0; u < GV; u++) if (adj[best][u] && color[u] == c) { ok = 0; break; }
        if (!ok) continue;
        color[best] = c;
        if (colour(k, done + 1)) return 1;
        color[best] = -1;
    }
    return 0;
}

int main(void) {
    for (N = 5; N <= 12; N++) {
        memset(board, 0, sizeof board); knodes = 0;
        int ok = tour(0, 0, 1);
        uint64_t h = 0; for (int y = 0; y < N; y++) for (int x = 0; x < N; x++) h = h * 131 + (uint64_t)board[y][x];
        printf("knight's tour %dx%d: found=%d nodes=%ld\n", N, N, ok, knodes);
        ck_add((uint64_t)ok); ck_add((uint64_t)knodes); ck_add(h);
    }
    int a[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
    heap_perm(a, 9);
    printf("heap permutations of 9: count=%ld hash=%016llx final=", perm_count, (unsigned long long)perm_hash);
    for (int i = 0; i < 9; i++) printf("%d", a[i]);
    printf("\n");
    ck_add((uint64_t)perm_count); ck_add(perm_hash);
    uint32_t s = 17;
    int nv = 40, vals[40];
    for (int i = 0; i < nv; i++) { s = s * 1103515245u + 12345u; vals[i] = 1000 + (int)((s >> 16) % 9000u); }
    for (int i = 1; i < nv; i++) { int v = vals[i], j = i - 1; while (j >= 0 && vals[j] < v) { vals[j + 1] = vals[j]; j--; } vals[j + 1] = v; }
    int64_t suffix[41] = { 0 };
    for (int i = nv - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + vals[i];
    int found = 0; long tn = 0;
    for (int t = 0; t < 12; t++) {
        int64_t target = 20000 + t * 7919 + 1;
        uint8_t pick[40] = { 0 };
        ss_nodes = 0;
        int r = subset_sum(vals, suffix, nv, 0, target, pick);
        int64_t chk = 0; for (int i = 0; i < nv; i++) if (pick[i]) chk += vals[i];
        found += r && chk == target; tn += ss_nodes;
        ck_add((uint64_t)r); ck_add((uint64_t)ss_nodes);
    }
    printf("subset sum: found=%d/12 nodes=%ld\n", found, tn);
    for (int i = 0; i < GV; i++) for (int j = i + 1; j < GV; j++) { s = s * 1103515245u + 12345u; adj[i][j] = adj[j][i] = (uint8_t)((s >> 16) % 100u < 25u); }
    for (int k = 2; k <= 7; k++) {
        for (int i = 0; i < GV; i++) color[i] = -1;
        col_nodes = 0;
        int ok = colour(k, 0);
        printf("%d-colouring: %s nodes=%ld\n", k, ok ? "yes" : "no", col_nodes);
        ck_add((uint64_t)ok); ck_add((uint64_t)col_nodes);
        if (ok) { uint64_t h = 0; for (int i = 0; i < GV; i++) h = h * 7 + (uint64_t)color[i]; ck_add(h); break; }
    }
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
