/* Radix-2 decimation-in-time FFT in Q15 fixed point with per-stage scaling,
 * bit-reversal permutation, inverse FFT, a double-precision reference FFT,
 * power spectrum peak detection and a round-trip error measurement. Twiddle
 * factors are generated with a Taylor series (no libm dependence). */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

static uint64_t ck = 0xff7ff7ff7ff7ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 30; }

#define LOGN 10
#define N (1 << LOGN)
static const double PI = 3.14159265358979323846;

static double t_sin(double x) { double t = x, s = x, x2 = x * x; for (int k = 1; k < 16; k++) { t = -t * x2 / (double)((2 * k) * (2 * k + 1)); s += t; } return s; }
static double t_cos(double x) { double t = 1, s = 1, x2 = x * x; for (int k = 1; k < 16; k++) { t = -t * x2 / (double)((2 * k - 1) * (2 * k)); s += t; } return s; }

static int16_t tw_re[N / 2], tw_im[N / 2];
static double dtw_re[N / 2], dtw_im[N / 2];

static int16_t q15(double v) { long r = lround(v * 32767.0); return (int16_t)(r > 32767 ? 32767 : r < -32768 ? -32768 : r); }

__attribute__((noinline)) static void init_twiddles(void) {
    for (int k = 0; k < N / 2; k++) {
        double a = 2 * PI * k / N;
        dtw_re[k] = t_cos(a); dtw_im[k] = -t_sin(a);
        tw_re[k] = q15(dtw_re[k]); tw_im[k] = q15(dtw_im[k]);
    }
}

static unsigned bitrev(unsigned x, int bits) { unsigned r = 0; for (int i = 0; i < bits; i++) { r = r << 1 | (x & 1); x >>= 1; } return r; }

__attribute__((noinline)) static void fft_q15(int16_t *re, int16_t *im, int inverse) {
    for (unsigned i = 0; i < N; i++) { unsigned j = bitrev(i, LOGN); if (j > i) { int16_t t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; } }
    for (int len = 2; len <= N; len <<= 1) {
        int half = len / 2, step = N / len;
        for (int i = 0; i < N; i += len)
            for (int j = 0; j < half; j++) {
                int32_t wr = tw_re[j * step], wi = inverse ? -tw_im[j * step] : tw_im[j * step];
                int32_t xr = re[i + j + half], xi = im[i + j + half];
                int32_t tr = (xr * wr - xi * wi + (1 << 14)) >> 15;
                int32_t ti = (xr * wi + xi * wr + (1 << 14)) >> 15;
                int32_t ur = re[i + j], ui = im[i + j];
                re[i + j] = (int16_t)((ur + tr) >> 1); im[i + j] = (int16_t)((ui + ti) >> 1);         /* scale by 1/2 per stage */
                re[i + j + half] = (int16_t)((ur - tr) >> 1); im[i + j + half] = (int16_t)((ui - ti) >> 1);
            }
    }
}

__attribute__((noinline)) static void fft_double(double *re, double *im) {
    for (unsigned i = 0; i < N; i++) { unsigned j = bitrev(i, LOGN); if (j > i) { double t = re[i]; re[i] = re[j]; re[j] = t; t = im[i]; im[i] = im[j]; im[j] = t; } }
    for (int len = 2; len <= N; len <<= 1) {
        int half = len / 2, step = N / len;
        for (int i = 0; i < N; i += len)
            for (int j = 0; j < half; j++) {
                double wr = dtw_re[j * step], wi = dtw_im[j * step];
                double xr = re[i + j + half], xi = im[i + j + half];
                double tr = xr * wr - xi * wi, ti = xr * wi + xi * wr;
                double ur = re[i + j], ui = im[i + j];
                re[i + j] = ur + tr; im[i + j] = ui + ti; re[i + j + half] = ur - tr; im[i + j + half] = ui - ti;
            }
    }
}

int main(void) {
    init_twiddles();
    printf("twiddles: w1=(%d,%d) w128=(%d,%d) w256=(%d,%d)\n", tw_re[1], tw_im[1], tw_re[128], tw_im[128], tw_re[256], tw_im[256]);
    for (int k = 0; k < N / 2; k += 5) { ck_add((uint64_t)(uint16_t)tw_re[k]); ck_add((uint64_t)(uint16_t)tw_im[k]); }
    static int16_t re[N], im[N], orig[N];
    static double dre[N], dim[N];
    uint32_t s = 3;
    for (int i = 0; i < N; i++) {
        /* reduce the argument with integer periodicity so the Taylor series stays accurate */
        int p1 = (37 * i) % N, p2 = (200 * i) % N;
        double a1 = 2 * PI * p1 / N, a2 = 2 * PI * p2 / N;
        if (a1 > PI) a1 -= 2 * PI;
        if (a2 > PI) a2 -= 2 * PI;
        double v = 0.30 * t_sin(a1) + 0.20 * t_cos(a2);
        s = s * 1103515245u + 12345u;
        v += ((double)((s >> 16) % 1001u) - 500.0) / 50000.0;
        re[i] = orig[i] = q15(v); im[i] = 0;
        dre[i] = v; dim[i] = 0;
    }
    fft_q15(re, im, 0);
    fft_double(dre, dim);
    int peaks[4] = { 0 }; int64_t pk[4] = { 0 };
    int64_t maxerr = 0;
    for (int k = 0; k < N / 2; k++) {
        int64_t p = (int64_t)re[k] * re[k] + (int64_t)im[k] * im[k];
        for (int j = 0; j < 4; j++) if (p > pk[j]) { for (int q = 3; q > j; q--) { pk[q] = pk[q - 1]; peaks[q] = peaks[q - 1]; } pk[j] = p; peaks[j] = k; break; }
        int64_t er = llround(dre[k] * 32767.0 / N) - re[k]; if (er < 0) er = -er; if (er > maxerr) maxerr = er;
        ck_add((uint64_t)p);
    }
    printf("spectrum peaks: bin %d (%lld), bin %d (%lld), bin %d, bin %d\n", peaks[0], (long long)pk[0], peaks[1], (long long)pk[1], peaks[2], peaks[3]);
    printf("max |fixed - double/N| = %lld\n", (long long)maxerr);
    printf("double bin37 |X|*1000=%lld\n", (long long)llround(sqrt(dre[37] * dre[37] + dim[37] * dim[37]) * 1000));
    ck_add((uint64_t)peaks[0]); ck_add((uint64_t)peaks[1]); ck_add((uint64_t)maxerr);
    ck_add((uint64_t)llround(sqrt(dre[37] * dre[37] + dim[37] * dim[37]) * 1000));
    /* inverse: forward output was scaled by 1/N; inverse scales by 1/N again, so multiply back */
    fft_q15(re, im, 1);
    int64_t rt = 0;
    for (int i = 0; i < N; i++) { int32_t back = re[i] * N; int32_t d = back - orig[i]; rt += d < 0 ? -d : d; }
    printf("round trip mean abs error (x1000)=%lld\n", (long long)(rt * 1000 / N));
    ck_add((uint64_t)rt);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
