/* SHA-256 with fully unrolled compression (working state and the 16-word
 * message schedule kept in local variables -> high register pressure).
 * Round constants and initial hash values are derived at start-up with integer
 * cube/square roots. Also HMAC-like keyed hashing and iterated hashing. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static uint64_t ck = 0x6a09e667f3bcc908ULL;
static void ck_add(uint64_t v) { ck ^= v + 0x9e3779b97f4a7c15ULL + (ck << 6) + (ck >> 2); }

static uint32_t K[64], H0[8];

static uint64_t icbrt128(unsigned __int128 n) {
    uint64_t lo = 0, hi = (uint64_t)1 << 40;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        unsigned __int128 c = (unsigned __int128)mid * mid * mid;
        if (c <= n) lo = mid; else hi = mid - 1;
    }
    return lo;
}
static uint64_t isqrt128(unsigned __int128 n) {
    uint64_t lo = 0, hi = (uint64_t)1 << 40;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if ((unsigned __int128)mid * mid <= n) lo = mid; else hi = mid - 1;
    }
    return lo;
}

__attribute__((noinline)) static void init_constants(void) {
    int primes[64], np = 0;
    for (int c = 2; np < 64; c++) {
        int isp = 1;
        for (int d = 2; d * d <= c; d++) if (c % d == 0) { isp = 0; break; }
        if (isp) primes[np++] = c;
    }
    for (int i = 0; i < 64; i++) K[i] = (uint32_t)icbrt128((unsigned __int128)primes[i] << 96);
    for (int i = 0; i < 8; i++) H0[i] = (uint32_t)isqrt128((unsigned __int128)primes[i] << 64);
}

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define s0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define s1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

#define RND(a, b, c, d, e, f, g, h, w, k) do { \
    uint32_t t1 = h + S1(e) + CH(e, f, g) + k + w; \
    uint32_t t2 = S0(a) + MAJ(a, b, c); \
    d += t1; h = t1 + t2; } while (0)

#define SCHED(w0, w1, w9, w14) (w0 += s1(w14) + w9 + s0(w1))

#define R8(i, W0, W1, W2, W3, W4, W5, W6, W7) \
    RND(a, b, c, d, e, f, g, h, W0, K[i + 0]); RND(h, a, b, c, d, e, f, g, W1, K[i + 1]); \
    RND(g, h, a, b, c, d, e, f, W2, K[i + 2]); RND(f, g, h, a, b, c, d, e, W3, K[i + 3]); \
    RND(e, f, g, h, a, b, c, d, W4, K[i + 4]); RND(d, e, f, g, h, a, b, c, W5, K[i + 5]); \
    RND(c, d, e, f, g, h, a, b, W6, K[i + 6]); RND(b, c, d, e, f, g, h, a, W7, K[i + 7]);

#define EXPAND16() \
    SCHED(w0, w1, w9, w14); SCHED(w1, w2, w10, w15); SCHED(w2, w3, w11, w0); SCHED(w3, w4, w12, w1); \
    SCHED(w4, w5, w13, w2); SCHED(w5, w6, w14, w3); SCHED(w6, w7, w15, w4); SCHED(w7, w8, w0, w5); \
    SCHED(w8, w9, w1, w6); SCHED(w9, w10, w2, w7); SCHED(w10, w11, w3, w8); SCHED(w11, w12, w4, w9); \
    SCHED(w12, w13, w5, w10); SCHED(w13, w14, w6, w11); SCHED(w14, w15, w7, w12); SCHED(w15, w0, w8, w13);

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

__attribute__((noinline)) static void compress(uint32_t st[8], const uint8_t *blk) {
    uint32_t w0 = be32(blk), w1 = be32(blk + 4), w2 = be32(blk + 8), w3 = be32(blk + 12);
    uint32_t w4 = be32(blk + 16), w5 = be32(blk + 20), w6 = be32(blk + 24), w7 = be32(blk + 28);
    uint32_t w8 = be32(blk + 32), w9 = be32(blk + 36), w10 = be32(blk + 40), w11 = be32(blk + 44);
    uint32_t w12 = be32(blk + 48), w13 = be32(blk + 52), w14 = be32(blk + 56), w15 = be32(blk + 60);
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4], f = st[5], g = st[6], h = st[7];
    R8(0, w0, w1, w2, w3, w4, w5, w6, w7) R8(8, w8, w9, w10, w11, w12, w13, w14, w15)
    EXPAND16()
    R8(16, w0, w1, w2, w3, w4, w5, w6, w7) R8(24, w8, w9, w10, w11, w12, w13, w14, w15)
    EXPAND16()
    R8(32, w0, w1, w2, w3, w4, w5, w6, w7) R8(40, w8, w9, w10, w11, w12, w13, w14, w15)
    EXPAND16()
    R8(48, w0, w1, w2, w3, w4, w5, w6, w7) R8(56, w8, w9, w10, w11, w12, w13, w14, w15)
    st[0] += a; st[1] += b; st[2] += c; st[3] += d; st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

struct sha { uint32_t st[8]; uint8_t buf[64]; size_t nbuf; uint64_t len; };

static void sha_init(struct sha *s) { memcpy(s->st, H0, sizeof H0); s->nbuf = 0; s->len = 0; }
__attribute__((noinline)) static void sha_update(struct sha *s, const uint8_t *p, size_t n) {
    s->len += n;
    while (n > 0) {
        size_t take = 64 - s->nbuf;
        if (take > n) take = n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take; p += take; n -= take;
        if (s->nbuf == 64) { compress(s->st, s->buf); s->nbuf = 0; }
    }
}
static void sha_final(struct sha *s, uint8_t out[32]) {
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80, z = 0;
    sha_update(s, &pad, 1);
    while (s->nbuf != 56) sha_update(s, &z, 1);
    uint8_t lb[8];
    for (int i = 0; i < 8; i++) lb[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha_update(s, lb, 8);
    for (int i = 0; i < 8; i++) { out[4 * i] = (uint8_t)(s->st[i] >> 24); out[4 * i + 1] = (uint8_t)(s->st[i] >> 16);
                                  out[4 * i + 2] = (uint8_t)(s->st[i] >> 8); out[4 * i + 3] = (uint8_t)s->st[i]; }
}
static void sha256(const uint8_t *p, size_t n, uint8_t out[32]) { struct sha s; sha_init(&s); sha_update(&s, p, n); sha_final(&s, out); }

static void hmac(const uint8_t *key, size_t kl, const uint8_t *msg, size_t ml, uint8_t out[32]) {
    uint8_t k[64] = { 0 }, ipad[64], opad[64], inner[32];
    if (kl > 64) sha256(key, kl, k); else memcpy(k, key, kl);
    for (int i = 0; i < 64; i++) { ipad[i] = k[i] ^ 0x36; opad[i] = k[i] ^ 0x5c; }
    struct sha s;
    sha_init(&s); sha_update(&s, ipad, 64); sha_update(&s, msg, ml); sha_final(&s, inner);
    sha_init(&s); sha_update(&s, opad, 64); sha_update(&s, inner, 32); sha_final(&s, out);
}

static void show(const char *label, const uint8_t d[32]) {
    printf("%s: ", label);
    for (int i = 0; i < 32; i++) printf("%02x", d[i]);
    printf("\n");
    for (int i = 0; i < 32; i += 8) { uint64_t v = 0; for (int j = 0; j < 8; j++) v = v << 8 | d[i + j]; ck_add(v); }
}

int main(void) {
    init_constants();
    printf("K[0]=%08x K[63]=%08x H0[0]=%08x H0[7]=%08x\n", K[0], K[63], H0[0], H0[7]);
    uint8_t d[32];
    sha256((const uint8_t *)"abc", 3, d); show("abc", d);
    sha256((const uint8_t *)"", 0, d); show("empty", d);
    static uint8_t big[50000];
    for (size_t i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 131u + (i >> 7));
    sha256(big, sizeof big, d); show("big", d);
    hmac((const uint8_t *)"key", 3, (const uint8_t *)"The quick brown fox jumps over the lazy dog", 43, d);
    show("hmac", d);
    uint8_t x[32] = { 0 };
    for (int i = 0; i < 2000; i++) sha256(x, 32, x);
    show("iter2000", x);
    printf("checksum: %016llx\n", (unsigned long long)ck);
    return 0;
}
