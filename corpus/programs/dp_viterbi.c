/* Hidden Markov model decoding in the integer log domain: a Viterbi decoder
 * with backpointers, the forward algorithm with scaled fixed-point
 * probabilities, and a convolutional code (rate 1/2, K=7) with hard-decision
 * Viterbi decoding over a noisy channel (add-compare-select butterflies). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t ck = 0x71e2b171e2b1ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 30; }

#define S 8
#define O 6

static int32_t ilog(uint32_t p) { /* -1000*log2(p/65536) approx, p in 1..65536 */
    int32_t r = 0;
    uint32_t v = p;
    while (v < 32768) { v <<= 1; r += 1000; }
    /* linear interpolation of log2 on [32768, 65536) */
    r -= (int32_t)(((uint64_t)(v - 32768) * 1000) / 32768);
    return r + 1000 - 1000;
}

__attribute__((noinline)) static int32_t viterbi(const int32_t tr[S][S], const int32_t em[S][O], const int32_t *init, const uint8_t *obs, int T, uint8_t *path) {
    int32_t *cost = malloc(sizeof(int32_t) * S * (size_t)T);
    uint8_t *bp = malloc(S * (size_t)T);
    for (int s = 0; s < S; s++) cost[s] = init[s] + em[s][obs[0]];
    for (int t = 1; t < T; t++)
        for (int s = 0; s < S; s++) {
            int32_t best = INT32_MAX; int arg = 0;
            for (int p = 0; p < S; p++) { int32_t c = cost[(t - 1) * S + p] + tr[p][s]; if (c < best) { best = c; arg = p; } }
            cost[t * S + s] = best + em[s][obs[t]];
            bp[t * S + s] = (uint8_t)arg;
        }
    int32_t best = INT32_MAX; int arg = 0;
    for (int s = 0; s < S; s++) if (cost[(T - 1) * S + s] < best) { best = cost[(T - 1) * S + s]; arg = s; }
    for (int t = T - 1; t >= 0; t--) { path[t] = (uint8_t)arg; if (t) arg = bp[t * S + arg]; }
    free(cost); free(bp);
    return best;
}

/* forward algorithm with Q16 probabilities, rescaled each step; returns sum of log-scales */
__attribute__((noinline)) static int64_t forward(const uint32_t tp[S][S], const uint32_t ep[S][O], const uint8_t *obs, int T) {
    uint64_t alpha[S], na[S];
    for (int s = 0; s < S; s++) alpha[s] = (uint64_t)(65536 / S) * ep[s][obs[0]] >> 16;
    int64_t logscale = 0;
    for (int t = 1; t < T; t++) {
        uint64_t total = 0;
        for (int s = 0; s < S; s++) { uint64_t acc = 0; for (int p = 0; p < S; p++) acc += alpha[p] * tp[p][s] >> 16; na[s] = acc * ep[s][obs[t]] >> 16; total += na[s]; }
        int sh = 0;
        while (total < (1u << 15) && sh < 40) { total <<= 1; sh++; }
        for (int s = 0; s < S; s++) alpha[s] = na[s] << sh;
        logscale += sh;
    }
    uint64_t total = 0; for (int s = 0; s < S; s++) total += alpha[s];
    return logscale * 1000 + ilog((uint32_t)(total > 65536 ? 65536 : total ? total : 1));
}

/* convolutional code K=7, generators 0171, 0133 */
static int parity(uint32_t x) { x ^= x >> 16; x ^= x >> 8; x ^= x >> 4; x ^= x >> 2; x ^= x >> 1; return (int)(x & 1); }

__attribute__((noinline)) static void conv_encode(const uint8_t *bits, int n, uint8_t *out) {
    uint32_t sr = 0;
    for (int i = 0; i < n; i++) { sr = ((sr << 1) | bits[i]) & 0x7f; out[2 * i] = (uint8_t)parity(sr & 0171); out[2 * i + 1] = (uint8_t)parity(sr & 0133); }
}

__attribute__((noinline)) static int conv_decode(const uint8_t *rx, int n, uint8_t *bits) {
    enum { NS = 64 };
    uint32_t pm[NS], npm[NS];
    uint8_t *dec = malloc((size_t)n * NS);
    for (int s = 0; s < NS; s++) pm[s] = s ? 1000000 : 0;
    for (int i = 0; i < n; i++) {
        for (int s = 0; s < NS; s++) npm[s] = UINT32_MAX;
        for (int s = 0; s < NS; s++) {
            for (int b = 0; b < 2; b++) {
                uint32_t full = (uint32_t)(s << 1 | b);
                int ns = (int)(full & 63);
                uint32_t m = pm[s] + (uint32_t)(parity(full & 0171) != rx[2 * i]) + (uint32_t)(parity(full & 0133) != rx[2 * i + 1]);
                if (m < npm[ns]) { npm[ns] = m; dec[i * NS + ns] = (uint8_t)(s >> 5); }
            }
        }
        memcpy(pm, npm, sizeof pm);
    }
    int st = 0; uint32_t best = pm[0];
    for (int s = 1; s < NS; s++) if (pm[s] < best) { best = pm[s]; st = s; }
    for (int i = n - 1; i >= 0; i--) { bits[i] = (uint8_t)(st & 1); st = (st >> 1) | (dec[i * NS + st] << 5); }
    free(dec);
    return (int)best;
}

