#include "sim/detail/math.hpp"

#include <array>
#include <bit>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>

namespace bootsim::sim::detail {

namespace {

static_assert(std::numeric_limits<double>::is_iec559, "IEEE 754 binary64 doubles needed");
static_assert(FLT_EVAL_METHOD == 0, "no excess precision (x87) allowed: results would differ");

// A double-double: the unevaluated sum hi + lo with |lo| <= ulp(hi) / 2, about 106 bits.
// Algorithms: Dekker (1971), Knuth TAOCP 4.2.2; as in Hida, Li, Bailey's QD library.
struct DD {
  double hi, lo;
};

// a + b exactly (Knuth's TwoSum).
constexpr DD two_sum(double a, double b) {
  const double s = a + b;
  const double bb = s - a;
  return {s, (a - (s - bb)) + (b - bb)};
}
// a + b exactly when |a| >= |b| or a == 0 (Dekker's FastTwoSum).
constexpr DD fast_two_sum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}
// Veltkamp's split: a = hi + lo with 26-bit halves (|a| < 2^996 here).
constexpr DD split(double a) {
  const double t = 134217729.0 * a;  // 2^27 + 1
  const double hi = t - (t - a);
  return {hi, a - hi};
}
// a * b exactly (Dekker's TwoProduct, without a fused multiply-add).
constexpr DD two_prod(double a, double b) {
  const double p = a * b;
  const DD x = split(a);
  const DD y = split(b);
  return {p, ((x.hi * y.hi - p) + x.hi * y.lo + x.lo * y.hi) + x.lo * y.lo};
}
constexpr DD neg(DD a) {
  return {-a.hi, -a.lo};
}
constexpr DD add(DD a, DD b) {
  DD s = two_sum(a.hi, b.hi);
  const DD t = two_sum(a.lo, b.lo);
  s.lo += t.hi;
  s = fast_two_sum(s.hi, s.lo);
  s.lo += t.lo;
  return fast_two_sum(s.hi, s.lo);
}
constexpr DD mul(DD a, DD b) {
  DD p = two_prod(a.hi, b.hi);
  p.lo += a.hi * b.lo + a.lo * b.hi;
  return fast_two_sum(p.hi, p.lo);
}
constexpr DD mul(DD a, double b) {
  DD p = two_prod(a.hi, b);
  p.lo += a.lo * b;
  return fast_two_sum(p.hi, p.lo);
}
constexpr DD div(DD a, DD b) {
  const double q1 = a.hi / b.hi;
  DD r = add(a, neg(mul(b, q1)));
  const double q2 = r.hi / b.hi;
  r = add(r, neg(mul(b, q2)));
  const double q3 = r.hi / b.hi;
  return add(fast_two_sum(q1, q2), DD{q3, 0.0});
}
// The double nearest hi + lo (after fast_two_sum, hi already is).
constexpr double round_dd(DD a) {
  return a.hi + a.lo;
}

// ln 2 and pi / 2 in three doubles each (the exact values to ~2^-160), from a 300-bit
// evaluation; ln2 / 64 is an exact scaling of each part.
constexpr double kLn2[3] = {0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56, 0x1.7b57a079a1934p-111};
constexpr double kPio2[3] = {0x1.921fb54442d18p+0, 0x1.1a62633145c07p-54, -0x1.f1976b7ed8fbcp-110};
constexpr DD kLn2DD = {kLn2[0], kLn2[1]};

// Tables, computed at compile time (IEEE arithmetic there too, so they are the same bits on
// every compiler) by series with far more terms than the run-time code uses.

// 1 / (2i + 1) for the atanh series of log.
constexpr int kLogTerms = 8;
constexpr std::array<DD, kLogTerms> make_inv_odd() {
  std::array<DD, kLogTerms> t{};
  for (int i = 0; i < kLogTerms; ++i) t[i] = div(DD{1.0, 0.0}, DD{2.0 * i + 1.0, 0.0});
  return t;
}
constexpr auto kInvOdd = make_inv_odd();

// log(c) = 2 atanh((c - 1) / (c + 1)) with 40 terms (|s| <= 0.18: s^80 < 2^-190).
constexpr DD log_by_series(double c) {
  const DD s = div(DD{c - 1.0, 0.0}, two_sum(c, 1.0));
  const DD s2 = mul(s, s);
  DD p{0.0, 0.0};
  for (int i = 39; i >= 0; --i) p = add(div(DD{1.0, 0.0}, DD{2.0 * i + 1.0, 0.0}), mul(s2, p));
  return mul(mul(s, p), 2.0);
}
// log(j / 64) for j = 45..91: the centres that log reduces its argument to.
constexpr int kLogFirst = 45;
constexpr int kLogLast = 91;
constexpr std::array<DD, kLogLast - kLogFirst + 1> make_log_table() {
  std::array<DD, kLogLast - kLogFirst + 1> t{};
  for (int j = kLogFirst; j <= kLogLast; ++j) t[j - kLogFirst] = log_by_series(j / 64.0);
  return t;
}
constexpr auto kLogTable = make_log_table();

// 1 / n! for n = 0..kFactTerms-1 (exp's and sin/cos's Taylor series).
constexpr int kFactTerms = 32;
constexpr std::array<DD, kFactTerms> make_inv_fact() {
  std::array<DD, kFactTerms> t{};
  DD f{1.0, 0.0};
  for (int n = 0; n < kFactTerms; ++n) {
    if (n > 0) f = mul(f, static_cast<double>(n));
    t[n] = div(DD{1.0, 0.0}, f);
  }
  return t;
}
constexpr auto kInvFact = make_inv_fact();

// exp(r) - 1 by Taylor with `terms` terms after 1 (r as a DD).
constexpr DD expm1_series(DD r, int terms) {
  DD p = kInvFact[terms];
  for (int n = terms - 1; n >= 1; --n) p = add(kInvFact[n], mul(p, r));
  return mul(p, r);
}
// 2^(j / 64) for j = 0..63, by exp(j ln2 / 64) with 30 terms (|x| < 0.7: x^31 / 31! < 2^-120).
constexpr std::array<DD, 64> make_exp2_table() {
  std::array<DD, 64> t{};
  for (int j = 0; j < 64; ++j) {
    const DD x = mul(kLn2DD, j / 64.0);
    t[j] = add(DD{1.0, 0.0}, expm1_series(x, 30));
  }
  return t;
}
constexpr auto kExp2Table = make_exp2_table();

constexpr double kSqrtHalf = 0x1.6a09e667f3bcdp-1;  // nearest double to 1/sqrt(2)
constexpr double kMaxLogArg = 709.782712893384;     // exp overflows above: log(DBL_MAX)
constexpr double kMinLogArg = -745.1332191019412;   // exp is below half the least subnormal
constexpr double kInvLn2Times64 = 0x1.71547652b82fep+6;
constexpr double kTwoOverPi = 0x1.45f306dc9c883p-1;
constexpr double kMaxTrigArg = 0x1p20;

// sin(r) and cos(r) for |r| <= pi/4 (+ a little), by Taylor: 14 terms of each (r^28 / 28! <
// 2^-106 |r|).
constexpr int kTrigTerms = 14;
constexpr DD sin_small(DD r) {
  const DD r2 = mul(r, r);
  DD p = kInvFact[2 * kTrigTerms + 1];
  for (int i = kTrigTerms - 1; i >= 0; --i) {
    // p = 1/(2i+1)! - r^2 p, alternating signs.
    p = add(kInvFact[2 * i + 1], neg(mul(r2, p)));
  }
  return mul(p, r);
}
constexpr DD cos_small(DD r) {
  const DD r2 = mul(r, r);
  DD p = kInvFact[2 * kTrigTerms];
  for (int i = kTrigTerms - 1; i >= 0; --i) p = add(kInvFact[2 * i], neg(mul(r2, p)));
  return p;
}

// sin(j / 128) and cos(j / 128) for j = -101..101 (|j / 128| covers pi/4 and a little): the
// centres that sincos_fast reduces its argument to, by the series above (|j / 128| < 0.79).
constexpr int kTrigCentres = 101;
constexpr double kTrigScale = 128.0;
struct SinCosTable {
  std::array<DD, 2 * kTrigCentres + 1> sin, cos;
};
constexpr SinCosTable make_sin_cos_table() {
  SinCosTable t{};
  for (int j = -kTrigCentres; j <= kTrigCentres; ++j) {
    const DD c{j / kTrigScale, 0.0};
    t.sin[j + kTrigCentres] = sin_small(c);
    t.cos[j + kTrigCentres] = cos_small(c);
  }
  return t;
}
constexpr auto kSinCos = make_sin_cos_table();

// Ziv's rounding test: hi + lo, known to within `err` of the exact value, rounds to the same
// double at both ends of that interval; then that double is the correctly rounded result.
bool rounds_surely(DD v, double err, double& result) {
  const double up = v.hi + (v.lo + err);
  if (up != v.hi + (v.lo - err)) return false;
  result = up;
  return true;
}

// sin and cos of x = n pi/2 + r from those of r.
void place_quadrant(long n, double sin_r, double cos_r, double& sin_x, double& cos_x) {
  switch (((n % 4) + 4) % 4) {
    case 0:
      sin_x = sin_r;
      cos_x = cos_r;
      break;
    case 1:
      sin_x = cos_r;
      cos_x = -sin_r;
      break;
    case 2:
      sin_x = -sin_r;
      cos_x = -cos_r;
      break;
    default:
      sin_x = -cos_r;
      cos_x = sin_r;
      break;
  }
}

// The first try of log (Ziv's strategy): the same argument reduction as log_accurate, then
// the quotient s in double-double and the series' tail in plain double, which is about 2^-64
// relative error (the tail 2 s^3 (1/3 + s^2/5 + ...) is at most 2^-16.5 of 2 s and carries
// ~2^-50 of its own; log c, k ln2 and 2 s in double-double are within 2^-97). If hi + lo
// rounds the same at both ends of a 2^-60 |hi| interval around it (sixteen times that bound),
// that rounding is the correctly rounded log, which is also what log_accurate returns; about 1
// call in 100 falls near a rounding midpoint and returns false. Why: log_accurate's
// double-double series is 70 % of PHOLD's time; this is about six times cheaper.
bool log_fast(double x, double& result) {
  const auto bits = std::bit_cast<std::uint64_t>(x);
  const auto biased = static_cast<int>(bits >> 52);  // the sign bit is 0 for x > 0
  if (biased == 0 || biased >= 0x7ff) return false;  // zero, subnormal, negative, inf, NaN
  // m in [0.5, 1) and x = 2^k m, as frexp gives them, from the bits.
  double m = std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3fe0000000000000ULL);
  int k = biased - 1022;
  if (m < kSqrtHalf) {
    m *= 2.0;
    --k;
  }
  const int j = static_cast<int>(m * 64.0 + 0.5);
  const double c = j / 64.0;
  const double num = m - c;  // exact (Sterbenz)
  const DD den = two_sum(m, c);
  // s = num / den to ~2^-100: one division and its exact remainder.
  // The remainder's quotient needs only a few bits right: a multiplication by 1 / den.hi,
  // whose division runs alongside the first one, keeps a second division off the path.
  const double inverse = 1.0 / den.hi;
  const double s_hi = num / den.hi;
  const DD p = two_prod(s_hi, den.hi);
  const double s_lo = (((num - p.hi) - p.lo) - s_hi * den.lo) * inverse;
  const double s2 = s_hi * s_hi;
  const double tail = 2.0 * s_hi * s2 * (1.0 / 3 + s2 * (1.0 / 5 + s2 * (1.0 / 7 + s2 / 9)));
  const double kd = static_cast<double>(k);
  const DD k_ln2 = two_prod(kd, kLn2[0]);
  const DD log_c = kLogTable[j - kLogFirst];
  DD sum = two_sum(k_ln2.hi, log_c.hi);
  const DD two_s = two_sum(sum.hi, 2.0 * s_hi);  // 2 s_hi: exact
  const double low = k_ln2.lo + kd * kLn2[1] + log_c.lo + 2.0 * s_lo + tail;
  sum = fast_two_sum(two_s.hi, (sum.lo + two_s.lo) + low);
  return rounds_surely(sum, std::fabs(sum.hi) * 0x1p-60, result);
}

