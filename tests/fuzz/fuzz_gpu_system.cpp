// Fuzz target for the GPU model's inputs. Bytes that start with the access-trace magic are an
// .atrace: its kernels are streamed (workloads/trace/kernel_source.h: cta_begin / warp_exit
// structure, barriers, waits) and replayed on a small GPU. Any other bytes are YAML with a `gpu:`
// section (the GPU spec schema), an `accesses:` list of [address-or-count, cta, warp, kind,
// flags, size-or-class] records (any record kind of format version 2) plus `block`, `smem` and
// `regs`. Either must run or fail with an accsim::Error, so accepted inputs cannot crash the
// caches, the occupancy rule, the SM model or the event loop.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "hw/dram_config.h"
#include "hw/gpu_spec.h"
#include "models/gpu/gpu.h"
#include "sim/core/config.h"
#include "sim/core/error.h"
#include "workloads/trace/kernel_source.h"

// libsystemc (linked through the DRAM model library) references sc_main; this target never
// starts a simulation.
extern "C" int sc_main(int, char**) {
  return 0;
}

namespace {

accsim::hw::DramSpec small_hbm() {
  using namespace accsim;
  hw::DramConfig dc;
  hw::dram_config_schema().set_defaults(dc);
  hw::load_dram_preset("HBM3", dc, SourceLoc{});
  dc.channels = 2;
  return hw::resolve_dram_spec(dc, SourceLoc{});
}

void replay_trace(const std::uint8_t* data, std::size_t size) {
  using namespace accsim;
  hw::GpuSpec g;
  hw::gpu_spec_schema().set_defaults(g);
  g.sms = 4;
  g.l2_slices = 4;
  g.l2.size_bytes = 512 * 1024;
  g.l1.size_bytes = 16 * 1024;
  dram::ControllerConfig ctrl;
  dram::controller_schema().set_defaults(ctrl);
  StatsRegistry stats;
  EnergyLedger energy;
  gpu::GpuReplay replay(g, small_hbm(), ctrl, stats, energy);
  auto kernels = workloads::open_trace_kernels_memory(data, size, "<fuzz>");
  while (workloads::KernelRecordSource* k = kernels->next_kernel()) {
    gpu::RunOptions o;
    o.sample_waves = size % 3 == 0 ? 1 : 0;  // the sampled path too
    replay.run_kernel(*k, o);
  }
  replay.finalize();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace accsim;
  if (size >= 8 && std::memcmp(data, workloads::kAccessTraceMagic, 8) == 0) {
    try {
      replay_trace(data, size);
    } catch (const Error&) {
    }
    return 0;
  }
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
    const hw::DramSpec dram = small_hbm();
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
    if (root["regs"])
      k.regs = static_cast<std::uint32_t>(config::read_integer(root["regs"], c) & 0x1ff);
    std::vector<workloads::AccessRecord> recs;
    if (auto a = root["accesses"]; a && a.IsSequence()) {
      for (const auto& e : a) {
        if (recs.size() >= 512 || !e.IsSequence() || e.size() < 5 || e.size() > 6) break;
        workloads::AccessRecord r;
        r.address = static_cast<std::uint64_t>(config::read_integer(e[0], c));
        r.cta = static_cast<std::uint32_t>(config::read_integer(e[1], c) & 0xffff);
        r.warp = static_cast<std::uint16_t>(config::read_integer(e[2], c) & 0x3f);
        r.kind = static_cast<std::uint8_t>(config::read_integer(e[3], c) % 10);
        r.flags = static_cast<std::uint8_t>(config::read_integer(e[4], c) & 7);
        r.size = e.size() == 6 ? static_cast<std::uint32_t>(config::read_integer(e[5], c))
                 : workloads::is_memory_kind(r.kind) ? 32u
                                                     : 0u;
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
