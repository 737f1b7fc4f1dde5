#include "sim/random.hpp"

#include <cassert>
#include <cmath>
#include <numbers>

#include "sim/detail/math.hpp"

namespace bootsim::sim {

namespace {

constexpr std::uint64_t rotl(std::uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// SplitMix64 (Steele, Lea, Flood 2014; constants from Vigna's reference splitmix64.c): the
// seeding generator recommended for xoshiro, so that nearby seeds give unrelated states.
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// The full 128-bit product of two 64-bit numbers, in portable 32-bit halves (no __int128).
struct U128 {
  std::uint64_t hi, lo;
};
U128 mul_64x64(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a_lo = a & 0xffffffffULL, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xffffffffULL, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo;
  const std::uint64_t hi_lo = a_hi * b_lo;
  const std::uint64_t lo_hi = a_lo * b_hi;
  const std::uint64_t hi_hi = a_hi * b_hi;
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffULL) + lo_hi;
  return U128{hi_hi + (hi_lo >> 32) + (cross >> 32), (cross << 32) | (lo_lo & 0xffffffffULL)};
}

}  // namespace

std::uint64_t stable_hash(std::string_view text) {
  // 64-bit FNV-1a; offset basis and prime from the FNV reference (Fowler, Noll, Vo).
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

RandomStream::RandomStream(std::uint64_t seed, std::string_view stable_id) {
  // Mix the seed before combining it with the id's hash, so that (seed, id) pairs do not
  // collide the way a plain seed ^ hash would; then expand to 256 bits of state. SplitMix64
  // is a bijection of its counter, so four consecutive outputs are never all zero (the one
  // state xoshiro must avoid).
  std::uint64_t x = seed;
  x = splitmix64(x) ^ stable_hash(stable_id);
  for (auto& word : state_) word = splitmix64(x);
}

std::uint64_t RandomStream::next_u64() {
  // xoshiro256** 1.0 (Blackman & Vigna 2018, reference xoshiro256starstar.c).
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double RandomStream::uniform01() {
  // The top 53 bits scaled by 2^-53: every value is a multiple of 2^-53 in [0, 1).
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

double RandomStream::uniform(double lo, double hi) {
  return lo + (hi - lo) * uniform01();
}

std::uint64_t RandomStream::uniform_index(std::uint64_t n) {
  assert(n > 0 && "uniform_index needs n > 0");
  if (n == 0) return 0;
  // Lemire, "Fast Random Integer Generation in an Interval" (2019): the high word of x * n is
  // uniform on [0, n) once the low words below 2^64 mod n are rejected.
  U128 m = mul_64x64(next_u64(), n);
  if (m.lo < n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (m.lo < threshold) m = mul_64x64(next_u64(), n);
  }
  return m.hi;
}

double RandomStream::exponential(double mean) {
  // Inversion: 1 - u lies in (0, 1], so the logarithm never sees 0. detail::log: the same
  // bits on every platform (sim/detail/math.hpp).
  return -mean * detail::log(1.0 - uniform01());
}

double RandomStream::standard_normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // Box-Muller (1958): two uniforms give two independent standard normals. u1 is in (0, 1] so
  // that log(u1) is finite.
  const double u1 = 1.0 - uniform01();
  const double u2 = uniform01();
  // std::sqrt is correctly rounded by IEEE 754 (the same everywhere); log, sin and cos come
  // from sim/detail/math.hpp for the same reason.
  const double r = std::sqrt(-2.0 * detail::log(u1));
  const double theta = 2.0 * std::numbers::pi * u2;
  double sin_theta = 0.0;
  double cos_theta = 0.0;
  detail::sincos(theta, sin_theta, cos_theta);
  spare_normal_ = r * sin_theta;
  has_spare_normal_ = true;
  return r * cos_theta;
}

}  // namespace bootsim::sim
