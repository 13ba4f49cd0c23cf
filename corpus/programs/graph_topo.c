/* Directed graphs: topological sort with Kahn's algorithm (smallest-index
 * first via a heap), DFS-based ordering, Tarjan's strongly connected
 * components (iterative), condensation DAG and longest path in the DAG. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x70905047ULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0xff51afd7ed558ccdULL; ck ^= ck >> 33; }

struct g { int n, m; int *off, *to; };

static struct g build(int n, const int *eu, const int *ev, int m) {
    struct g g = { n, m, calloc((size_t)n + 1, sizeof(int)), malloc(sizeof(int) * (size_t)(m ? m : 1)) };
    for (int i = 0; i < m; i++) g.off[eu[i] + 1]++;
    for (int i = 0; i < n; i++) g.off[i + 1] += g.off[i];
    int *f = malloc(sizeof(int) * (size_t)n); memcpy(f, g.off, sizeof(int) * (size_t)n);
    for (int i = 0; i < m; i++) g.to[f[eu[i]]++] = ev[i];
    free(f);
    return g;
}

/* Kahn with min-heap: lexicographically smallest topological order */
__attribute__((noinline)) static int kahn(const struct g *g, int *order) {
    int *indeg = calloc((size_t)g->n, sizeof(int)), *heap = malloc(sizeof(int) * (size_t)g->n), hn = 0, k = 0;
    for (int i = 0; i < g->m; i++) indeg[g->to[i]]++;
    for (int v = 0; v < g->n; v++) if (!indeg[v]) { int i = hn++; heap[i] = v; while (i && heap[(i - 1) / 2] > heap[i]) { int t = heap[i]; heap[i] = heap[(i - 1) / 2]; heap[(i - 1) / 2] = t; i = (i - 1) / 2; } }
    while (hn) {
        int u = heap[0]; heap[0] = heap[--hn];
        for (int i = 0;;) { int l = 2 * i + 1, m = i; if (l < hn && heap[l] < heap[m]) m = l; if (l + 1 < hn && heap[l + 1] < heap[m]) m = l + 1; if (m == i) break; int t = heap[i]; heap[i] = heap[m]; heap[m] = t; i = m; }
        order[k++] = u;
        for (int e = g->off[u]; e < g->off[u + 1]; e++) {
            int v = g->to[e];
            if (--indeg[v] == 0) { int i = hn++; heap[i] = v; while (i && heap[(i - 1) / 2] > heap[i]) { int t = heap[i]; heap[i] = heap[(i - 1) / 2]; heap[(i - 1) / 2] = t; i = (i - 1) / 2; } }
        }
    }
    free(indeg); free(heap);
    return k;
}

/* iterative Tarjan */
__attribute__((noinline)) static int tarjan(const struct g *g, int *comp) {
    int n = g->n, idx = 0, nc = 0;
    int *index = malloc(sizeof(int) * (size_t)n), *low = malloc(sizeof(int) * (size_t)n), *stk = malloc(sizeof(int) * (size_t)n);
    int *cs = malloc(sizeof(int) * (size_t)n), *ce = malloc(sizeof(int) * (size_t)n);
    uint8_t *on = calloc((size_t)n, 1);
    int sp = 0;
    for (int i = 0; i < n; i++) index[i] = -1;
    for (int s = 0; s < n; s++) {
        if (index[s] >= 0) continue;
        int csp = 0;
        cs[csp] = s; ce[csp] = g->off[s]; csp++;
        index[s] = low[s] = idx++; stk[sp++] = s; on[s] = 1;
        while (csp) {
            int u = cs[csp - 1];
            if (ce[csp - 1] < g->off[u + 1]) {
                int v = g->to[ce[csp - 1]++];
                if (index[v] < 0) { index[v] = low[v] = idx++; stk[sp++] = v; on[v] = 1; cs[csp] = v; ce[csp] = g->off[v]; csp++; }
                else if (on[v] && index[v] < low[u]) low[u] = index[v];
            } else {
                if (low[u] == index[u]) { int w; do { w = stk[--sp]; on[w] = 0; comp[w] = nc; } while (w != u); nc++; }
                csp--;
                if (csp) { int p = cs[csp - 1]; if (low[u] < low[p]) low[p] = low[u]; }
            }
        }
    }
    free(index); free(low); free(stk); free(cs); free(ce); free(on);
    return nc;
}

