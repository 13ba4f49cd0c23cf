/* Huffman coding: frequency count, tree construction with a min-heap,
 * length-limited canonical codes (limit 12 bits via a simple heuristic),
 * bit-level encoder, table-driven decoder, and entropy comparison in
 * integer milli-bits. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x4b1d4b1d4b1d4b1dULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 21; }

struct hnode { uint32_t freq; int left, right, sym; };
static struct hnode nodes[512];
static int heap[512], hn;

static int node_less(int a, int b) { return nodes[a].freq < nodes[b].freq || (nodes[a].freq == nodes[b].freq && a < b); }
static void hpush(int x) { int i = hn++; heap[i] = x; while (i && node_less(heap[i], heap[(i - 1) / 2])) { int t = heap[i]; heap[i] = heap[(i - 1) / 2]; heap[(i - 1) / 2] = t; i = (i - 1) / 2; } }
static int hpop(void) {
    int r = heap[0]; heap[0] = heap[--hn]; int i = 0;
    for (;;) { int l = 2 * i + 1, m = i; if (l < hn && node_less(heap[l], heap[m])) m = l; if (l + 1 < hn && node_less(heap[l + 1], heap[m])) m = l + 1; if (m == i) break; int t = heap[i]; heap[i] = heap[m]; heap[m] = t; i = m; }
    return r;
}

static void depths(int n, int d, uint8_t *len) {
    if (nodes[n].sym >= 0) { len[nodes[n].sym] = (uint8_t)(d ? d : 1); return; }
    depths(nodes[n].left, d + 1, len); depths(nodes[n].right, d + 1, len);
}

__attribute__((noinline)) static void build_lengths(const uint32_t freq[256], uint8_t len[256], int limit) {
    uint32_t f[256];
    memcpy(f, freq, sizeof f);
    for (;;) {
        int nn = 0; hn = 0;
        memset(len, 0, 256);
        for (int s = 0; s < 256; s++) if (f[s]) { nodes[nn] = (struct hnode){ f[s], -1, -1, s }; hpush(nn); nn++; }
        if (nn == 0) return;
        while (hn > 1) { int a = hpop(), b = hpop(); nodes[nn] = (struct hnode){ nodes[a].freq + nodes[b].freq, a, b, -1 }; hpush(nn); nn++; }
        depths(heap[0], 0, len);
        int maxl = 0;
        for (int s = 0; s < 256; s++) if (len[s] > maxl) maxl = len[s];
        if (maxl <= limit) return;
        for (int s = 0; s < 256; s++) if (f[s]) f[s] = (f[s] >> 1) | 1; /* flatten and retry */
    }
}

__attribute__((noinline)) static void canonical(const uint8_t len[256], uint32_t code[256]) {
    int blcount[32] = { 0 };
    uint32_t next[32];
    for (int s = 0; s < 256; s++) blcount[len[s]]++;
    blcount[0] = 0;
    uint32_t c = 0;
    for (int b = 1; b < 32; b++) { c = (c + (uint32_t)blcount[b - 1]) << 1; next[b] = c; }
    for (int s = 0; s < 256; s++) if (len[s]) code[s] = next[len[s]]++;
}

__attribute__((noinline)) static size_t encode(const uint8_t *in, size_t n, const uint8_t len[256], const uint32_t code[256], uint8_t *out) {
    uint64_t acc = 0; int nb = 0; size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = acc << len[in[i]] | code[in[i]]; nb += len[in[i]];
        while (nb >= 8) { out[o++] = (uint8_t)(acc >> (nb - 8)); nb -= 8; }
        acc &= ((uint64_t)1 << nb) - 1;
    }
    if (nb) out[o++] = (uint8_t)(acc << (8 - nb));
    return o;
}

#define LIM 12
__attribute__((noinline)) static size_t decode(const uint8_t *in, size_t nbytes, size_t nsyms, const uint8_t len[256], const uint32_t code[256], uint8_t *out) {
    static uint16_t table[1 << LIM]; /* sym | len << 8 */
    for (int s = 0; s < 256; s++) if (len[s]) {
        uint32_t base = code[s] << (LIM - len[s]);
        for (uint32_t k = 0; k < (1u << (LIM - len[s])); k++) table[base + k] = (uint16_t)(s | len[s] << 8);
    }
    uint64_t acc = 0; int nb = 0; size_t ip = 0, o = 0;
    while (o < nsyms) {
        while (nb < LIM) { acc = acc << 8 | (ip < nbytes ? in[ip] : 0); ip++; nb += 8; }
        uint32_t idx = (uint32_t)(acc >> (nb - LIM)) & ((1u << LIM) - 1);
        uint16_t e = table[idx];
        out[o++] = (uint8_t)(e & 0xff);
        nb -= e >> 8;
        acc &= ((uint64_t)1 << nb) - 1;
    }
    return o;
}

static uint32_t ilog2_milli(uint32_t x) { /* floor(1000*log2(x)) approx via integer iteration */
    if (x == 0) return 0;
    uint32_t r = 0; uint64_t v = x;
    while (v >= 2) { v >>= 1; r++; }
    uint64_t y = ((uint64_t)x << 16) >> r; /* in [2^16, 2^17) */
    uint32_t frac = 0;
    for (int i = 0; i < 10; i++) { y = y * y >> 16; frac <<= 1; if (y >= (2u << 16)) { y >>= 1; frac |= 1; } }
    return r * 1000 + frac * 1000 / 1024;
}

int main(void) {
    size_t n = 80000;
    uint8_t *in = malloc(n), *enc = malloc(2 * n), *dec = malloc(n);
    for (int kind = 0; kind < 3; kind++) {
        uint32_t s = 77u + (uint32_t)kind;
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            uint32_t r = s >> 16;
            if (kind == 0) in[i] = (uint8_t)("etaoinshrdlu  cmfwyp"[r % 20u]);
            else if (kind == 1) { uint32_t g = 0; while (g < 40 && (r & 1)) { g++; r >>= 1; s = s * 1103515245u + 12345u; r |= (s >> 16) << 8; } in[i] = (uint8_t)g; }
            else in[i] = (uint8_t)(r % 256u);
        }
        uint32_t freq[256] = { 0 };
        for (size_t i = 0; i < n; i++) freq[in[i]]++;
        uint8_t len[256]; uint32_t code[256] = { 0 };
        build_lengths(freq, len, LIM);
        canonical(len, code);
        size_t eb = encode(in, n, len, code, enc);
        size_t dn = decode(enc, eb, n, len, code, dec);
        uint64_t bits = 0, ent = 0;
        int maxl = 0, used = 0;
        for (int s2 = 0; s2 < 256; s2++) if (freq[s2]) {
            bits += (uint64_t)freq[s2] * len[s2]; used++; if (len[s2] > maxl) maxl = len[s2];
            ent += (uint64_t)freq[s2] * (ilog2_milli((uint32_t)n) - ilog2_milli(freq[s2]));
        }
        printf("kind %d: symbols=%d maxlen=%d bytes=%zu bits/sym*1000=%llu entropy*1000~%llu ok=%d\n", kind, used, maxl, eb,
               (unsigned long long)(bits * 1000 / n), (unsigned long long)(ent / n), dn == n && !memcmp(in, dec, n));
        ck_add(eb); ck_add(bits); ck_add(ent);
        for (int s2 = 0; s2 < 256; s2++) ck_add((uint64_t)len[s2] << 32 | code[s2]);
    }
    free(in); free(enc); free(dec);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
