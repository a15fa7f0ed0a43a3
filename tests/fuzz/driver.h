#pragma once
// A tiny deterministic fuzz driver for libFuzzer-style targets, so that every fuzz target also runs
// as an ordinary CTest test under GCC + ASan/UBSan without libFuzzer:
//
//   fuzz_<name> [--mutations N] [--seed S] [--max-seconds T] [--max-len L] [--only I:M]
//               <seed file or folder>...
//
// It runs each seed input as is, then N mutations of it (bit flips, interesting values, byte runs,
// truncations, insertions, deletions, block copies and splices with another seed), drawn from a
// fixed PRNG: the same arguments always run the same inputs. The target must return normally for
// any input; an exception other than accsim::Error escaping it is a bug: the driver saves the input
// as crash-<name>-<seed>-<mutation>.bin and exits 1. Under ASan, a crash prints the seed and
// mutation index, and `--only I:M` replays exactly that input.
//
// Header-only; tests/fuzz/driver_main.cpp supplies main() for the driver builds.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/random.h"

#if defined(__SANITIZE_ADDRESS__)
#define ACCSIM_FUZZ_HAVE_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ACCSIM_FUZZ_HAVE_SANITIZER 1
#endif
#endif
#ifdef ACCSIM_FUZZ_HAVE_SANITIZER
#include <sanitizer/common_interface_defs.h>
#endif

namespace accsim::fuzz {

using Target = int (*)(const std::uint8_t* data, std::size_t size);

struct DriverOptions {
  std::uint64_t mutations = 200;  // per seed
  std::uint64_t seed = 1;
  double max_seconds = 15;        // stop early (and say so) past this wall time
  std::size_t max_len = 1 << 20;  // mutated inputs are cut to this length
  long only_seed = -1, only_mutation = -1;
  std::vector<std::string> inputs;
  std::string name = "fuzz";
};

struct Rng : SplitMix64 {  // accsim's one seeded generator, with a bounded draw
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
};

using Bytes = std::vector<std::uint8_t>;

// One random edit of `in`; `other` is another seed for splices.
inline Bytes mutate_once(const Bytes& in, const Bytes& other, Rng& rng) {
  Bytes b = in;
  static const std::uint64_t kInteresting[] = {
      0,          1,          0x7f,       0x80,  0xff, 0x100, 0x7fff, 0xffff,
      0x7fffffff, 0xffffffff, 0x80000000, ~0ull, 32,   24,    40,     65536};
  static const char kText[] = "0123456789abcdefx:#{}[]\",. \t\n-LDSTreadwriteATOMcg";
  switch (rng.below(b.empty() ? 3 : 11)) {
    case 0:  // insert random bytes
    {
      const std::size_t at = rng.below(b.size() + 1), n = 1 + rng.below(16);
      Bytes ins(n);
      for (auto& c : ins) c = static_cast<std::uint8_t>(rng.next());
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), ins.begin(), ins.end());
      break;
    }
    case 1:  // insert text-ish bytes (the text formats care about these)
    {
      const std::size_t at = rng.below(b.size() + 1), n = 1 + rng.below(8);
      for (std::size_t i = 0; i < n; ++i)
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(at),
                 static_cast<std::uint8_t>(kText[rng.below(sizeof kText - 1)]));
      break;
    }
    case 2:  // splice: a prefix of this input and a suffix of another
    {
      const std::size_t a = rng.below(b.size() + 1), c = rng.below(other.size() + 1);
      b.resize(a);
      b.insert(b.end(), other.begin() + static_cast<std::ptrdiff_t>(c), other.end());
      break;
    }
    case 3:  // flip 1..8 bits
      for (std::size_t i = 0, n = 1 + rng.below(8); i < n; ++i)
        b[rng.below(b.size())] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      break;
    case 4:  // set a byte to a random value
      b[rng.below(b.size())] = static_cast<std::uint8_t>(rng.next());
      break;
    case 5:  // overwrite 1, 2, 4 or 8 bytes with an interesting little-endian value
    {
      const std::size_t w = std::size_t{1} << rng.below(4), at = rng.below(b.size());
      const std::uint64_t v = kInteresting[rng.below(std::size(kInteresting))];
      for (std::size_t i = 0; i < w && at + i < b.size(); ++i)
        b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
      break;
    }
    case 6:  // truncate
      b.resize(rng.below(b.size()));
      break;
    case 7:  // delete a block
    {
      const std::size_t at = rng.below(b.size()),
                        n = 1 + rng.below(std::min<std::size_t>(64, b.size() - at));
      b.erase(b.begin() + static_cast<std::ptrdiff_t>(at),
              b.begin() + static_cast<std::ptrdiff_t>(at + n));
      break;
    }
    case 8:  // duplicate a block in place
    {
      const std::size_t at = rng.below(b.size()),
                        n = 1 + rng.below(std::min<std::size_t>(64, b.size() - at));
      Bytes blk(b.begin() + static_cast<std::ptrdiff_t>(at),
                b.begin() + static_cast<std::ptrdiff_t>(at + n));
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), blk.begin(), blk.end());
      break;
    }
    case 9:  // copy a block over another place
    {
      const std::size_t from = rng.below(b.size()), to = rng.below(b.size());
      const std::size_t n = 1 + rng.below(std::min<std::size_t>(32, b.size() - std::max(from, to)));
      std::memmove(b.data() + to, b.data() + from, n);
      break;
    }
    default:  // a run of one byte value
    {
      const std::size_t at = rng.below(b.size()),
                        n = 1 + rng.below(std::min<std::size_t>(32, b.size() - at));
      std::memset(b.data() + at, static_cast<int>(rng.next() & 0xff), n);
      break;
    }
  }
  return b;
}