// exp's first try (Ziv's strategy, as log_fast): the same reduction x = k ln2 / 64 + r as
// exp_accurate, r in double-double to ~2^-94, then exp(r) = 1 + r + q with the Taylor tail q
// (r^2 / 2 + ... + r^7 / 7!, truncated below 2^-75) in plain double, about 2^-67 absolute as
// |q| < 2^-16; times 2^(j / 64) from the table, the mantissa is within 2^-65.5 relative. If
// it rounds surely within 2^-60 (a 2^5 margin), that is exp_accurate's mantissa, and the same
// ldexp scales it (subnormals rounded twice alike). Why: exp_accurate's twelve double-double
// terms were a tenth of the default boot's time, a latency being drawn for every message.
bool exp_fast(double x, double& result) {
  if (!(x >= kMinLogArg && x <= kMaxLogArg)) return false;  // also NaN
  const double kd = std::floor(x * kInvLn2Times64 + 0.5);
  const DD a = two_prod(kd, kLn2[0] / 64.0);
  const DD t = two_sum(x, -a.hi);
  const DD r = two_sum(t.hi, ((t.lo - a.lo) - kd * (kLn2[1] / 64.0)) - kd * (kLn2[2] / 64.0));
  const double h = r.hi;
  const double q =
      h * h *
          (0.5 + h * (1.0 / 6 + h * (1.0 / 24 + h * (1.0 / 120 + h * (1.0 / 720 + h / 5040))))) +
      h * r.lo;
  DD e_r = fast_two_sum(1.0, h);  // valid: 1 >= |h| (< 0.006)
  e_r.lo += r.lo + q;
  const int k = static_cast<int>(kd);
  const int j = ((k % 64) + 64) % 64;
  const DD c = kExp2Table[j];
  DD m = two_prod(c.hi, e_r.hi);
  m.lo += c.hi * e_r.lo + c.lo * e_r.hi;
  double mantissa = 0.0;
  if (!rounds_surely(fast_two_sum(m.hi, m.lo), m.hi * 0x1p-60, mantissa)) return false;
  result = std::ldexp(mantissa, (k - j) / 64);
  return true;
}

