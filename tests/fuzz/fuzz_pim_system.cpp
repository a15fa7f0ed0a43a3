// Fuzz target for the PIM model's inputs: any bytes, read as YAML with a `pim:` section (the PIM
// spec schema), a `channels:` count and a `model:` map (GPT shape: layers, d_model, heads, d_ff,
// vocab, context), must load or fail with an accsim::Error. A system that loads is placed in DRAM
// and, when small, one decode step is lowered and run on plain-C++ channels under the protocol
// checker, so shapes the loaders accept cannot crash the mapping or break the protocol.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hw/dram_config.h"
#include "hw/pim_spec.h"
#include "models/pim/pim.h"
#include "sim/core/config.h"
#include "sim/core/error.h"

// libsystemc (linked through the model library) references sc_main; this target never starts a
// simulation.
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
    hw::PimSpec pim;
    hw::pim_spec_schema().set_defaults(pim);
    if (root["pim"]) {
      config::LoadCtx c{&origin, &prov, "pim"};
      hw::pim_spec_schema().patch(root["pim"], pim, c);
    }
    hw::pim_spec_schema().validate(pim, prov, "pim", SourceLoc{"fuzz.yaml", 1, 1});
    hw::DramConfig dc;
    hw::dram_config_schema().set_defaults(dc);
    hw::load_dram_preset("GDDR6", dc, SourceLoc{});
    dc.channels = 2;
    if (root["channels"])
      dc.channels = static_cast<int>(
          config::read_integer(root["channels"], config::LoadCtx{&origin, &prov, "channels"}));
    if (dc.channels < 1 || dc.channels > 64) return 0;
    const hw::DramSpec dram = hw::resolve_dram_spec(dc, SourceLoc{"fuzz.yaml", 1, 1});
    if (dram.org.burst_bytes() % pim.element_bytes != 0 ||
        static_cast<std::int64_t>(pim.gb_bytes) < dram.org.burst_bytes())
      return 0;  // the pim target rejects these before lowering
    pim::GptModel m = workloads::transformer_model("gpt2-small", SourceLoc{});
    std::int64_t context = 64;
    if (auto n = root["model"]; n && n.IsMap()) {
      config::LoadCtx c{&origin, &prov, "model"};
      auto get = [&](const char* k, std::int64_t& v) {
        if (n[k]) v = config::read_integer(n[k], c);
      };
      get("layers", m.layers);
      get("d_model", m.d_model);
      get("heads", m.heads);
      get("d_ff", m.d_ff);
      get("vocab", m.vocab);
      get("context", context);
    }
    const auto g = pim::Geometry::from(dram, pim);
    const auto lay = pim::place_gpt(m, g, context, true, SourceLoc{"fuzz.yaml", 1, 1});
    const std::int64_t work =
        m.layers * (12 * m.d_model * m.d_model + 2 * context * m.d_model) + m.vocab * m.d_model;
    if (work > 4'000'000) return 0;  // keep each input fast
    const auto ops = pim::gpt_decode_step(m, lay, g, context - 1);
    std::vector<pim::PimChannel> chans;
    std::vector<pim::PimProtocolChecker> checks;  // one per channel
    for (int c = 0; c < g.channels; ++c) {
      chans.emplace_back(dram, pim, c, SourceLoc{});
      checks.emplace_back(dram, pim, pim.refresh);
    }
    for (std::size_t c = 0; c < chans.size(); ++c) chans[c].add_observer(&checks[c]);
    Cycle t = 0;
    for (const auto& op : ops) {
      if (op.kind == pim::OpKind::kAsic) {
        t += pim::asic_cycles(pim, op);
        continue;
      }
      Cycle end = t;
      for (int c = 0; c < g.channels; ++c)
        end = std::max(end, chans[static_cast<std::size_t>(c)].run(
                                op.programs[static_cast<std::size_t>(c)], t));
      t = end;
    }
    for (const auto& chk : checks)
      if (chk.violations() > 0) {  // the channel broke the protocol: a model bug
        std::fprintf(stderr, "protocol violation: %s\n", chk.first().c_str());
        std::abort();
      }
  } catch (const Error&) {
    // A clear error is the expected outcome for bad input.
  }
  return 0;
}
