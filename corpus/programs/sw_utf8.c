/* Unicode text processing: a UTF-8 decoder written as a state machine (switch
 * on state and byte class) that rejects overlongs, surrogates and
 * out-of-range code points; UTF-8 and UTF-16 encoders; round trips; a
 * general-category-like classifier via a range switch; and simple case folding. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x00f8f0e0c0800000ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 31; }

#define BAD 0xFFFDu

/* returns number of code points; invalid sequences produce U+FFFD and are counted */
__attribute__((noinline)) static int utf8_decode(const uint8_t *s, size_t n, uint32_t *out, int *errors) {
    enum { S0, S1, S2, S3, S_E0, S_ED, S_F0, S_F4 } st = S0;
    uint32_t cp = 0;
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = s[i];
        switch (st) {
        case S0:
            if (b < 0x80) out[k++] = b;
            else if (b < 0xC2) { out[k++] = BAD; (*errors)++; }
            else if (b < 0xE0) { cp = b & 0x1Fu; st = S1; }
            else if (b == 0xE0) { cp = 0; st = S_E0; }
            else if (b == 0xED) { cp = 0xD; st = S_ED; }
            else if (b < 0xF0) { cp = b & 0x0Fu; st = S2; }
            else if (b == 0xF0) { cp = 0; st = S_F0; }
            else if (b < 0xF4) { cp = b & 0x07u; st = S3; }
            else if (b == 0xF4) { cp = 4; st = S_F4; }
            else { out[k++] = BAD; (*errors)++; }
            break;
        case S_E0: if (b >= 0xA0 && b <= 0xBF) { cp = b & 0x3Fu; st = S1; } else { out[k++] = BAD; (*errors)++; st = S0; i--; } break;
        case S_ED: if (b >= 0x80 && b <= 0x9F) { cp = cp << 6 | (b & 0x3Fu); st = S1; } else { out[k++] = BAD; (*errors)++; st = S0; i--; } break;
        case S_F0: if (b >= 0x90 && b <= 0xBF) { cp = b & 0x3Fu; st = S2; } else { out[k++] = BAD; (*errors)++; st = S0; i--; } break;
        case S_F4: if (b >= 0x80 && b <= 0x8F) { cp = cp << 6 | (b & 0x3Fu); st = S2; } else { out[k++] = BAD; (*errors)++; st = S0; i--; } break;
        case S3: case S2: case S1:
            if ((b & 0xC0) != 0x80) { out[k++] = BAD; (*errors)++; st = S0; i--; break; }
            cp = cp << 6 | (b & 0x3Fu);
            if (st == S1) { out[k++] = cp; st = S0; } else st = st == S3 ? S2 : S1;
            break;
        }
    }
    if (st != S0) { out[k++] = BAD; (*errors)++; }
    return k;
}

__attribute__((noinline)) static size_t utf8_encode(const uint32_t *cp, int n, uint8_t *out) {
    size_t o = 0;
    for (int i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c < 0x80) out[o++] = (uint8_t)c;
        else if (c < 0x800) { out[o++] = (uint8_t)(0xC0 | c >> 6); out[o++] = (uint8_t)(0x80 | (c & 0x3F)); }
        else if (c < 0x10000) { out[o++] = (uint8_t)(0xE0 | c >> 12); out[o++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)); out[o++] = (uint8_t)(0x80 | (c & 0x3F)); }
        else { out[o++] = (uint8_t)(0xF0 | c >> 18); out[o++] = (uint8_t)(0x80 | ((c >> 12) & 0x3F)); out[o++] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)); out[o++] = (uint8_t)(0x80 | (c & 0x3F)); }
    }
    return o;
}

__attribute__((noinline)) static int utf16_encode(const uint32_t *cp, int n, uint16_t *out) {
    int o = 0;
    for (int i = 0; i < n; i++) {
        uint32_t c = cp[i];
        if (c < 0x10000) out[o++] = (uint16_t)c;
        else { c -= 0x10000; out[o++] = (uint16_t)(0xD800 | (c >> 10)); out[o++] = (uint16_t)(0xDC00 | (c & 0x3FF)); }
    }
    return o;
}
__attribute__((noinline)) static int utf16_decode(const uint16_t *s, int n, uint32_t *out) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        uint16_t u = s[i];
        if (u >= 0xD800 && u <= 0xDBFF && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF) { out[k++] = 0x10000 + ((uint32_t)(u - 0xD800) << 10) + (uint32_t)(s[i + 1] - 0xDC00); i++; }
        else if (u >= 0xD800 && u <= 0xDFFF) out[k++] = BAD;
        else out[k++] = u;
    }
    return k;
}

enum cat { C_CONTROL, C_SPACE, C_DIGIT, C_UPPER, C_LOWER, C_PUNCT, C_LATIN_EXT, C_GREEK, C_CYRILLIC, C_CJK, C_SYMBOL, C_EMOJI, C_OTHER, NCAT };
static const char *cat_names[NCAT] = { "control", "space", "digit", "upper", "lower", "punct", "latin-ext", "greek", "cyrillic", "cjk", "symbol", "emoji", "other" };

