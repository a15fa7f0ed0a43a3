// Fuzz target for the GPU model's inputs: any bytes, read as YAML with a `gpu:` section (the GPU
// spec schema) and an `accesses:` list of [address, cta, warp, kind, flags] records plus
// `block` and `smem`, must load or fail with an accsim::Error; a spec that loads replays the
// records (at most 512) on it with a small HBM3 memory, so accepted specs cannot crash the
// caches, the occupancy rule or the event loop.
#include <cstddef>
#include <cstdint>
#include <string>

#include "hw/dram_config.h"
#include "hw/gpu_spec.h"
#include "models/gpu/gpu.h"
#include "sim/core/config.h"
#include "sim/core/error.h"

// libsystemc (linked through the DRAM model library) references sc_main; this target never
// starts a simulation.
extern "C" int sc_main(int, char**) {
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    YAML::Node root = config::load_yaml_string(text, "fuzz.yaml");
    if (!root.IsMap()) return 0;
    config::Origin origin("fuzz.yaml");
    config::Provenance prov;
    hw::GpuSpec g;
    hw::gpu_spec_schema().set_defaults(g);
    if (root["gpu"]) {
      config::LoadCtx c{&origin, &prov, "gpu"};
      hw::gpu_spec_schema().patch(root["gpu"], g, c);
    }
    hw::gpu_spec_schema().validate(g, prov, "gpu", SourceLoc{"fuzz.yaml", 1, 1});
    // Keep each input fast: small machines only.
    if (g.sms > 64 || g.l2_slices > 256 || g.l1.size_bytes * g.sms > 64e6 || g.l2.size_bytes > 64e6)
      return 0;
    hw::DramConfig dc;
    hw::dram_config_schema().set_defaults(dc);
    hw::load_dram_preset("HBM3", dc, SourceLoc{});
    dc.channels = 2;
    const hw::DramSpec dram = hw::resolve_dram_spec(dc, SourceLoc{});
    dram::ControllerConfig ctrl;
    dram::controller_schema().set_defaults(ctrl);
    config::LoadCtx c{&origin, &prov, "fuzz"};
    workloads::KernelInfo k;
    k.name = "fuzz";
    if (root["block"])
      k.block[0] = static_cast<std::uint32_t>(config::read_integer(root["block"], c) & 0xffff);
    if (k.block[0] == 0) k.block[0] = 1;
    if (root["smem"])
      k.smem = static_cast<std::uint32_t>(config::read_integer(root["smem"], c) & 0xffffff);
    std::vector<workloads::AccessRecord> recs;
    if (auto a = root["accesses"]; a && a.IsSequence()) {
      for (const auto& e : a) {
        if (recs.size() >= 512 || !e.IsSequence() || e.size() != 5) break;
        workloads::AccessRecord r;
        r.address = static_cast<std::uint64_t>(config::read_integer(e[0], c));
        r.cta = static_cast<std::uint32_t>(config::read_integer(e[1], c) & 0xffff);
        r.warp = static_cast<std::uint16_t>(config::read_integer(e[2], c) & 0x3f);
        r.kind = static_cast<std::uint8_t>(config::read_integer(e[3], c) % 3);
        r.flags = static_cast<std::uint8_t>(config::read_integer(e[4], c) & 1);
        recs.push_back(r);
      }
    }
    StatsRegistry stats;
    EnergyLedger energy;
    gpu::GpuReplay replay(g, dram, ctrl, stats, energy);
    if (!recs.empty()) replay.run_kernel(k, recs);
    replay.finalize();
  } catch (const Error&) {
    // A clear error is the expected outcome for bad input.
  }
  return 0;
}
