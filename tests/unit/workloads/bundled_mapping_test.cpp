// Cross-check of the bundled row-conflict trace against the DRAM model's address mappings: on
// every DRAM preset and every registered mapping its addresses must land in one bank of one
// channel and in as many distinct rows as the pattern cycles over, or the trace would not be
// the row-conflict stream its name promises.
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "hw/dram_config.h"
#include "models/dram/impl/address_map.h"
#include "workloads/trace/pattern_gen.h"

namespace accsim::workloads {
namespace {

TEST(BundledTraces, ConflictTraceIsOneBankManyRowsUnderEveryPresetAndMapping) {
  const auto& b = bundled_traces().at(2);
  ASSERT_EQ(b.params.pattern, AccessPattern::kRowConflict);
  const auto& p = b.params;
  for (const auto& preset : hw::dram_preset_names()) {
    const auto spec = hw::dram_preset_spec(preset);
    for (const auto& m : dram::mapping_names()) {
      SCOPED_TRACE(preset + " / " + m);
      const auto mapper = dram::make_address_mapper(m, spec);
      std::set<std::tuple<int, int, int, int, int, int>> banks;
      std::set<std::int64_t> rows;
      for (std::uint64_t i = 0; i < p.rows; ++i) {
        const auto d = mapper->decode(p.base + i * p.row_stride);
        banks.insert(
            {d.channel, d.pseudo_channel, d.bank.rank, d.bank.sid, d.bank.bank_group, d.bank.bank});
        rows.insert(d.row);
      }
      EXPECT_EQ(banks.size(), 1u);
      EXPECT_EQ(rows.size(), p.rows);
    }
  }
}

}  // namespace
}  // namespace accsim::workloads
