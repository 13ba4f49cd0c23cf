/* LZW compression with variable-width codes (9..14 bits) and dictionary reset,
 * a trie-based dictionary (child/sibling links), bit packing, and the matching
 * decoder including the KwKwK special case. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x13579bdf2468ace0ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL + 7; }

#define MAXBITS 14
#define MAXCODES (1 << MAXBITS)
#define CLEAR 256
#define FIRST 257

static int32_t child[MAXCODES], sibling[MAXCODES];
static uint8_t chr[MAXCODES];

struct bitw { uint8_t *out; size_t pos; uint32_t acc; int nb; };
static void putc_bits(struct bitw *w, uint32_t code, int width) {
    w->acc |= code << w->nb; w->nb += width;
    while (w->nb >= 8) { w->out[w->pos++] = (uint8_t)w->acc; w->acc >>= 8; w->nb -= 8; }
}

__attribute__((noinline)) static int32_t find_child(int32_t prefix, uint8_t c) {
    for (int32_t k = child[prefix]; k >= 0; k = sibling[k]) if (chr[k] == c) return k;
    return -1;
}

__attribute__((noinline)) static size_t lzw_enc(const uint8_t *in, size_t n, uint8_t *out, int *resets) {
    struct bitw w = { out, 0, 0, 0 };
    for (int i = 0; i < MAXCODES; i++) { child[i] = -1; sibling[i] = -1; }
    int next = FIRST, width = 9;
    if (n == 0) return 0;
    int32_t cur = in[0];
    for (size_t i = 1; i < n; i++) {
        uint8_t c = in[i];
        int32_t k = find_child(cur, c);
        if (k >= 0) { cur = k; continue; }
        putc_bits(&w, (uint32_t)cur, width);
        if (next < MAXCODES) {
            chr[next] = c; child[next] = -1; sibling[next] = child[cur]; child[cur] = next;
            next++;
            if (next > (1 << width) && width < MAXBITS) width++;
        } else {
            putc_bits(&w, CLEAR, width);
            for (int q = 0; q < MAXCODES; q++) { child[q] = -1; sibling[q] = -1; }
            next = FIRST; width = 9; (*resets)++;
        }
        cur = c;
    }
    putc_bits(&w, (uint32_t)cur, width);
    if (w.nb) w.out[w.pos++] = (uint8_t)w.acc;
    return w.pos;
}

static int32_t dprefix[MAXCODES];
static uint8_t dch[MAXCODES];

__attribute__((noinline)) static size_t lzw_dec(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
    size_t ip = 0, o = 0;
    uint32_t acc = 0; int nb = 0;
    int next = FIRST, width = 9;
    int32_t prev = -1;
    uint8_t stack[MAXCODES];
    for (;;) {
        while (nb < width && ip < n) { acc |= (uint32_t)in[ip++] << nb; nb += 8; }
        if (nb < width) break;
        int32_t code = (int32_t)(acc & ((1u << width) - 1));
        acc >>= width; nb -= width;
        if (code == CLEAR) { next = FIRST; width = 9; prev = -1; continue; }
        int sp = 0;
        int32_t c = code;
        if (code >= next) { if (prev < 0) return 0; c = prev; }
        while (c >= 256) { stack[sp++] = dch[c]; c = dprefix[c]; }
        stack[sp++] = (uint8_t)c;
        uint8_t first = (uint8_t)c;
        if (code >= next) { /* KwKwK */
            if (o + (size_t)sp + 1 > cap) return 0;
            while (sp) out[o++] = stack[--sp];
            out[o++] = first;
        } else {
            if (o + (size_t)sp > cap) return 0;
            while (sp) out[o++] = stack[--sp];
        }
        if (prev >= 0 && next < MAXCODES) {
            dprefix[next] = prev; dch[next] = first; next++;
            if (next >= (1 << width) && width < MAXBITS) width++;
        }
        prev = code;
    }
    return o;
}

int main(void) {
    size_t n = 150000;
    uint8_t *in = malloc(n), *enc = malloc(2 * n), *dec = malloc(n + 16);
    for (int kind = 0; kind < 4; kind++) {
        uint32_t s = 31u * (uint32_t)kind + 5u;
        for (size_t i = 0; i < n; i++) {
            s = s * 1103515245u + 12345u;
            switch (kind) {
            case 0: in[i] = (uint8_t)"abracadabra alakazam "[(i + (s >> 30)) % 21]; break;
            case 1: in[i] = (uint8_t)(s >> 24); break;
            case 2: in[i] = (uint8_t)('a' + (i % 3 == 0) ); break;
            default: in[i] = (uint8_t)((i / 64) % 2 ? (s >> 28) : i % 13); break;
            }
        }
        int resets = 0;
        size_t el = lzw_enc(in, n, enc, &resets);
        size_t dl = lzw_dec(enc, el, dec, n + 16);
        int ok = dl == n && !memcmp(in, dec, n);
        printf("kind %d: %zu -> %zu bytes resets=%d ok=%d\n", kind, n, el, resets, ok);
        uint64_t h = 0;
        for (size_t i = 0; i < el; i++) h = h * 131 + enc[i];
        ck_add(el); ck_add(h); ck_add((uint64_t)resets); ck_add((uint64_t)ok);
    }
    /* classic KwKwK trigger */
    const char *t = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaabababababababab";
    int r = 0;
    size_t el = lzw_enc((const uint8_t *)t, strlen(t), enc, &r);
    size_t dl = lzw_dec(enc, el, dec, n);
    printf("kwkwk: %zu -> %zu ok=%d\n", strlen(t), el, dl == strlen(t) && !memcmp(t, dec, dl));
    ck_add(el);
    free(in); free(enc); free(dec);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