// 1-4 stacked edits: single edits rarely get past a format's first check, stacks sometimes do.
inline Bytes mutate(const Bytes& in, const Bytes& other, Rng& rng, std::size_t max_len) {
  Bytes b = in;
  for (std::size_t i = 0, n = 1 + rng.below(4); i < n; ++i) b = mutate_once(b, other, rng);
  if (b.size() > max_len) b.resize(max_len);
  return b;
}

inline Bytes read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

namespace detail {
inline const Bytes* g_current = nullptr;
inline std::string g_where, g_save_as;
// Called by the sanitizer runtime before it aborts: say which input it was and keep a copy.
inline void on_death() {
  std::fprintf(stderr, "\n*** crash while running %s\n", g_where.c_str());
  if (g_current) {
    if (std::FILE* f = std::fopen(g_save_as.c_str(), "wb")) {
      std::fwrite(g_current->data(), 1, g_current->size(), f);
      std::fclose(f);
      std::fprintf(stderr, "*** input saved as %s\n", g_save_as.c_str());
    }
  }
}
}  // namespace detail

inline int usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--mutations N] [--seed S] [--max-seconds T] [--max-len L] [--only I:M] "
               "<seed file or folder>...\n",
               argv0);
  return 2;
}

inline int run_driver(int argc, char** argv, Target target) {
  DriverOptions o;
  o.name = std::filesystem::path(argv[0]).filename().string();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) std::exit(usage(argv[0]));
      return argv[++i];
    };
    if (a == "--mutations") {
      o.mutations = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--seed") {
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--max-seconds") {
      o.max_seconds = std::strtod(value().c_str(), nullptr);
    } else if (a == "--max-len") {
      o.max_len = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--only") {
      const std::string v = value();
      if (std::sscanf(v.c_str(), "%ld:%ld", &o.only_seed, &o.only_mutation) != 2)
        return usage(argv[0]);
    } else if (a.rfind("--", 0) == 0) {
      return usage(argv[0]);
    } else {
      o.inputs.push_back(a);
    }
  }
  // Seeds: files named directly, or every regular file of a folder, in name order.
  std::vector<std::filesystem::path> files;
  for (const auto& in : o.inputs) {
    if (std::filesystem::is_directory(in)) {
      std::vector<std::filesystem::path> v;
      for (const auto& e : std::filesystem::directory_iterator(in))
        if (e.is_regular_file()) v.push_back(e.path());
      std::sort(v.begin(), v.end());
      files.insert(files.end(), v.begin(), v.end());
    } else if (std::filesystem::is_regular_file(in)) {
      files.emplace_back(in);
    } else {
      std::fprintf(stderr, "%s: no such seed file or folder: %s\n", o.name.c_str(), in.c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "%s: no seed inputs\n", o.name.c_str());
    return usage(argv[0]);
  }
  std::vector<Bytes> seeds;
  for (const auto& f : files) seeds.push_back(read_file(f));
#ifdef ACCSIM_FUZZ_HAVE_SANITIZER
  __sanitizer_set_death_callback(detail::on_death);
#endif
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t runs = 0;
  bool stopped = false;
  auto run_one = [&](const Bytes& input, std::size_t s, long m) -> bool {
    detail::g_current = &input;
    detail::g_where = o.name + " seed " + std::to_string(s) + " (" + files[s].filename().string() +
                      ") mutation " + std::to_string(m) + "; replay with --only " +
                      std::to_string(s) + ":" + std::to_string(m) + " --seed " +
                      std::to_string(o.seed);
    const std::string out =
        "crash-" + o.name + "-" + std::to_string(s) + "-" + std::to_string(m) + ".bin";
    detail::g_save_as = out;
    try {
      target(input.data(), input.size());
    } catch (const std::exception& e) {
      std::ofstream(out, std::ios::binary)
          .write(reinterpret_cast<const char*>(input.data()),
                 static_cast<std::streamsize>(input.size()));
      std::fprintf(stderr, "%s: BUG: %s escaped the target on %s\n  input saved as %s\n",
                   o.name.c_str(), e.what(), detail::g_where.c_str(), out.c_str());
      return false;
    }
    ++runs;
    return true;
  };
  for (std::size_t s = 0; s < seeds.size() && !stopped; ++s) {
    if (o.only_seed >= 0 && static_cast<std::size_t>(o.only_seed) != s) continue;
    // Each seed has its own stream, so --only can reproduce one mutation without the others.
    Rng rng{{o.seed * 0x100000001b3ull + s}};
    if (o.only_seed < 0 || o.only_mutation < 0)
      if (!run_one(seeds[s], s, -1)) return 1;
    for (std::uint64_t m = 0; m < o.mutations; ++m) {
      const Bytes& other = seeds[rng.below(seeds.size())];
      const Bytes input = mutate(seeds[s], other, rng, o.max_len);
      if (o.only_mutation >= 0 && static_cast<std::uint64_t>(o.only_mutation) != m) continue;
      if (!run_one(input, s, static_cast<long>(m))) return 1;
      const double t =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (t > o.max_seconds) {
        std::printf("%s: time limit of %.0f s reached in seed %zu\n", o.name.c_str(), o.max_seconds,
                    s);
        stopped = true;
        break;
      }
    }
  }
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %llu inputs from %zu seeds in %.2f s, no failures\n", o.name.c_str(),
              static_cast<unsigned long long>(runs), seeds.size(), t);
  return 0;
}

}  // namespace accsim::fuzz
