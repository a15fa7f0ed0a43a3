// models/dram/backend.h is the DRAM model without SystemC: including it (first, before anything
// else in this file) must not pull in a SystemC or TLM header, and the backend must run a
// request on its own.
#include "models/dram/backend.h"

#if defined(SYSTEMC_VERSION) || defined(SC_VERSION_MAJOR) || defined(TLM_VERSION_MAJOR)
#error "models/dram/backend.h includes SystemC or TLM headers"
#endif

#include <gtest/gtest.h>

#include "hw/dram_config.h"

namespace accsim::dram {
namespace {

TEST(DramBackendHeader, RunsARequestWithoutSystemC) {
  const hw::DramSpec spec = hw::dram_preset_spec("DDR4-3200");
  StatsRegistry stats;
  ControllerConfig cfg;
  cfg.refresh = false;
  DramBackend be(spec, cfg, stats);
  be.submit(7, 0, 64, false, 1);
  std::vector<DramBackend::Done> done;
  while (be.outstanding() > 0) be.run_next(done);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].id, 7u);
  // A closed bank: ACT at the arrival cycle, RD nRCD later, data nCL + nBL after that.
  EXPECT_EQ(done[0].done, 1 + spec.timing.nRCDRD + spec.timing.nCL + spec.timing.nBL);
}

}  // namespace
}  // namespace accsim::dram
