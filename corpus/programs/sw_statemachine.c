/* Explicit state machines written as big switch statements: an RFC-4180-style
 * CSV parser (quoted fields, escaped quotes, CRLF), a JSON number validator
 * DFA, a traffic-light/pedestrian controller simulation with timers, and a
 * line protocol parser ("KEY: value" headers with continuation lines). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x5a7e5a7e5a7e5a7eULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 26; }

enum csv_state { CS_FIELD_START, CS_UNQUOTED, CS_QUOTED, CS_QUOTE_IN_QUOTED, CS_CR, CS_ERROR };

struct csv_stats { long rows, fields, chars, quoted, errors, maxfields; uint64_t hash; };

__attribute__((noinline)) static void csv_parse(const char *s, size_t n, struct csv_stats *st) {
    int state = CS_FIELD_START;
    long fields_in_row = 0;
    uint64_t fh = 0;
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i <= n; i++) {
        int c = i < n ? (uint8_t)s[i] : -1;
        switch (state) {
        case CS_FIELD_START:
            switch (c) {
            case '"': state = CS_QUOTED; st->quoted++; break;
            case ',': st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0; break;
            case '\r': state = CS_CR; break;
            case '\n': case -1:
                if (c == -1 && fields_in_row == 0) break;
                st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0;
                st->rows++; if (fields_in_row > st->maxfields) st->maxfields = fields_in_row; fields_in_row = 0; break;
            default: state = CS_UNQUOTED; fh = fh * 131 + (uint64_t)c; st->chars++; break;
            }
            break;
        case CS_UNQUOTED:
            switch (c) {
            case ',': st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0; state = CS_FIELD_START; break;
            case '\r': state = CS_CR; break;
            case '\n': case -1:
                st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0;
                st->rows++; if (fields_in_row > st->maxfields) st->maxfields = fields_in_row; fields_in_row = 0; state = CS_FIELD_START; break;
            case '"': st->errors++; state = CS_ERROR; break;
            default: fh = fh * 131 + (uint64_t)c; st->chars++; break;
            }
            break;
        case CS_QUOTED:
            switch (c) {
            case '"': state = CS_QUOTE_IN_QUOTED; break;
            case -1: st->errors++; break;
            default: fh = fh * 131 + (uint64_t)c; st->chars++; break;
            }
            break;
        case CS_QUOTE_IN_QUOTED:
            switch (c) {
            case '"': fh = fh * 131 + '"'; st->chars++; state = CS_QUOTED; break;
            case ',': st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0; state = CS_FIELD_START; break;
            case '\r': state = CS_CR; break;
            case '\n': case -1:
                st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0;
                st->rows++; if (fields_in_row > st->maxfields) st->maxfields = fields_in_row; fields_in_row = 0; state = CS_FIELD_START; break;
            default: st->errors++; state = CS_ERROR; break;
            }
            break;
        case CS_CR:
            st->fields++; fields_in_row++; st->hash = st->hash * 31 + fh; fh = 0;
            st->rows++; if (fields_in_row > st->maxfields) st->maxfields = fields_in_row; fields_in_row = 0;
            state = CS_FIELD_START;
            if (c != '\n' && c != -1) i--; /* reprocess */
            break;
        case CS_ERROR:
            if (c == '\n' || c == -1) { st->rows++; fields_in_row = 0; fh = 0; state = CS_FIELD_START; }
            break;
        }
    }
}

/* JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
enum { J_START, J_MINUS, J_ZERO, J_INT, J_DOT, J_FRAC, J_E, J_ESIGN, J_EXP, J_FAIL };
__attribute__((noinline)) static int json_number(const char *s) {
    int st = J_START;
    for (; *s; s++) {
        char c = *s;
        int digit = c >= '0' && c <= '9';
        switch (st) {
        case J_START: st = c == '-' ? J_MINUS : c == '0' ? J_ZERO : digit ? J_INT : J_FAIL; break;
        case J_MINUS: st = c == '0' ? J_ZERO : digit ? J_INT : J_FAIL; break;
        case J_ZERO: st = c == '.' ? J_DOT : (c == 'e' || c == 'E') ? J_E : J_FAIL; break;
        case J_INT: st = digit ? J_INT : c == '.' ? J_DOT : (c == 'e' || c == 'E') ? J_E : J_FAIL; break;
        case J_DOT: st = digit ? J_FRAC : J_FAIL; break;
        case J_FRAC: st = digit ? J_FRAC : (c == 'e' || c == 'E') ? J_E : J_FAIL; break;
        case J_E: st = (c == '+' || c == '-') ? J_ESIGN : digit ? J_EXP : J_FAIL; break;
        case J_ESIGN: case J_EXP: st = digit ? J_EXP : J_FAIL; break;
        default: return 0;
        }
    }
    return st == J_ZERO || st == J_INT || st == J_FRAC || st == J_EXP;
}

/* traffic controller: states with timers, pedestrian requests, emergency override */
enum tl { TL_NS_GREEN, TL_NS_YELLOW, TL_ALL_RED1, TL_EW_GREEN, TL_EW_YELLOW, TL_ALL_RED2, TL_WALK, TL_FLASH };
__attribute__((noinline)) static void traffic(long ticks, long counts[8], uint64_t *trace) {
    int st = TL_NS_GREEN, timer = 30, ped = 0, emergency = 0, after_walk = TL_EW_GREEN;
    uint32_t r = 99;
    for (long t = 0; t < ticks; t++) {
        r = r * 1103515245u + 12345u;
        if ((r >> 16) % 97u == 0) ped = 1;
        if ((r >> 16) % 1999u == 0) emergency = 40;
        counts[st]++;
        if (emergency > 0) { emergency--; if (st != TL_FLASH) { st = TL_FLASH; *trace = *trace * 7 + (uint64_t)st; } if (emergency == 0) { st = TL_ALL_RED1; timer = 3; } continue; }
        if (--timer > 0) continue;
        int prev = st;
        switch (st) {
        case TL_NS_GREEN: st = TL_NS_YELLOW; timer = 4; break;
        case TL_NS_YELLOW: st = TL_ALL_RED1; timer = 2; break;
        case TL_ALL_RED1: if (ped) { st = TL_WALK; timer = 12; ped = 0; after_walk = TL_EW_GREEN; } else { st = TL_EW_GREEN; timer = 25; } break;
        case TL_EW_GREEN: st = TL_EW_YELLOW; timer = 4; break;
        case TL_EW_YELLOW: st = TL_ALL_RED2; timer = 2; break;
        case TL_ALL_RED2: if (ped) { st = TL_WALK; timer = 12; ped = 0; after_walk = TL_NS_GREEN; } else { st = TL_NS_GREEN; timer = 30; } break;
        case TL_WALK: st = after_walk; timer = after_walk == TL_NS_GREEN ? 30 : 25; break;
        case TL_FLASH: st = TL_ALL_RED1; timer = 3; break;
        }
        *trace = *trace * 7 + (uint64_t)prev * 8 + (uint64_t)st;
    }
}

/* header parser with continuation lines */
__attribute__((noinline)) static int parse_headers(const char *s, uint64_t *h, int *cont) {
    enum { H_LINE_START, H_KEY, H_COLON, H_VALUE, H_CONT, H_BAD } st = H_LINE_START;
    int count = 0;
    uint64_t key = 0;
    for (; *s; s++) {
        char c = *s;
        switch (st) {
        case H_LINE_START:
            if (c == ' ' || c == '\t') { st = H_CONT; (*cont)++; }
            else if (c == '\n') { }
            else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-') { key = (uint64_t)(c | 0x20); st = H_KEY; }
            else st = H_BAD;
            break;
        case H_KEY:
            if (c == ':') { st = H_COLON; count++; *h = *h * 1000003u + key; }
            else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' || (c >= '0' && c <= '9')) key = key * 37 + (uint64_t)(c | 0x20);
            else st = H_BAD;
            break;
        case H_COLON: if (c == ' ') break; st = H_VALUE; /* fallthrough */
        case H_VALUE: case H_CONT:
            if (c == '\n') st = H_LINE_START; else *h = *h * 131 + (uint64_t)(uint8_t)c;
            break;
        case H_BAD: if (c == '\n') st = H_LINE_START; break;
        }
    }
    return count;
}