__attribute__((noinline)) static int classify(uint32_t c) {
    switch (c >> 8) {
    case 0x00:
        if (c < 0x20 || c == 0x7F) return C_CONTROL;
        if (c == ' ' || c == 0xA0) return C_SPACE;
        if (c >= '0' && c <= '9') return C_DIGIT;
        if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return C_UPPER;
        if ((c >= 'a' && c <= 'z') || (c >= 0xDF && c <= 0xFF && c != 0xF7)) return C_LOWER;
        if (c < 0x80 || (c >= 0xA1 && c <= 0xBF)) return C_PUNCT;
        return c >= 0x80 && c < 0xA0 ? C_CONTROL : C_SYMBOL;
    case 0x01: case 0x02: return C_LATIN_EXT;
    case 0x03: return c >= 0x370 ? C_GREEK : C_OTHER;
    case 0x04: case 0x05: return c < 0x530 ? C_CYRILLIC : C_OTHER;
    case 0x20: return c < 0x2010 ? C_SPACE : c < 0x2070 ? C_PUNCT : C_SYMBOL;
    case 0x21: case 0x22: case 0x23: case 0x25: case 0x26: case 0x27: return C_SYMBOL;
    case 0x30: return C_PUNCT;
    default:
        if (c >= 0x4E00 && c <= 0x9FFF) return C_CJK;
        if (c >= 0x1F300 && c <= 0x1FAFF) return C_EMOJI;
        return C_OTHER;
    }
}

static uint32_t fold(uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    return c;
}

int main(void) {
    static const uint32_t pool[] = { 'a', 'Z', '7', ' ', '!', 0xE9, 0xC5, 0x153, 0x3A9, 0x3B1, 0x416, 0x44F, 0x4E2D, 0x6587, 0x20AC, 0x2192, 0x1F600, 0x1F680, 0x10348, 0xA0, '\n', 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF };
    int np = (int)(sizeof pool / sizeof pool[0]);
    int n = 20000;
    uint32_t *cps = malloc(sizeof(uint32_t) * (size_t)n), *back = malloc(sizeof(uint32_t) * (size_t)n * 2);
    uint8_t *u8 = malloc((size_t)n * 4);
    uint16_t *u16 = malloc(sizeof(uint16_t) * (size_t)n * 2);
    uint32_t s = 8;
    for (int i = 0; i < n; i++) { s = s * 1103515245u + 12345u; cps[i] = pool[(s >> 16) % (uint32_t)np]; }
    size_t bytes = utf8_encode(cps, n, u8);
    int errs = 0;
    int k = utf8_decode(u8, bytes, back, &errs);
    int rt8 = k == n && errs == 0 && !memcmp(cps, back, sizeof(uint32_t) * (size_t)n);
    int units = utf16_encode(cps, n, u16);
    int k16 = utf16_decode(u16, units, back);
    int rt16 = k16 == n && !memcmp(cps, back, sizeof(uint32_t) * (size_t)n);
    printf("code points=%d utf8 bytes=%zu utf16 units=%d roundtrip8=%d roundtrip16=%d\n", n, bytes, units, rt8, rt16);
    ck_add(bytes); ck_add((uint64_t)units);
    long cats[NCAT] = { 0 };
    uint64_t fh = 0;
    for (int i = 0; i < n; i++) { cats[classify(cps[i])]++; fh = fh * 1000003u + fold(cps[i]); }
    for (int c = 0; c < NCAT; c++) { if (cats[c]) printf("  %-9s %ld\n", cat_names[c], cats[c]); ck_add((uint64_t)cats[c]); }
    printf("fold hash=%016llx\n", (unsigned long long)fh);
    ck_add(fh);
    /* malformed inputs */
    static const uint8_t bad[][6] = { { 0xC0, 0x80 }, { 0xE0, 0x80, 0x80 }, { 0xED, 0xA0, 0x80 }, { 0xF4, 0x90, 0x80, 0x80 }, { 0xF8, 0x88 }, { 0xE2, 0x82 }, { 0x80 }, { 0xC3, 0xA9 }, { 0xF0, 0x9F, 0x98, 0x80 }, { 0xE2, 0x28, 0xA1 } };
    static const int blen[] = { 2, 3, 3, 4, 2, 2, 1, 2, 4, 3 };
    printf("malformed:");
    for (int i = 0; i < 10; i++) {
        int e = 0; uint32_t o[8];
        int c = utf8_decode(bad[i], (size_t)blen[i], o, &e);
        printf(" [%d cp, %d err, first=%04X]", c, e, o[0]);
        ck_add((uint64_t)c << 8 | (uint64_t)e); ck_add(o[0]);
    }
    printf("\n");
    /* random byte fuzz: decoder must not crash and re-encoding valid parts is stable */
    uint64_t fz = 0; long total_err = 0;
    for (int t = 0; t < 200; t++) {
        for (int i = 0; i < 256; i++) { s = s * 1103515245u + 12345u; u8[i] = (uint8_t)((s >> 16) & 0xFF); if ((s >> 28) < 8) u8[i] &= 0x7F; }
        int e = 0;
        int c = utf8_decode(u8, 256, back, &e);
        total_err += e;
        for (int i = 0; i < c; i++) fz = fz * 31 + back[i];
    }
    printf("fuzz: errors=%ld hash=%016llx\n", total_err, (unsigned long long)fz);
    ck_add((uint64_t)total_err); ck_add(fz);
    free(cps); free(back); free(u8); free(u16);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
