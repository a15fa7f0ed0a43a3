#include "hw/gpu_spec.h"

#include <cmath>
#include <map>

namespace accsim::hw {

// Default figures (H100 SXM) and where they come from (../shared/ANCHORS.md "GPU"; cited again
// in models/gpu/README.md):
//  - 132 SMs at up to 1.98 GHz; 256 KB of L1/shared memory per SM, up to 228 KB of it shared;
//    L2 50 MB, modelled as Accel-Sim does: 80 slices of 640 KB, 128-byte lines of four 32-byte
//    sectors; HBM3 at 3.35 TB/s (5 stacks: the `dram:` section, HBM3-5.2 x 80 channels).
//  - Latencies measured on an H100 (pointer chase, ANCHORS.md; not yet reproduced by this
//    repository's own microbenchmarks, reference/kernels/micro.cu): L1 hit 39 cycles, L2 hit
//    ~290 cycles (working set <= 8 MB), DRAM ~420 cycles for L1-bypassing loads. dram_latency 69
//    is DERIVED from these: an unloaded closed-row L2 miss costs l2 hit latency (290) + the HBM3
//    preset's own read time (nRCDRD + nCL + nBL = 40 nCK x 0.769 ns = 61 SM cycles) + 69 = 420.
//  - L1 data cache: the whole 256 KB (the shared-memory carve-out is not subtracted: an upper
//    bound on capacity), 4 ways: ASSUMPTION. L1 throughput 4 sectors (128 B) per SM cycle:
//    ASSUMPTION (one 128-byte line per cycle).
//  - L2: 16 ways: ASSUMPTION; 2 sectors (64 B) per slice per cycle: ASSUMPTION, which gives a
//    peak of 80 x 64 B x 1.98 GHz = 10.1 TB/s against the ~7.6 TB/s read bandwidth measured with
//    an L2-resident working set (ANCHORS.md).
//  - 2048 threads, 32 CTAs per SM (CUDA compute capability 9.0 limits); registers are not
//    modelled in occupancy.
//  - max_outstanding 256 sectors per SM and warp_outstanding 8: ASSUMPTIONS. Little's law for
//    HBM at 3.35 TB/s and 420 cycles needs ~170 sectors in flight per SM, so 256 does not cap
//    streaming bandwidth.
//  - Energy: SRAM 0.16 pJ/bit for KB-sized arrays (L1), 1.6 pJ/bit for MB-sized ones (L2):
//    Horowitz, ISSCC 2014, 45 nm. Crossbar: no figure (0). HBM energy is the DRAM preset's.

ClockDomain GpuSpec::clock() const {
  ClockDomain c;
  c.name = "sm";
  c.period_ps = static_cast<Ps>(std::llround(1e12 / sm_clock_hz));
  return c;
}

std::vector<std::string> GpuSpec::sources() {
  return {
      "H100 SXM organisation (132 SMs, 1.98 GHz, 256 KB L1/shared, 50 MB L2 as 80 slices of "
      "128-byte lines): ANCHORS.md (NVIDIA, Accel-Sim)",
      "latencies L1 39, L2 290, DRAM 420 cycles: H100 pointer chase reported in ANCHORS.md (not "
      "yet reproduced by reference/); dram_latency derived from them",
      "cache ways, L1/L2 throughput, outstanding-request limits: assumptions (hw/gpu_spec.cpp)",
      "SRAM energy 0.16 / 1.6 pJ/bit: Horowitz ISSCC 2014, 45 nm",
  };
}

namespace {

const std::map<std::string, std::string>& presets() {
  static const std::map<std::string, std::string> p = {
      {"H100",
       "name: NVIDIA H100 SXM\nsms: 132\nsm_clock: 1.98GHz\n"
       "l1: {size: 256KiB, ways: 4, hit_latency: 39, sectors_per_cycle: 4}\n"
       "l2: {size: 50MiB, ways: 16, hit_latency: 290, sectors_per_cycle: 2}\n"
       "l2_slices: 80\ndram_latency: 69\n"},
  };
  return p;
}

struct SchemaHolder {
  config::Schema<GpuCacheSpec> l1{"gpu.l1"};
  config::Schema<GpuCacheSpec> l2{"gpu.l2"};
  config::Schema<GpuEnergySpec> energy{"gpu.energy"};
  config::Schema<GpuSpec> spec{"gpu"};

  static void cache(config::Schema<GpuCacheSpec>& s, double size, int ways, int lat, int spc,
                    const char* what) {
    using config::Range;
    s.quantity("size", &GpuCacheSpec::size_bytes, Unit::kSize, size, Range::between(1024, 1e12),
               what)
        .integer("line", &GpuCacheSpec::line_bytes, std::optional<int>(128),
                 Range::between(32, 1024), "bytes", "line size (at most 32 sectors)")
        .integer("sector", &GpuCacheSpec::sector_bytes, std::optional<int>(32),
                 Range::between(32, 32), "bytes", "sector size (the access traces' granularity)")
        .integer("ways", &GpuCacheSpec::ways, std::optional<int>(ways), Range::between(1, 1024), "",
                 "associativity (assumption)")
        .integer("hit_latency", &GpuCacheSpec::hit_latency, std::optional<int>(lat),
                 Range::between(1, 100000), "SM cycles", "issue to data on a hit (H100 chase)")
        .integer("sectors_per_cycle", &GpuCacheSpec::sectors_per_cycle, std::optional<int>(spc),
                 Range::between(1, 64), "sectors", "lookups per cycle (assumption)");
  }