// sincos's first try (Ziv's strategy): the same reduction x = n pi/2 + r as sincos_accurate
// (r in double-double, within 2^-100 |x|), then r = c + s with c = j / 128 from a table of
// sin c and cos c, |s| <= 1/256, and sin(c + s) = sin c cos s + cos c sin s, likewise cos.
// The second-order terms are exact products; the tails (s^3 / 6 ..., s^4 / 24 ...) in plain
// double are within 2^-77 absolute. sin and cos are kept only if each rounds surely within
// 2^-60 relative plus 2^-74 and 2^-98 |x| absolute (|sin| below about 2^-20 always falls back).
// Why: sincos_accurate's 28 double-double terms were a twelfth of the default boot's time.
bool sincos_fast(double x, double& sin_x, double& cos_x) {
  if (!(std::fabs(x) <= kMaxTrigArg)) return false;  // also NaN and infinities
  const double nd = std::floor(x * kTwoOverPi + 0.5);
  const DD a = two_prod(nd, kPio2[0]);
  const DD t = two_sum(x, -a.hi);
  const DD r = two_sum(t.hi, ((t.lo - a.lo) - nd * kPio2[1]) - nd * kPio2[2]);
  const double jd = std::floor(r.hi * kTrigScale + 0.5);
  if (!(std::fabs(jd) <= kTrigCentres)) return false;
  const auto j = static_cast<std::size_t>(static_cast<int>(jd) + kTrigCentres);
  const DD sc = kSinCos.sin[j];
  const DD cc = kSinCos.cos[j];
  const DD d = two_sum(r.hi, -jd / kTrigScale);
  const DD s = two_sum(d.hi, d.lo + r.lo);
  const double h = s.hi;
  const double h2 = h * h;
  // sin s = s + v, cos s = 1 - w: v = -s^3/6 + s^5/120 - s^7/5040; w = s^2/2 - s^4/24 + s^6/720,
  // its first term exact (h^2 / 2 as a product) and its cross term h l.
  const double v = h * h2 * (-1.0 / 6 + h2 * (1.0 / 120 - h2 / 5040));
  const DD hh = two_prod(h, h);
  const DD w{hh.hi * 0.5, (hh.lo * 0.5 + h * s.lo) - h2 * h2 * (1.0 / 24 - h2 / 720)};
  // sin(c + s) = sin c + cos c s - sin c w + cos c v (all products of sin c, cos c by terms).
  const DD cs = two_prod(cc.hi, h);
  const DD sw = two_prod(sc.hi, w.hi);
  const DD sin_a = two_sum(sc.hi, cs.hi);
  const DD sin_b = two_sum(sin_a.hi, -sw.hi);
  const double sin_low = sin_a.lo + sin_b.lo + sc.lo + cs.lo + cc.hi * s.lo + cc.lo * h - sw.lo -
                         sc.hi * w.lo - sc.lo * w.hi + cc.hi * v;
  // cos(c + s) = cos c - sin c s - cos c w - sin c v.
  const DD ss = two_prod(sc.hi, h);
  const DD cw = two_prod(cc.hi, w.hi);
  const DD cos_a = two_sum(cc.hi, -ss.hi);
  const DD cos_b = two_sum(cos_a.hi, -cw.hi);
  const double cos_low = cos_a.lo + cos_b.lo + cc.lo - ss.lo - sc.hi * s.lo - sc.lo * h - cw.lo -
                         cc.hi * w.lo - cc.lo * w.hi - sc.hi * v;
  const double absolute = 0x1p-74 + std::fabs(x) * 0x1p-98;
  double s_r = 0.0;
  double c_r = 0.0;
  const DD sin_r = two_sum(sin_b.hi, sin_low);
  const DD cos_r = two_sum(cos_b.hi, cos_low);
  if (!rounds_surely(sin_r, std::fabs(sin_r.hi) * 0x1p-60 + absolute, s_r)) return false;
  if (!rounds_surely(cos_r, std::fabs(cos_r.hi) * 0x1p-60 + absolute, c_r)) return false;
  place_quadrant(static_cast<long>(nd), s_r, c_r, sin_x, cos_x);
  return true;
}

}  // namespace

