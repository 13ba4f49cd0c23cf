/* Graph traversal: BFS shortest paths on a grid maze with walls, iterative DFS
 * with explicit stack on a random sparse graph in CSR form, connected
 * components, bipartiteness check and eccentricity/diameter estimate. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x0ddba11cafef00dULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 33; }

static uint32_t rs = 1;
static uint32_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 17; rs ^= rs << 5; return rs; }

#define GW 120
#define GH 90

__attribute__((noinline)) static int bfs_grid(const uint8_t *wall, int sx, int sy, int *dist) {
    int *q = malloc(sizeof(int) * GW * GH);
    for (int i = 0; i < GW * GH; i++) dist[i] = -1;
    int qh = 0, qt = 0, reached = 0;
    dist[sy * GW + sx] = 0; q[qt++] = sy * GW + sx;
    static const int dx[4] = { 1, -1, 0, 0 }, dy[4] = { 0, 0, 1, -1 };
    while (qh < qt) {
        int c = q[qh++]; reached++;
        int x = c % GW, y = c / GW;
        for (int d = 0; d < 4; d++) {
            int nx = x + dx[d], ny = y + dy[d];
            if (nx < 0 || ny < 0 || nx >= GW || ny >= GH) continue;
            int ni = ny * GW + nx;
            if (wall[ni] || dist[ni] >= 0) continue;
            dist[ni] = dist[c] + 1; q[qt++] = ni;
        }
    }
    free(q);
    return reached;
}

struct csr { int n, m; int *off, *adj; };

__attribute__((noinline)) static struct csr make_graph(int n, int m) {
    int *eu = malloc(sizeof(int) * (size_t)m), *ev = malloc(sizeof(int) * (size_t)m);
    struct csr g = { n, 2 * m, calloc((size_t)n + 1, sizeof(int)), malloc(sizeof(int) * (size_t)(2 * m)) };
    for (int i = 0; i < m; i++) {
        int u = (int)(rnd() % (uint32_t)n), v = (int)(rnd() % (uint32_t)n);
        if (i % 3 == 0) v = (u + 1 + (int)(rnd() % 5u)) % n; /* some locality */
        eu[i] = u; ev[i] = v; g.off[u + 1]++; g.off[v + 1]++;
    }
    for (int i = 0; i < n; i++) g.off[i + 1] += g.off[i];
    int *pos = malloc(sizeof(int) * (size_t)n);
    memcpy(pos, g.off, sizeof(int) * (size_t)n);
    for (int i = 0; i < m; i++) { g.adj[pos[eu[i]]++] = ev[i]; g.adj[pos[ev[i]]++] = eu[i]; }
    free(eu); free(ev); free(pos);
    return g;
}

__attribute__((noinline)) static int components(const struct csr *g, int *comp, int *largest) {
    int *stack = malloc(sizeof(int) * (size_t)(g->m + g->n));
    for (int i = 0; i < g->n; i++) comp[i] = -1;
    int nc = 0; *largest = 0;
    for (int s = 0; s < g->n; s++) {
        if (comp[s] >= 0) continue;
        int sp = 0, size = 0;
        stack[sp++] = s; comp[s] = nc;
        while (sp) {
            int u = stack[--sp]; size++;
            for (int e = g->off[u]; e < g->off[u + 1]; e++) { int v = g->adj[e]; if (comp[v] < 0) { comp[v] = nc; stack[sp++] = v; } }
        }
        if (size > *largest) *largest = size;
        nc++;
    }
    free(stack);
    return nc;
}

__attribute__((noinline)) static int bfs_ecc(const struct csr *g, int s, int *dist, int *farthest) {
    int *q = malloc(sizeof(int) * (size_t)g->n);
    for (int i = 0; i < g->n; i++) dist[i] = -1;
    int qh = 0, qt = 0, ecc = 0;
    dist[s] = 0; q[qt++] = s; *farthest = s;
    while (qh < qt) {
        int u = q[qh++];
        if (dist[u] > ecc) { ecc = dist[u]; *farthest = u; }
        for (int e = g->off[u]; e < g->off[u + 1]; e++) { int v = g->adj[e]; if (dist[v] < 0) { dist[v] = dist[u] + 1; q[qt++] = v; } }
    }
    free(q);
    return ecc;
}

__attribute__((noinline)) static int is_bipartite(const struct csr *g, int *color) {
    int *q = malloc(sizeof(int) * (size_t)g->n);
    for (int i = 0; i < g->n; i++) color[i] = -1;
    int ok = 1;
    for (int s = 0; s < g->n && ok; s++) {
        if (color[s] >= 0) continue;
        int qh = 0, qt = 0; q[qt++] = s; color[s] = 0;
        while (qh < qt && ok) {
            int u = q[qh++];
            for (int e = g->off[u]; e < g->off[u + 1]; e++) {
                int v = g->adj[e];
                if (color[v] < 0) { color[v] = color[u] ^ 1; q[qt++] = v; }
                else if (color[v] == color[u]) { ok = 0; break; }
            }
        }
    }
    free(q);
    return ok;
}

int main(void) {
    static uint8_t wall[GW * GH];
    static int dist[GW * GH];
    for (int i = 0; i < GW * GH; i++) wall[i] = (uint8_t)(rnd() % 100u < 28u);
    wall[0] = 0; wall[GW * GH - 1] = 0;
    int reached = bfs_grid(wall, 0, 0, dist);
    uint64_t ds = 0; int maxd = 0;
    for (int i = 0; i < GW * GH; i++) if (dist[i] > 0) { ds += (uint64_t)dist[i]; if (dist[i] > maxd) maxd = dist[i]; }
    printf("maze: reached=%d maxdist=%d dist_to_corner=%d sum=%llu\n", reached, maxd, dist[GW * GH - 1], (unsigned long long)ds);
    ck_add((uint64_t)reached); ck_add(ds); ck_add((uint64_t)(uint32_t)dist[GW * GH - 1]);

    struct csr g = make_graph(20000, 14000);
    int *comp = malloc(sizeof(int) * 20000), *d2 = malloc(sizeof(int) * 20000), largest;
    int nc = components(&g, comp, &largest);
    printf("sparse graph: components=%d largest=%d\n", nc, largest);
    ck_add((uint64_t)nc); ck_add((uint64_t)largest);
    int start = 0;
    for (int i = 0; i < g.n; i++) if (comp[i] == comp[0]) { start = i; break; }
    int far, ecc = bfs_ecc(&g, start, d2, &far);
    int far2, diam = bfs_ecc(&g, far, d2, &far2);
    printf("double-sweep diameter lower bound=%d (ecc0=%d)\n", diam, ecc);
    ck_add((uint64_t)diam); ck_add((uint64_t)ecc);
    printf("bipartite=%d\n", is_bipartite(&g, d2));
    free(g.off); free(g.adj);
    /* even cycle + tree: bipartite */
    struct csr c = { 1000, 2000, malloc(sizeof(int) * 1001), malloc(sizeof(int) * 2000) };
    for (int i = 0; i <= 1000; i++) c.off[i] = 2 * i;
    for (int i = 0; i < 1000; i++) { c.adj[2 * i] = (i + 1) % 1000; c.adj[2 * i + 1] = (i + 999) % 1000; }
    int bip = is_bipartite(&c, d2), ce = bfs_ecc(&c, 0, d2, &far);
    printf("cycle1000: bipartite=%d ecc=%d\n", bip, ce);
    ck_add((uint64_t)bip); ck_add((uint64_t)ce);
    free(c.off); free(c.adj); free(comp); free(d2);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