  SchemaHolder() {
    using config::Range;
    cache(l1, 256.0 * 1024, 4, 39, 4, "L1 data cache per SM");
    cache(l2, 50.0 * 1024 * 1024, 16, 290, 2, "L2 in all (per slice: this / l2_slices)");
    const auto e = Range::between(0, 1e-6);
    energy
        .quantity("l1", &GpuEnergySpec::l1_j_per_bit, Unit::kEnergyPerBit, 0.16e-12, e,
                  "L1 access per bit (Horowitz KB-sized SRAM)")
        .quantity("l2", &GpuEnergySpec::l2_j_per_bit, Unit::kEnergyPerBit, 1.6e-12, e,
                  "L2 access per bit (Horowitz MB-sized SRAM)")
        .quantity("noc", &GpuEnergySpec::noc_j_per_bit, Unit::kEnergyPerBit, 0.0, e,
                  "SM-L2 crossbar per bit (no figure: 0)");
    spec.preset(
            "preset", &GpuSpec::preset,
            [this](const std::string& name, GpuSpec& s, const config::LoadCtx& c,
                   const YAML::Node& where) {
              auto it = presets().find(name);
              if (it == presets().end()) {
                auto names = gpu_preset_names();
                throw config_error(
                    c.origin->loc(where),
                    "unknown GPU preset '" + name + "'; builtin: " + config::join(names, ", "));
              }
              config::Origin o("<builtin:" + name + ">");
              YAML::Node n = config::load_yaml_string(it->second, o.file());
              config::LoadCtx pc{&o, c.prov, c.path};
              spec.patch(n, s, pc);
            },
            "builtin GPU applied before the other keys (H100)")
        .text("name", &GpuSpec::name, std::string("NVIDIA H100 SXM"), "GPU name, for reports")
        .integer("sms", &GpuSpec::sms, std::optional<int>(132), Range::between(1, 4096), "",
                 "streaming multiprocessors")
        .quantity("sm_clock", &GpuSpec::sm_clock_hz, Unit::kFrequency, 1.98e9,
                  Range::between(1e6, 1e11), "SM clock")
        .integer("max_threads_per_sm", &GpuSpec::max_threads_per_sm, std::optional<int>(2048),
                 Range::between(32, 1 << 16), "threads", "resident threads per SM (occupancy)")
        .integer("max_ctas_per_sm", &GpuSpec::max_ctas_per_sm, std::optional<int>(32),
                 Range::between(1, 1024), "CTAs", "resident CTAs per SM (occupancy)")
        .quantity("smem_per_sm", &GpuSpec::smem_per_sm, Unit::kSize, 228.0 * 1024,
                  Range::between(0, 1e9), "shared memory per SM for resident CTAs (occupancy)")
        .integer("max_outstanding", &GpuSpec::max_outstanding, std::optional<int>(256),
                 Range::between(1, 1 << 20), "sectors", "sectors in flight per SM (assumption)")
        .integer("warp_outstanding", &GpuSpec::warp_outstanding, std::optional<int>(8),
                 Range::between(1, 1 << 16), "sectors", "sectors in flight per warp (assumption)")
        .section("l1", &GpuSpec::l1, l1, "L1 data cache (per SM)")
        .section("l2", &GpuSpec::l2, l2, "L2 cache (all slices)")
        .integer("l2_slices", &GpuSpec::l2_slices, std::optional<int>(80), Range::between(1, 4096),
                 "", "L2 slices (Accel-Sim's H100: 80)")
        .integer("dram_latency", &GpuSpec::dram_latency, std::optional<int>(69),
                 Range::between(0, 100000), "SM cycles",
                 "added to the DRAM's service time on an L2 miss (derived, see source)")
        .section("energy", &GpuSpec::energy, energy, "energy per access")
        .check([](const GpuSpec& s, const SourceLoc& where) {
          // The period is rounded to whole picoseconds (1.98 GHz -> 505 ps = 1.9802 GHz,
          // +0.01 %), which the SM-cycle figures in the report use.
          for (const auto* c : {&s.l1, &s.l2}) {
            const char* n = c == &s.l1 ? "gpu.l1" : "gpu.l2";
            if (c->line_bytes % c->sector_bytes != 0 || (c->line_bytes & (c->line_bytes - 1)))
              throw config_error(where, std::string(n) +
                                            ".line must be a power of two and a "
                                            "multiple of the sector");
            const double per = c == &s.l2 ? c->size_bytes / s.l2_slices : c->size_bytes;
            const double sets = per / (static_cast<double>(c->line_bytes) * c->ways);
            if (sets < 1 || sets != std::floor(sets))
              throw config_error(where, std::string(n) + ".size" +
                                            (c == &s.l2 ? " / l2_slices" : "") +
                                            " must be a whole number of sets of ways x line "
                                            "bytes (" +
                                            config::fmt_number(sets) + " sets)");
          }
        });
  }
};

const SchemaHolder& holder() {
  static const SchemaHolder h;
  return h;
}

}  // namespace

std::vector<std::string> gpu_preset_names() {
  std::vector<std::string> v;
  for (const auto& [n, t] : presets()) v.push_back(n);
  return v;
}

const config::Schema<GpuSpec>& gpu_spec_schema() {
  return holder().spec;
}

}  // namespace accsim::hw
