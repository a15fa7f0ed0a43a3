// `accsim list`: what this build can simulate.
#include <iostream>

#include "hw/dram_config.h"
#include "hw/fpga_spec.h"
#include "hw/gpu_spec.h"
#include "models/dram/impl/address_map.h"
#include "models/dram/impl/scheduler.h"
#include "models/pim/pim.h"
#include "sim/cli/args.h"
#include "sim/cli/commands.h"
#include "sim/core/registry.h"
#include "sim/report/report.h"
#include "sim/run/target.h"
#include "workloads/trace/pattern_gen.h"

namespace accsim::cli {

int cmd_list(const Argv& argv) {
  Args a("list", "", "Lists the targets, presets and registered implementations of this build.");
  if (!a.parse(argv)) return 0;
  std::cout << "targets (system.target):\n";
  for (auto* e : Registry<run::Target>::instance().list())
    std::cout << "  " << e->name << "  — " << e->description << "\n";
  std::cout << "\nDRAM presets (dram.preset):\n";
  report::TextTable t({"  preset", "standard", "data rate", "channels", "width", "peak"});
  for (const auto& name : hw::dram_preset_names()) {
    hw::DramSpec s = hw::dram_preset_spec(name);
    t.row({"  " + name, std::string(hw::standard_name(s.standard)),
           report::fmt(s.data_rate_mtps, 0) + " MT/s",
           std::to_string(s.org.channels) + "x" + std::to_string(s.org.pseudo_channels),
           std::to_string(s.org.channel_width) + " bit", report::fmt_si(s.peak_bw_total(), "B/s")});
  }
  std::cout << t.str();
  std::cout << "\nDRAM address mappings (controller.mapping):\n";
  for (auto* e : Registry<dram::AddressMapper>::instance().list())
    std::cout << "  " << e->name << "  — " << e->description << "\n";
  std::cout << "\nDRAM schedulers (controller.scheduler):\n";
  for (auto* e : Registry<dram::Scheduler>::instance().list())
    std::cout << "  " << e->name << "  — " << e->description << "\n";
  std::cout << "\nFPGA parts (fpga.part):\n";
  report::TextTable ft({"  part", "device", "clock", "DSP", "BRAM36", "URAM", "LUT", "FF"});
  for (const auto& name : hw::fpga_part_names()) {
    const hw::FpgaSpec f = hw::fpga_preset(name);
    ft.row({"  " + name, f.device, report::fmt_si(f.clock_hz, "Hz"), std::to_string(f.res.dsp),
            std::to_string(f.res.bram36), std::to_string(f.res.uram), std::to_string(f.res.lut),
            std::to_string(f.res.ff)});
  }
  std::cout << ft.str();
  std::cout << "\nGPU presets (gpu.preset):\n";
  for (const auto& name : hw::gpu_preset_names()) std::cout << "  " << name << "\n";
  std::cout << "\nTransformer models (pim workload.model, trace gen model --model):\n";
  report::TextTable mt({"  model", "layers", "d_model", "heads", "d_ff", "vocab", "context"});
  for (const auto& name : workloads::transformer_model_names()) {
    const workloads::TransformerModel m = workloads::transformer_model(name, SourceLoc{});
    mt.row({"  " + name, std::to_string(m.layers), std::to_string(m.d_model),
            std::to_string(m.heads), std::to_string(m.d_ff), std::to_string(m.vocab),
            std::to_string(m.max_context)});
  }
  std::cout << mt.str();
  std::cout << "\nbundled traces (workloads/traces/):\n";
  for (const auto& b : workloads::bundled_traces())
    std::cout << "  " << b.file << "  — " << b.purpose << "\n";
  return 0;
}

}  // namespace accsim::cli
