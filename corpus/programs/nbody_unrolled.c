/* Five-body gravitational simulation (symplectic Euler) where the positions,
 * velocities and masses of all bodies live in 35 local doubles and the ten
 * pairwise interactions are fully unrolled: very high floating-point register
 * pressure. Also a generic array-based version for cross-checking, energy
 * tracking, and an integer (fixed-point) 2-D orbit integrator. */
#include <stdio.h>
#include <stdint.h>
#include <math.h>

static uint64_t ck = 0x5b0d1e5b0d1e5ULL;
static void ck_add(uint64_t v) { ck = (ck ^ v) * 0x100000001b3ULL; ck ^= ck >> 28; }

#define NB 5
struct body { double x, y, z, vx, vy, vz, m; };

static void init_bodies(struct body *b) {
    const double PI = 3.141592653589793, SM = 4 * PI * PI, DPY = 365.24;
    struct body init[NB] = {
        { 0, 0, 0, 0, 0, 0, SM },
        { 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DPY, 7.69901118419740425e-03 * DPY, -6.90460016972063023e-05 * DPY, 9.54791938424326609e-04 * SM },
        { 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DPY, 4.99852801234917238e-03 * DPY, 2.30417297573763929e-05 * DPY, 2.85885980666130812e-04 * SM },
        { 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DPY, 2.37847173959480950e-03 * DPY, -2.96589568540237556e-05 * DPY, 4.36624404335156298e-05 * SM },
        { 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DPY, 1.62824170038242295e-03 * DPY, -9.51592254519715870e-05 * DPY, 5.15138902046611451e-05 * SM } };
    double px = 0, py = 0, pz = 0;
    for (int i = 0; i < NB; i++) { b[i] = init[i]; px += b[i].vx * b[i].m; py += b[i].vy * b[i].m; pz += b[i].vz * b[i].m; }
    b[0].vx = -px / SM; b[0].vy = -py / SM; b[0].vz = -pz / SM;
}

static double energy(const struct body *b) {
    double e = 0;
    for (int i = 0; i < NB; i++) {
        e += 0.5 * b[i].m * (b[i].vx * b[i].vx + b[i].vy * b[i].vy + b[i].vz * b[i].vz);
        for (int j = i + 1; j < NB; j++) { double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z; e -= b[i].m * b[j].m / sqrt(dx * dx + dy * dy + dz * dz); }
    }
    return e;
}

__attribute__((noinline)) static void advance_generic(struct body *b, int steps, double dt) {
    for (int s = 0; s < steps; s++) {
        for (int i = 0; i < NB; i++)
            for (int j = i + 1; j < NB; j++) {
                double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * sqrt(d2));
                b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
                b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
            }
        for (int i = 0; i < NB; i++) { b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz; }
    }
}

#define LOADB(k) double x##k = b[k].x, y##k = b[k].y, z##k = b[k].z, u##k = b[k].vx, v##k = b[k].vy, w##k = b[k].vz, m##k = b[k].m
#define STOREB(k) b[k].x = x##k; b[k].y = y##k; b[k].z = z##k; b[k].vx = u##k; b[k].vy = v##k; b[k].vz = w##k
#define PAIR(i, j) do { double dx = x##i - x##j, dy = y##i - y##j, dz = z##i - z##j; double d2 = dx * dx + dy * dy + dz * dz; \
    double mag = dt / (d2 * sqrt(d2)); \
    u##i -= dx * m##j * mag; v##i -= dy * m##j * mag; w##i -= dz * m##j * mag; \
    u##j += dx * m##i * mag; v##j += dy * m##i * mag; w##j += dz * m##i * mag; } while (0)
#define MOVE(k) x##k += dt * u##k; y##k += dt * v##k; z##k += dt * w##k

__attribute__((noinline)) static void advance_unrolled(struct body *b, int steps, double dt) {
    LOADB(0); LOADB(1); LOADB(2); LOADB(3); LOADB(4);
    for (int s = 0; s < steps; s++) {
        PAIR(0, 1); PAIR(0, 2); PAIR(0, 3); PAIR(0, 4); PAIR(1, 2); PAIR(1, 3); PAIR(1, 4); PAIR(2, 3); PAIR(2, 4); PAIR(3, 4);
        MOVE(0); MOVE(1); MOVE(2); MOVE(3); MOVE(4);
    }
    STOREB(0); STOREB(1); STOREB(2); STOREB(3); STOREB(4);
}

/* fixed-point 2-D Kepler orbit: Q32.32 positions, inverse square via integer sqrt */
static uint64_t isqrt64(uint64_t n) { uint64_t r = 0, bit = (uint64_t)1 << 62; while (bit > n) bit >>= 2; while (bit) { if (n >= r + bit) { n -= r + bit; r = (r >> 1) + bit; } else r >>= 1; bit >>= 2; } return r; }
__attribute__((noinline)) static void orbit_fixed(int steps, int64_t *ox, int64_t *oy, int64_t *minr, int64_t *maxr) {
    /* units: 1.0 = 2^20; GM = 1 */
    const int64_t ONE = 1 << 20;
    int64_t x = ONE, y = 0, vx = 0, vy = ONE * 6 / 5, dtq = ONE / 256;
    *minr = INT64_MAX; *maxr = 0;
    for (int s = 0; s < steps; s++) {
        uint64_t r2 = (uint64_t)(x * x + y * y);      /* Q40 */
        uint64_t r = isqrt64(r2);                       /* Q20 */
        int64_t r3 = (int64_t)((r2 >> 20) * r >> 20);   /* Q20 */
        if (r3 == 0) r3 = 1;
        int64_t ax = -x * ONE / r3, ay = -y * ONE / r3; /* Q20 */
        vx += ax * dtq / ONE; vy += ay * dtq / ONE;
        x += vx * dtq / ONE; y += vy * dtq / ONE;
        if ((int64_t)r < *minr) *minr = (int64_t)r;
        if ((int64_t)r > *maxr) *maxr = (int64_t)r;
    }
    *ox = x; *oy = y;
}

int main(void) {
    struct body a[NB], b[NB];
    init_bodies(a); init_bodies(b);
    double e0 = energy(a);
    printf("initial energy*1e9=%lld\n", (long long)llround(e0 * 1e9));
    ck_add((uint64_t)llround(e0 * 1e9));
    for (int round = 0; round < 4; round++) {
        advance_generic(a, 5000, 0.01);
        advance_unrolled(b, 5000, 0.01);
        double ea = energy(a), eb = energy(b);
        int same = 1;
        for (int i = 0; i < NB; i++) if (a[i].x != b[i].x || a[i].vz != b[i].vz) same = 0;
        printf("after %d steps: energy*1e9=%lld unrolled*1e9=%lld identical=%d\n", (round + 1) * 5000, (long long)llround(ea * 1e9), (long long)llround(eb * 1e9), same);
        ck_add((uint64_t)llround(ea * 1e9)); ck_add((uint64_t)llround(eb * 1e9));
        for (int i = 0; i < NB; i++) { ck_add((uint64_t)llround(b[i].x * 1e6)); ck_add((uint64_t)llround(b[i].vy * 1e6)); }
    }
    int64_t ox, oy, mn, mx;
    orbit_fixed(40000, &ox, &oy, &mn, &mx);
    printf("fixed-point orbit: end=(%lld,%lld) rmin=%lld rmax=%lld (Q20)\n", (long long)ox, (long long)oy, (long long)mn, (long long)mx);
    ck_add((uint64_t)ox); ck_add((uint64_t)oy); ck_add((uint64_t)mn); ck_add((uint64_t)mx);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