double log(double x) {
  double result = 0.0;
  if (log_fast(x, result)) return result;
  return log_accurate(x);
}

double log_accurate(double x) {
  if (x != x) return x;  // NaN
  if (x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (x == std::numeric_limits<double>::infinity()) return x;
  // x = 2^k m with m in [sqrt(1/2), sqrt(2)); then m = c (1 + t) with c = j / 64 the nearest
  // table centre, and log m = log c + 2 atanh(s), s = (m - c) / (m + c), |s| < 0.0056.
  int k = 0;
  double m = std::frexp(x, &k);  // exact, subnormals included
  if (m < kSqrtHalf) {
    m *= 2.0;
    --k;
  }
  const int j = static_cast<int>(m * 64.0 + 0.5);
  const double c = j / 64.0;
  const double num = m - c;  // exact (Sterbenz: c / 2 <= m <= 2c)
  const DD s = div(DD{num, 0.0}, two_sum(m, c));
  const DD s2 = mul(s, s);
  DD p = kInvOdd[kLogTerms - 1];
  for (int i = kLogTerms - 2; i >= 0; --i) p = add(kInvOdd[i], mul(s2, p));
  const DD log_m = add(kLogTable[j - kLogFirst], mul(mul(s, p), 2.0));
  const double kd = static_cast<double>(k);
  const DD k_ln2 = add(two_prod(kd, kLn2[0]), add(two_prod(kd, kLn2[1]), DD{kd * kLn2[2], 0.0}));
  return round_dd(add(k_ln2, log_m));
}

double exp(double x) {
  double result = 0.0;
  if (exp_fast(x, result)) return result;
  return exp_accurate(x);
}

double exp_accurate(double x) {
  if (x != x) return x;  // NaN
  if (x > kMaxLogArg) return std::numeric_limits<double>::infinity();
  if (x < kMinLogArg) return 0.0;
  // x = (64 e + j) ln2 / 64 + r with |r| <= ln2 / 128 (+ a little), so that
  // exp(x) = 2^e 2^(j/64) exp(r).
  const double kd = std::floor(x * kInvLn2Times64 + 0.5);  // |kd| <= 68,000: exact
  const DD a = two_prod(kd, kLn2[0] / 64.0);
  const DD b = two_prod(kd, kLn2[1] / 64.0);
  const double c = kd * (kLn2[2] / 64.0);
  const DD r = add(add(add(DD{x, 0.0}, neg(a)), neg(b)), DD{-c, 0.0});
  // 12 terms: |r| < 0.0055, r^13 / 13! < 2^-120.
  const DD e_r = add(DD{1.0, 0.0}, expm1_series(r, 12));
  const int k = static_cast<int>(kd);
  const int j = ((k % 64) + 64) % 64;
  const int e = (k - j) / 64;
  return std::ldexp(round_dd(mul(kExp2Table[j], e_r)), e);
}

void sincos(double x, double& sin_x, double& cos_x) {
  if (sincos_fast(x, sin_x, cos_x)) return;
  sincos_accurate(x, sin_x, cos_x);
}

void sincos_accurate(double x, double& sin_x, double& cos_x) {
  if (!(std::fabs(x) <= kMaxTrigArg)) {  // also NaN and infinities
    sin_x = cos_x = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  // x = n pi/2 + r, |r| <= pi/4 (+ a little); n pi/2 in three exact or tiny parts (n < 2^21).
  const double nd = std::floor(x * kTwoOverPi + 0.5);
  const DD a = two_prod(nd, kPio2[0]);
  const DD b = two_prod(nd, kPio2[1]);
  const double c = nd * kPio2[2];
  const DD r = add(add(add(DD{x, 0.0}, neg(a)), neg(b)), DD{-c, 0.0});
  const double s = round_dd(sin_small(r));
  const double co = round_dd(cos_small(r));
  place_quadrant(static_cast<long>(nd), s, co, sin_x, cos_x);
}

}  // namespace bootsim::sim::detail
