/* Register-blocked matrix multiply: a 6x4 double micro-kernel (24 accumulators
 * plus 10 operands live), a 6x6 int64 micro-kernel (36 accumulators), and a
 * mixed kernel keeping int64 and double accumulators live together.
 * High register pressure by design. Results are compared to naive loops. */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <math.h>

static uint64_t ck = 0x1234567887654321ULL;
static void ck_add(uint64_t v) { ck ^= v; ck = (ck << 23 | ck >> 41) * 0x2545f4914f6cdd1dULL; }

#define M 48
#define N 48
#define K 64

static double A[M][K], B[K][N], C1[M][N], C2[M][N];
static int64_t IA[M][K], IB[K][N], IC1[M][N], IC2[M][N];

__attribute__((noinline)) static void naive_d(void) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += A[i][k] * B[k][j];
            C1[i][j] = s;
        }
}

__attribute__((noinline)) static void kernel_d6x4(int i0, int j0) {
    double c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
    double c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
    double c40 = 0, c41 = 0, c42 = 0, c43 = 0, c50 = 0, c51 = 0, c52 = 0, c53 = 0;
    for (int k = 0; k < K; k++) {
        double b0 = B[k][j0], b1 = B[k][j0 + 1], b2 = B[k][j0 + 2], b3 = B[k][j0 + 3];
        double a0 = A[i0][k], a1 = A[i0 + 1][k], a2 = A[i0 + 2][k], a3 = A[i0 + 3][k], a4 = A[i0 + 4][k], a5 = A[i0 + 5][k];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
        c40 += a4 * b0; c41 += a4 * b1; c42 += a4 * b2; c43 += a4 * b3;
        c50 += a5 * b0; c51 += a5 * b1; c52 += a5 * b2; c53 += a5 * b3;
    }
    C2[i0][j0] = c00; C2[i0][j0 + 1] = c01; C2[i0][j0 + 2] = c02; C2[i0][j0 + 3] = c03;
    C2[i0 + 1][j0] = c10; C2[i0 + 1][j0 + 1] = c11; C2[i0 + 1][j0 + 2] = c12; C2[i0 + 1][j0 + 3] = c13;
    C2[i0 + 2][j0] = c20; C2[i0 + 2][j0 + 1] = c21; C2[i0 + 2][j0 + 2] = c22; C2[i0 + 2][j0 + 3] = c23;
    C2[i0 + 3][j0] = c30; C2[i0 + 3][j0 + 1] = c31; C2[i0 + 3][j0 + 2] = c32; C2[i0 + 3][j0 + 3] = c33;
    C2[i0 + 4][j0] = c40; C2[i0 + 4][j0 + 1] = c41; C2[i0 + 4][j0 + 2] = c42; C2[i0 + 4][j0 + 3] = c43;
    C2[i0 + 5][j0] = c50; C2[i0 + 5][j0 + 1] = c51; C2[i0 + 5][j0 + 2] = c52; C2[i0 + 5][j0 + 3] = c53;
}

__attribute__((noinline)) static void naive_i(void) {
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            int64_t s = 0;
            for (int k = 0; k < K; k++) s += IA[i][k] * IB[k][j];
            IC1[i][j] = s;
        }
}

#define ROWI(r) int64_t r##0 = 0, r##1 = 0, r##2 = 0, r##3 = 0, r##4 = 0, r##5 = 0
#define FMAI(r, a) r##0 += a * b0; r##1 += a * b1; r##2 += a * b2; r##3 += a * b3; r##4 += a * b4; r##5 += a * b5
#define STI(r, i) IC2[i][j0] = r##0; IC2[i][j0 + 1] = r##1; IC2[i][j0 + 2] = r##2; IC2[i][j0 + 3] = r##3; \
                  IC2[i][j0 + 4] = r##4; IC2[i][j0 + 5] = r##5

__attribute__((noinline)) static void kernel_i6x6(int i0, int j0) {
    ROWI(p); ROWI(q); ROWI(r); ROWI(s); ROWI(t); ROWI(u);
    for (int k = 0; k < K; k++) {
        int64_t b0 = IB[k][j0], b1 = IB[k][j0 + 1], b2 = IB[k][j0 + 2], b3 = IB[k][j0 + 3], b4 = IB[k][j0 + 4], b5 = IB[k][j0 + 5];
        int64_t a0 = IA[i0][k], a1 = IA[i0 + 1][k], a2 = IA[i0 + 2][k], a3 = IA[i0 + 3][k], a4 = IA[i0 + 4][k], a5 = IA[i0 + 5][k];
        FMAI(p, a0); FMAI(q, a1); FMAI(r, a2); FMAI(s, a3); FMAI(t, a4); FMAI(u, a5);
    }
    STI(p, i0); STI(q, i0 + 1); STI(r, i0 + 2); STI(s, i0 + 3); STI(t, i0 + 4); STI(u, i0 + 5);
}