int main(void) {
    uint32_t s = 404;
    int32_t tr[S][S], em[S][O], init[S];
    uint32_t tp[S][S], ep[S][O];
    for (int i = 0; i < S; i++) {
        uint32_t row[S], tot = 0;
        for (int j = 0; j < S; j++) { s = s * 1103515245u + 12345u; row[j] = 1 + (s >> 16) % 100u + (i == j ? 400u : 0u); tot += row[j]; }
        for (int j = 0; j < S; j++) { tp[i][j] = row[j] * 65536u / tot; if (!tp[i][j]) tp[i][j] = 1; tr[i][j] = ilog(tp[i][j]); }
        uint32_t erow[O], et = 0;
        for (int k = 0; k < O; k++) { s = s * 1103515245u + 12345u; erow[k] = 1 + (s >> 16) % 50u + ((k == i % O) ? 200u : 0u); et += erow[k]; }
        for (int k = 0; k < O; k++) { ep[i][k] = erow[k] * 65536u / et; if (!ep[i][k]) ep[i][k] = 1; em[i][k] = ilog(ep[i][k]); }
        init[i] = ilog(65536 / S);
    }
    /* sample a hidden path and observations */
    int T = 3000;
    uint8_t *hid = malloc((size_t)T), *obs = malloc((size_t)T), *path = malloc((size_t)T);
    int st = 0;
    for (int t = 0; t < T; t++) {
        s = s * 1103515245u + 12345u; uint32_t r = (s >> 16) % 65536u, c = 0; int ns = S - 1;
        for (int j = 0; j < S; j++) { c += tp[st][j]; if (r < c) { ns = j; break; } }
        st = ns; hid[t] = (uint8_t)st;
        s = s * 1103515245u + 12345u; r = (s >> 16) % 65536u; c = 0; int o = O - 1;
        for (int k = 0; k < O; k++) { c += ep[st][k]; if (r < c) { o = k; break; } }
        obs[t] = (uint8_t)o;
    }
    int32_t cost = viterbi(tr, em, init, obs, T, path);
    int correct = 0; uint64_t ph = 0;
    for (int t = 0; t < T; t++) { correct += path[t] == hid[t]; ph = ph * 9 + path[t]; }
    printf("viterbi: cost=%d correct=%d/%d path hash=%016llx\n", cost, correct, T, (unsigned long long)ph);
    ck_add((uint64_t)(uint32_t)cost); ck_add((uint64_t)correct); ck_add(ph);
    int64_t fw = forward(tp, ep, obs, T);
    printf("forward: -log2 likelihood*1000 ~ %lld\n", (long long)fw);
    ck_add((uint64_t)fw);
    int nb = 2000;
    uint8_t *bits = malloc((size_t)nb), *enc = malloc(2 * (size_t)nb), *dec = malloc((size_t)nb);
    for (int i = 0; i < nb; i++) { s = s * 1103515245u + 12345u; bits[i] = (uint8_t)((s >> 16) & 1); }
    for (int i = nb - 6; i < nb; i++) bits[i] = 0; /* flush */
    conv_encode(bits, nb, enc);
    for (int rate = 0; rate <= 3; rate++) {
        uint8_t *rx = malloc(2 * (size_t)nb);
        int flips = 0;
        for (int i = 0; i < 2 * nb; i++) { s = s * 1103515245u + 12345u; int f = (int)((s >> 16) % 100u) < rate * 2; rx[i] = (uint8_t)(enc[i] ^ f); flips += f; }
        int metric = conv_decode(rx, nb, dec);
        int errs = 0; for (int i = 0; i < nb; i++) errs += dec[i] != bits[i];
        printf("channel %d%%: flips=%d path metric=%d bit errors after decoding=%d\n", rate * 2, flips, metric, errs);
        ck_add((uint64_t)flips); ck_add((uint64_t)metric); ck_add((uint64_t)errs);
        free(rx);
    }
    free(hid); free(obs); free(path); free(bits); free(enc); free(dec);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
