/* Run-length encodings: simple (count, byte) pairs, PackBits-style literal and
 * repeat runs, bit-level RLE of a binary image with Elias-gamma run lengths,
 * and delta+RLE for slowly varying sensor data. Every codec is round-tripped. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x5555aaaa3333ccccULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 19; }

__attribute__((noinline)) static size_t rle_enc(const uint8_t *in, size_t n, uint8_t *out) {
    size_t o = 0, i = 0;
    while (i < n) {
        size_t j = i + 1;
        while (j < n && in[j] == in[i] && j - i < 255) j++;
        out[o++] = (uint8_t)(j - i); out[o++] = in[i];
        i = j;
    }
    return o;
}
__attribute__((noinline)) static size_t rle_dec(const uint8_t *in, size_t n, uint8_t *out) {
    size_t o = 0;
    for (size_t i = 0; i + 1 < n; i += 2) for (int k = 0; k < in[i]; k++) out[o++] = in[i + 1];
    return o;
}

__attribute__((noinline)) static size_t packbits_enc(const uint8_t *in, size_t n, uint8_t *out) {
    size_t o = 0, i = 0;
    while (i < n) {
        size_t run = 1;
        while (i + run < n && run < 128 && in[i + run] == in[i]) run++;
        if (run >= 3) { out[o++] = (uint8_t)(257 - run); out[o++] = in[i]; i += run; continue; }
        size_t lit = 0, start = i;
        while (i < n && lit < 128) {
            if (i + 2 < n && in[i] == in[i + 1] && in[i] == in[i + 2]) break;
            i++; lit++;
        }
        out[o++] = (uint8_t)(lit - 1);
        memcpy(out + o, in + start, lit); o += lit;
    }
    return o;
}
__attribute__((noinline)) static size_t packbits_dec(const uint8_t *in, size_t n, uint8_t *out) {
    size_t o = 0, i = 0;
    while (i < n) {
        uint8_t h = in[i++];
        if (h < 128) { size_t l = (size_t)h + 1; memcpy(out + o, in + i, l); o += l; i += l; }
        else if (h > 128) { size_t l = 257 - (size_t)h; memset(out + o, in[i++], l); o += l; }
    }
    return o;
}

struct bw { uint8_t *buf; size_t bit; };
static void put_bit(struct bw *w, int b) { if (b) w->buf[w->bit >> 3] |= (uint8_t)(0x80u >> (w->bit & 7)); w->bit++; }
static int get_bit(const uint8_t *buf, size_t *pos) { int b = (buf[*pos >> 3] >> (7 - (*pos & 7))) & 1; (*pos)++; return b; }
static void put_gamma(struct bw *w, uint32_t v) { int nb = 0; while ((v >> nb) > 1) nb++; for (int i = 0; i < nb; i++) put_bit(w, 0); for (int i = nb; i >= 0; i--) put_bit(w, (v >> i) & 1); }
static uint32_t get_gamma(const uint8_t *buf, size_t *pos) { int nb = 0; while (!get_bit(buf, pos)) nb++; uint32_t v = 1; for (int i = 0; i < nb; i++) v = v << 1 | (uint32_t)get_bit(buf, pos); return v; }

__attribute__((noinline)) static size_t bitrle_enc(const uint8_t *bits, size_t n, uint8_t *out) {
    struct bw w = { out, 0 };
    put_bit(&w, bits[0]);
    size_t i = 0;
    while (i < n) { size_t j = i; while (j < n && bits[j] == bits[i]) j++; put_gamma(&w, (uint32_t)(j - i)); i = j; }
    return w.bit;
}
__attribute__((noinline)) static size_t bitrle_dec(const uint8_t *in, size_t nbits, uint8_t *bits) {
    size_t pos = 0, o = 0;
    int cur = get_bit(in, &pos);
    while (pos < nbits) { uint32_t r = get_gamma(in, &pos); for (uint32_t k = 0; k < r; k++) bits[o++] = (uint8_t)cur; cur ^= 1; }
    return o;
}

int main(void) {
    size_t n = 60000;
    uint8_t *in = malloc(n), *enc = malloc(3 * n), *dec = malloc(2 * n);
    uint32_t s = 8675309;
    for (size_t i = 0; i < n;) {
        s = s * 1103515245u + 12345u;
        size_t run = (s >> 16) % 3u == 0 ? 1 + (s >> 20) % 40u : 1;
        uint8_t v = (uint8_t)(s >> 8);
        for (size_t k = 0; k < run && i < n; k++) in[i++] = (s >> 18) & 1 ? v : (uint8_t)(v + k);
    }
    size_t e1 = rle_enc(in, n, enc), d1 = rle_dec(enc, e1, dec);
    printf("rle: %zu -> %zu ok=%d\n", n, e1, d1 == n && !memcmp(in, dec, n));
    ck_add(e1);
    for (size_t i = 0; i < e1; i += 17) ck_add(enc[i]);
    size_t e2 = packbits_enc(in, n, enc), d2 = packbits_dec(enc, e2, dec);
    printf("packbits: %zu -> %zu ok=%d\n", n, e2, d2 == n && !memcmp(in, dec, n));
    ck_add(e2);
    for (size_t i = 0; i < e2; i += 13) ck_add(enc[i]);

    /* binary image: circles and stripes */
    int W = 256, H = 128;
    uint8_t *img = malloc((size_t)(W * H)), *img2 = malloc((size_t)(W * H));
    for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) {
        int dx = x - 128, dy = y - 64;
        img[y * W + x] = (uint8_t)((dx * dx + dy * dy < 50 * 50) ^ ((x / 32) & 1) ^ (y > 100 && x % 7 == 0));
    }
    memset(enc, 0, 3 * n);
    size_t bits = bitrle_enc(img, (size_t)(W * H), enc);
    size_t d3 = bitrle_dec(enc, bits, img2);
    printf("bit-rle: %d bits -> %zu bits ok=%d\n", W * H, bits, d3 == (size_t)(W * H) && !memcmp(img, img2, (size_t)(W * H)));
    ck_add(bits);

    /* delta + packbits on a slowly varying signal */
    int16_t sig[8000];
    int32_t v = 0;
    for (int i = 0; i < 8000; i++) { s = s * 1103515245u + 12345u; if ((s >> 16) % 10u == 0) v += (int32_t)((s >> 20) % 5u) - 2; sig[i] = (int16_t)v; }
    uint8_t *delta = malloc(16000);
    int16_t prev = 0;
    for (int i = 0; i < 8000; i++) { uint16_t d = (uint16_t)((uint16_t)sig[i] - (uint16_t)prev); delta[2 * i] = (uint8_t)d; delta[2 * i + 1] = (uint8_t)(d >> 8); prev = sig[i]; }
    size_t e4 = packbits_enc(delta, 16000, enc), d4 = packbits_dec(enc, e4, dec);
    int ok = d4 == 16000;
    prev = 0;
    for (int i = 0; i < 8000 && ok; i++) { uint16_t d = (uint16_t)(dec[2 * i] | dec[2 * i + 1] << 8); int16_t x = (int16_t)(uint16_t)((uint16_t)prev + d); if (x != sig[i]) ok = 0; prev = x; }
    printf("delta+packbits: 16000 -> %zu ok=%d final=%d\n", e4, ok, sig[7999]);
    ck_add(e4); ck_add((uint64_t)(uint16_t)sig[7999]);
    free(in); free(enc); free(dec); free(img); free(img2); free(delta);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
