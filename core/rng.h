#pragma once
// Seeding and random numbers.
//
// One base seed fans out into independent streams: StreamSeed(base, {a, b, ...})
// hashes the base seed with a path of stream ids (e.g. {iteration, env index}),
// so every task / env / rollout gets its own generator whose output does not
// depend on how work is scheduled over threads.
//
// Rng is xoshiro256++ seeded through splitmix64; the floating-point draws are
// computed here from raw bits (not with <random> distributions, whose output is
// implementation-defined), so sequences are identical on every platform.
// An Rng is not thread-safe: give each thread/env its own.

#include <cstdint>
#include <initializer_list>

namespace metarl {

// Derives a 64-bit seed for the stream identified by `path` under `base`.
std::uint64_t StreamSeed(std::uint64_t base, std::initializer_list<std::uint64_t> path);

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { Seed(seed); }
  void Seed(std::uint64_t seed);

  std::uint64_t NextU64();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform();
  // Uniform in [low, high).
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  // Standard normal (Box-Muller; caches the second variate).
  double Normal();
  // Uniform integer in [0, n); n > 0. Unbiased (rejection).
  std::uint64_t UniformInt(std::uint64_t n);
  bool Bernoulli(double p) { return Uniform() < p; }

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

}  // namespace metarl
