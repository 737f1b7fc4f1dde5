// Elementary functions with the same result on every platform, for the random draws
// (sim/random.cpp, sim/distribution.cpp). Internal to sim/.
//
//   const double y = sim::detail::log(1.0 - u);      // instead of std::log
//   double s, c; sim::detail::sincos(theta, s, c);   // instead of std::sin, std::cos
//
// Why: the C library's log, exp, sin and cos are not required to be correctly rounded, and
// glibc, musl, macOS and MSVC give different last bits for some inputs, so a draw could differ
// between machines (STYLE.md #8). These are fixed algorithms written only with IEEE 754
// double +, -, *, / (each correctly rounded by the standard), frexp, ldexp and floor (exact),
// evaluated in double-double arithmetic (about 100 bits) and rounded once at the end. The
// project builds with -ffp-contract=off, so no compiler fuses a multiply-add differently.
// Results are the correctly rounded value except in astronomically rare cases (an input whose
// exact result lies within ~2^-100 relative of a rounding midpoint: where that happens, still
// the same on every platform). On glibc 2.36 (Debian 12) they equal std::log, std::exp,
// std::sin and std::cos on every draw the tests and the golden runs make
// (tests/random_test.cpp). Subnormal results of exp may be rounded twice (still deterministic).
//
// Domains: log and exp take any double (log(0) = -inf, log(x < 0) = NaN, exp overflows to
// +inf and underflows to 0); sincos takes |x| <= 2^20 (a draw's angle is below 2 pi) and
// gives NaN beyond. Each first tries a cheaper evaluation that knows when its rounding is
// certain (Ziv's strategy) and falls back to the double-double one near a rounding midpoint.
#pragma once

namespace bootsim::sim::detail {

double log(double x);
// log's double-double evaluation alone: log returns the same bits, first trying a cheaper
// evaluation that knows when its rounding is certain (exposed for tests/math_test.cpp).
double log_accurate(double x);
double exp(double x);
double exp_accurate(double x);  // exp's double-double evaluation alone (for tests)
// sin(x) and cos(x) from one argument reduction.
void sincos(double x, double& sin_x, double& cos_x);
// sincos's double-double evaluation alone (for tests/math_test.cpp).
void sincos_accurate(double x, double& sin_x, double& cos_x);

}  // namespace bootsim::sim::detail