__attribute__((noinline)) static int64_t dag_longest(const struct g *g, const int *order, const int *weight, int *endv) {
    int64_t *best = malloc(sizeof(int64_t) * (size_t)g->n), res = 0;
    for (int i = 0; i < g->n; i++) best[i] = weight[i];
    for (int k = 0; k < g->n; k++) {
        int u = order[k];
        if (best[u] > res) { res = best[u]; *endv = u; }
        for (int e = g->off[u]; e < g->off[u + 1]; e++) { int v = g->to[e]; if (best[u] + weight[v] > best[v]) best[v] = best[u] + weight[v]; }
    }
    free(best);
    return res;
}

int main(void) {
    uint32_t s = 31415;
    int n = 3000, m = 9000;
    int *eu = malloc(sizeof(int) * (size_t)m), *ev = malloc(sizeof(int) * (size_t)m);
    /* DAG: edges from lower to higher rank under a random permutation */
    int *perm = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) perm[i] = i;
    for (int i = n - 1; i > 0; i--) { s = s * 1103515245u + 12345u; int j = (int)((s >> 16) % (uint32_t)(i + 1)); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
    for (int i = 0; i < m; i++) {
        s = s * 1103515245u + 12345u; int a = (int)((s >> 8) % (uint32_t)n);
        s = s * 1103515245u + 12345u; int b = (int)((s >> 8) % (uint32_t)n);
        if (a == b) b = (a + 1) % n;
        if (a > b) { int t = a; a = b; b = t; }
        eu[i] = perm[a]; ev[i] = perm[b];
    }
    struct g g = build(n, eu, ev, m);
    int *order = malloc(sizeof(int) * (size_t)n), *pos = malloc(sizeof(int) * (size_t)n);
    int k = kahn(&g, order);
    for (int i = 0; i < k; i++) pos[order[i]] = i;
    int valid = k == n;
    for (int i = 0; i < m && valid; i++) if (pos[eu[i]] >= pos[ev[i]]) valid = 0;
    uint64_t oh = 0; for (int i = 0; i < k; i++) oh = oh * 1000003u + (uint64_t)order[i];
    printf("DAG: ordered=%d valid=%d first=%d last=%d hash=%016llx\n", k, valid, order[0], order[k - 1], (unsigned long long)oh);
    ck_add(oh);
    int *w = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; w[i] = 1 + (int)((s >> 16) % 50u); }
    int endv = -1;
    int64_t lp = dag_longest(&g, order, w, &endv);
    printf("longest weighted path=%lld ending at %d\n", (long long)lp, endv);
    ck_add((uint64_t)lp); ck_add((uint64_t)endv);
    int *comp = malloc(sizeof(int) * (size_t)n);
    int nc = tarjan(&g, comp);
    printf("DAG SCCs=%d\n", nc);
    ck_add((uint64_t)nc);
    free(g.off); free(g.to);

    /* add back edges to create cycles */
    for (int i = 0; i < m; i += 9) { int t = eu[i]; eu[i] = ev[i]; ev[i] = t; }
    g = build(n, eu, ev, m);
    nc = tarjan(&g, comp);
    int *csize = calloc((size_t)nc, sizeof(int)), big = 0, singles = 0;
    for (int i = 0; i < n; i++) csize[comp[i]]++;
    for (int c = 0; c < nc; c++) { if (csize[c] > big) big = csize[c]; singles += csize[c] == 1; }
    printf("cyclic: SCCs=%d largest=%d singletons=%d kahn_ordered=%d\n", nc, big, singles, kahn(&g, order));
    ck_add((uint64_t)nc); ck_add((uint64_t)big);
    /* condensation DAG */
    int *cu = malloc(sizeof(int) * (size_t)m), *cv = malloc(sizeof(int) * (size_t)m), cm = 0;
    for (int i = 0; i < m; i++) if (comp[eu[i]] != comp[ev[i]]) { cu[cm] = comp[eu[i]]; cv[cm] = comp[ev[i]]; cm++; }
    struct g cg = build(nc, cu, cv, cm);
    int *corder = malloc(sizeof(int) * (size_t)nc);
    int ck2 = kahn(&cg, corder);
    int *cw = calloc((size_t)nc, sizeof(int));
    for (int i = 0; i < n; i++) cw[comp[i]] += w[i];
    int64_t clp = dag_longest(&cg, corder, cw, &endv);
    printf("condensation: nodes=%d edges=%d ordered=%d longest=%lld\n", nc, cm, ck2, (long long)clp);
    ck_add((uint64_t)cm); ck_add((uint64_t)clp);
    free(g.off); free(g.to); free(cg.off); free(cg.to); free(eu); free(ev); free(perm); free(order); free(pos); free(w); free(comp);
    free(csize); free(cu); free(cv); free(corder); free(cw);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
