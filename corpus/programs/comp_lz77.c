/* LZ77-style compressor with a hash-chain match finder (window 4 KiB), lazy
 * matching, and a byte-oriented token format (literal runs + offset/length
 * pairs); decompression and verification, for several kinds of input. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x1f2e3d4c5b6a7988ULL;
static void ck_add(uint64_t v) { ck = (ck + v) * 0x2127599bf4325c37ULL; ck ^= ck >> 47; }

#define WIN 4096
#define MINM 3
#define MAXM 258
#define HBITS 12
#define MAXCHAIN 32

static int32_t head[1 << HBITS];
static int32_t prevp[1 << 17];

static uint32_t h3(const uint8_t *p) { return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - HBITS); }

__attribute__((noinline)) static int longest(const uint8_t *in, size_t n, size_t pos, int *best_off) {
    int best = 0;
    if (pos + MINM > n) return 0;
    int32_t cand = head[h3(in + pos)];
    int chain = 0;
    size_t maxl = n - pos < MAXM ? n - pos : MAXM;
    while (cand >= 0 && pos - (size_t)cand <= WIN && chain++ < MAXCHAIN) {
        const uint8_t *a = in + cand, *b = in + pos;
        if (a[best] == b[best]) {
            size_t l = 0;
            while (l < maxl && a[l] == b[l]) l++;
            if ((int)l > best) { best = (int)l; *best_off = (int)(pos - (size_t)cand); if (l == maxl) break; }
        }
        cand = prevp[cand];
    }
    return best;
}

static void insert(const uint8_t *in, size_t n, size_t pos) {
    if (pos + MINM > n) return;
    uint32_t h = h3(in + pos);
    prevp[pos] = head[h]; head[h] = (int32_t)pos;
}

/* format: 0LLLLLLL literals follow (L+1 bytes); 1LLLLLLL OOOOOOOO OOOOOOOO -> length L+3, offset */
__attribute__((noinline)) static size_t compress(const uint8_t *in, size_t n, uint8_t *out, int lazy) {
    for (int i = 0; i < (1 << HBITS); i++) head[i] = -1;
    size_t o = 0, pos = 0, litstart = 0;
    while (pos < n) {
        int off = 0, len = longest(in, n, pos, &off);
        if (lazy && len >= MINM && pos + 1 < n) {
            insert(in, n, pos);
            int off2 = 0, len2 = longest(in, n, pos + 1, &off2);
            if (len2 > len + 1) { pos++; len = len2; off = off2; }
            else { prevp[pos] = prevp[pos]; }
            if (len > 130) len = 130;
            if (len >= MINM) {
                while (litstart < pos) { size_t l = pos - litstart > 128 ? 128 : pos - litstart; out[o++] = (uint8_t)(l - 1); memcpy(out + o, in + litstart, l); o += l; litstart += l; }
                out[o++] = (uint8_t)(0x80 | (len - MINM)); out[o++] = (uint8_t)(off >> 8); out[o++] = (uint8_t)off;
                size_t end = pos + (size_t)len;
                size_t startins = pos;
                if (head[h3(in + pos)] == (int32_t)pos) startins = pos + 1; /* already inserted */
                for (size_t q = startins; q < end; q++) insert(in, n, q);
                pos = end; litstart = pos;
                continue;
            }
            pos++;
            continue;
        }
        if (len > 130) len = 130;
        if (len >= MINM) {
            while (litstart < pos) { size_t l = pos - litstart > 128 ? 128 : pos - litstart; out[o++] = (uint8_t)(l - 1); memcpy(out + o, in + litstart, l); o += l; litstart += l; }
            out[o++] = (uint8_t)(0x80 | (len - MINM)); out[o++] = (uint8_t)(off >> 8); out[o++] = (uint8_t)off;
            for (int k = 0; k < len; k++) insert(in, n, pos + (size_t)k);
            pos += (size_t)len; litstart = pos;
        } else { insert(in, n, pos); pos++; }
    }
    while (litstart < n) { size_t l = n - litstart > 128 ? 128 : n - litstart; out[o++] = (uint8_t)(l - 1); memcpy(out + o, in + litstart, l); o += l; litstart += l; }
    return o;
}

__attribute__((noinline)) static size_t decompress(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
    size_t i = 0, o = 0;
    while (i < n) {
        uint8_t t = in[i++];
        if (t & 0x80) {
            size_t len = (size_t)(t & 0x7f) + MINM, off = (size_t)in[i] << 8 | in[i + 1];
            i += 2;
            if (off == 0 || off > o || o + len > cap) return 0;
            for (size_t k = 0; k < len; k++) { out[o] = out[o - off]; o++; }
        } else {
            size_t l = (size_t)t + 1;
            if (o + l > cap) return 0;
            memcpy(out + o, in + i, l); i += l; o += l;
        }
    }
    return o;
}

static size_t make_text(uint8_t *buf, size_t n, uint32_t seed) {
    static const char *w[] = { "register ", "allocation ", "the ", "of ", "live ", "interval ", "spill ", "cost ", "greedy ", "split ", "evict ", "\n" };
    size_t o = 0;
    while (o < n) { seed = seed * 1103515245u + 12345u; const char *s = w[(seed >> 16) % 12u]; size_t l = strlen(s); if (o + l > n) l = n - o; memcpy(buf + o, s, l); o += l; }
    return o;
}

int main(void) {
    size_t n = 100000;
    uint8_t *in = malloc(n), *c = malloc(2 * n), *d = malloc(n);
    for (int kind = 0; kind < 4; kind++) {
        uint32_t s = 1234u + (uint32_t)kind;
        if (kind == 0) make_text(in, n, s);
        else if (kind == 1) for (size_t i = 0; i < n; i++) { s = s * 1664525u + 1013904223u; in[i] = (uint8_t)(s >> 24); }
        else if (kind == 2) for (size_t i = 0; i < n; i++) in[i] = (uint8_t)((i * i) >> 9);
        else for (size_t i = 0; i < n; i++) { s = s * 1664525u + 1013904223u; in[i] = (s >> 28) < 3 ? (uint8_t)(s >> 8) : (i > 1000 ? in[i - 777] : (uint8_t)'x'); }
        for (int lazy = 0; lazy < 2; lazy++) {
            size_t cl = compress(in, n, c, lazy);
            size_t dl = decompress(c, cl, d, n);
            int ok = dl == n && memcmp(in, d, n) == 0;
            printf("input %d lazy=%d: %zu -> %zu (%.1f%%) ok=%d\n", kind, lazy, n, cl, 0.0 + (double)(cl * 1000 / n) / 10.0, ok);
            ck_add(cl); ck_add((uint64_t)ok);
            uint64_t h = 0;
            for (size_t i = 0; i < cl; i++) h = h * 257 + c[i];
            ck_add(h);
        }
    }
    free(in); free(c); free(d);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