int main(void) {
    static char csv[200000];
    size_t n = 0;
    uint32_t s = 1;
    for (int row = 0; row < 3000; row++) {
        s = s * 1103515245u + 12345u;
        int nf = 3 + (int)((s >> 16) % 6u);
        for (int f = 0; f < nf; f++) {
            s = s * 1103515245u + 12345u;
            uint32_t kind = (s >> 16) % 5u;
            if (kind == 0) n += (size_t)sprintf(csv + n, "%u", s % 100000u);
            else if (kind == 1) n += (size_t)sprintf(csv + n, "\"quoted, with comma %u\"", s % 100u);
            else if (kind == 2) n += (size_t)sprintf(csv + n, "\"say \"\"hi\"\" %u\"", s % 10u);
            else if (kind == 3) n += (size_t)sprintf(csv + n, "word%u", s % 7u);
            if (f + 1 < nf) csv[n++] = ',';
        }
        if (row % 10 == 3) n += (size_t)sprintf(csv + n, ",bad\"quote");
        csv[n++] = '\r'; csv[n++] = '\n';
        if (row % 17 == 0) { csv[n++] = '\n'; }
    }
    struct csv_stats st;
    csv_parse(csv, n, &st);
    printf("csv: bytes=%zu rows=%ld fields=%ld chars=%ld quoted=%ld errors=%ld maxfields=%ld hash=%016llx\n", n, st.rows, st.fields, st.chars, st.quoted, st.errors, st.maxfields, (unsigned long long)st.hash);
    ck_add((uint64_t)st.rows); ck_add((uint64_t)st.fields); ck_add((uint64_t)st.chars); ck_add(st.hash);

    const char *nums[] = { "0", "-0", "12", "012", "1.", "1.5", "-3.25e10", "1e", "1E+9", "2e-07", "-", "", ".5", "00", "9.9.9", "123456789012", "-0.0e0", "1ee2" };
    int valid = 0;
    printf("json numbers:");
    for (int i = 0; i < 18; i++) { int v = json_number(nums[i]); valid += v; printf(" %d", v); ck_add((uint64_t)v << i); }
    printf(" (valid=%d)\n", valid);
    /* fuzz the DFA */
    char buf[16]; int fv = 0;
    for (int t = 0; t < 20000; t++) {
        int len = 1 + t % 8;
        for (int i = 0; i < len; i++) { s = s * 1103515245u + 12345u; buf[i] = "0123456789.eE+-"[(s >> 16) % 15u]; }
        buf[len] = 0;
        fv += json_number(buf);
    }
    printf("fuzz valid numbers=%d\n", fv);
    ck_add((uint64_t)fv);

    long counts[8] = { 0 }; uint64_t trace = 0;
    traffic(200000, counts, &trace);
    printf("traffic:");
    for (int i = 0; i < 8; i++) { printf(" %ld", counts[i]); ck_add((uint64_t)counts[i]); }
    printf(" trace=%016llx\n", (unsigned long long)trace);
    ck_add(trace);

    const char *hdr = "Host: example.invalid\nContent-Type: text/plain\nX-Long-Header: part one\n  part two\n\tpart three\nbad line here\nAccept: */*\n\nUser-Agent: corpus/1.0\n";
    uint64_t hh = 0; int cont = 0;
    int nh = parse_headers(hdr, &hh, &cont);
    printf("headers=%d continuations=%d hash=%016llx\n", nh, cont, (unsigned long long)hh);
    ck_add((uint64_t)nh); ck_add(hh);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
