// RandomStream: a per-component stream of random draws, derived from (run seed, stable id).
//
//   sim::RandomStream rng(seed, "master-1/zookeeper");
//   const double u = rng.uniform01();
//
// Contract: the stream depends only on the run seed and the stable id, never on creation order,
// so adding an agent does not change what master-1's ZooKeeper draws. Every transform here is
// written out (xoshiro256** over a splitmix64-seeded state, inverse-CDF and Box-Muller) rather
// than taken from std::*_distribution, whose algorithms differ between standard libraries:
// the same seed gives the same draws everywhere. Not thread-safe; one stream, one owner.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace bootsim::sim {

// FNV-1a over the bytes: stable across platforms, unlike std::hash.
std::uint64_t stable_hash(std::string_view text);

class RandomStream {
 public:
  RandomStream(std::uint64_t seed, std::string_view stable_id);

  std::uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits.
  double uniform01();
  double uniform(double lo, double hi);
  // Uniform integer on [0, n); n > 0. Unbiased (Lemire's multiply-and-reject).
  std::uint64_t uniform_index(std::uint64_t n);
  // Exponential with the given mean, by inversion.
  double exponential(double mean);
  // Standard normal by the Box-Muller transform (both variates used in turn).
  double standard_normal();

 private:
  std::array<std::uint64_t, 4> state_{};
  double spare_normal_ = 0.0;
  bool has_spare_normal_ = false;
};

}  // namespace bootsim::sim