/* mixed: 3x4 block computing both integer and floating products at once */
__attribute__((noinline)) static uint64_t kernel_mixed(int i0, int j0) {
    int64_t x00 = 0, x01 = 0, x02 = 0, x03 = 0, x10 = 0, x11 = 0, x12 = 0, x13 = 0, x20 = 0, x21 = 0, x22 = 0, x23 = 0;
    double y00 = 0, y01 = 0, y02 = 0, y03 = 0, y10 = 0, y11 = 0, y12 = 0, y13 = 0, y20 = 0, y21 = 0, y22 = 0, y23 = 0;
    for (int k = 0; k < K; k++) {
        int64_t ib0 = IB[k][j0], ib1 = IB[k][j0 + 1], ib2 = IB[k][j0 + 2], ib3 = IB[k][j0 + 3];
        double db0 = B[k][j0], db1 = B[k][j0 + 1], db2 = B[k][j0 + 2], db3 = B[k][j0 + 3];
        int64_t ia0 = IA[i0][k], ia1 = IA[i0 + 1][k], ia2 = IA[i0 + 2][k];
        double da0 = A[i0][k], da1 = A[i0 + 1][k], da2 = A[i0 + 2][k];
        x00 += ia0 * ib0; x01 += ia0 * ib1; x02 += ia0 * ib2; x03 += ia0 * ib3;
        x10 += ia1 * ib0; x11 += ia1 * ib1; x12 += ia1 * ib2; x13 += ia1 * ib3;
        x20 += ia2 * ib0; x21 += ia2 * ib1; x22 += ia2 * ib2; x23 += ia2 * ib3;
        y00 += da0 * db0; y01 += da0 * db1; y02 += da0 * db2; y03 += da0 * db3;
        y10 += da1 * db0; y11 += da1 * db1; y12 += da1 * db2; y13 += da1 * db3;
        y20 += da2 * db0; y21 += da2 * db1; y22 += da2 * db2; y23 += da2 * db3;
        if ((k & 15) == 15) { x00 ^= (int64_t)llround(y11); y22 += (double)(x13 & 7); }
    }
    uint64_t h = (uint64_t)(x00 + 3 * x01 + 5 * x02 + 7 * x03 + 11 * x10 + 13 * x11 + 17 * x12 + 19 * x13 + 23 * x20 + 29 * x21 + 31 * x22 + 37 * x23);
    double d = y00 - y01 + y02 - y03 + y10 - y11 + y12 - y13 + y20 - y21 + y22 - y23;
    return h ^ (uint64_t)llround(d * 64.0);
}

int main(void) {
    uint32_t s = 99;
    for (int i = 0; i < M; i++) for (int k = 0; k < K; k++) {
        s = s * 1103515245u + 12345u;
        A[i][k] = (double)((int)((s >> 16) % 17u) - 8) * 0.25;
        IA[i][k] = (int64_t)((s >> 8) % 20001u) - 10000;
    }
    for (int k = 0; k < K; k++) for (int j = 0; j < N; j++) {
        s = s * 1103515245u + 12345u;
        B[k][j] = (double)((int)((s >> 16) % 13u) - 6) * 0.5 + 0.1;
        IB[k][j] = (int64_t)((s >> 4) % 30001u) - 15000;
    }
    naive_d();
    for (int i = 0; i < M; i += 6) for (int j = 0; j < N; j += 4) kernel_d6x4(i, j);
    int same = 1; double tr = 0;
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) { if (C1[i][j] != C2[i][j]) same = 0; }
    for (int i = 0; i < M; i++) tr += C2[i][i];
    printf("double 6x4: identical=%d trace*1000=%lld\n", same, (long long)llround(tr * 1000));
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j += 3) ck_add((uint64_t)llround(C2[i][j] * 1000));

    naive_i();
    for (int i = 0; i < M; i += 6) for (int j = 0; j < N; j += 6) kernel_i6x6(i, j);
    same = 1; uint64_t h = 0;
    for (int i = 0; i < M; i++) for (int j = 0; j < N; j++) { if (IC1[i][j] != IC2[i][j]) same = 0; h = h * 31 + (uint64_t)IC2[i][j]; }
    printf("int64 6x6: identical=%d hash=%016llx c[7][9]=%lld\n", same, (unsigned long long)h, (long long)IC2[7][9]);
    ck_add(h);

    uint64_t mh = 0;
    for (int rep = 0; rep < 4; rep++)
        for (int i = 0; i + 3 <= M; i += 3) for (int j = 0; j < N; j += 4) { mh = mh * 0x9e3779b97f4a7c15ULL + kernel_mixed(i, j); B[(i + rep) % K][j] += 0.5; }
    printf("mixed: %016llx\n", (unsigned long long)mh);
    ck_add(mh);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
