// Address mapping: round trips, the interleaving each scheme promises, XOR hashing, errors.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "hw/dram_config.h"
#include "models/dram/impl/address_map.h"
#include "sim/core/error.h"

namespace accsim::dram {
namespace {

hw::DramSpec ddr4() {
  return hw::dram_preset_spec("DDR4-3200");
}

TEST(CtrlMapping, RegistersTheDocumentedSchemes) {
  auto names = mapping_names();
  for (const char* n : {"RoBaRaCoCh", "RoCoBaRaCh", "RoBaRaCoBgCh", "RoBaRaCoBgCh_XOR"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

TEST(CtrlMapping, UnknownNameListsRegistered) {
  try {
    make_address_mapper("RoRoRo", ddr4());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("RoBaRaCoCh"), std::string::npos) << e.what();
  }
}

TEST(CtrlMapping, RoundTripEveryPresetAndScheme) {
  for (const auto& p : hw::dram_preset_names()) {
    auto spec = hw::dram_preset_spec(p);
    for (const auto& n : mapping_names()) {
      auto m = make_address_mapper(n, spec);
      std::mt19937_64 rng(7);
      for (int i = 0; i < 2000; ++i) {
        const std::uint64_t a =
            (rng() % m->capacity_bytes()) & ~std::uint64_t(spec.org.burst_bytes() - 1);
        const DramAddr d = m->decode(a);
        ASSERT_LT(d.channel, spec.org.independent_channels());
        ASSERT_LT(d.bank.bank_group, spec.org.bank_groups);
        ASSERT_LT(d.bank.bank, spec.org.banks_per_group);
        ASSERT_LT(d.row, spec.org.rows);
        ASSERT_LT(d.column, spec.org.bursts_per_row());
        ASSERT_EQ(m->encode(d), a) << p << " " << n;
      }
      // Capacity = product of all fields x burst bytes.
      const auto& o = spec.org;
      EXPECT_EQ(m->capacity_bytes(), static_cast<std::uint64_t>(o.independent_channels()) *
                                         o.ranks * o.banks_per_rank() *
                                         static_cast<std::uint64_t>(o.rows) * o.bursts_per_row() *
                                         o.burst_bytes())
          << p;
    }
  }
}

TEST(CtrlMapping, AddressesAboveCapacityWrap) {
  auto m = make_address_mapper("", ddr4());
  EXPECT_EQ(m->decode(0x1240), m->decode(0x1240 + m->capacity_bytes()));
  // Offsets inside a burst map to the same burst.
  EXPECT_EQ(m->decode(0x1240), m->decode(0x1240 + 63));
}

TEST(CtrlMapping, DefaultInterleavesBankGroupsOnConsecutiveBursts) {
  auto spec = ddr4();
  auto m = make_address_mapper("", spec);
  EXPECT_EQ(m->name(), "RoBaRaCoBgCh");
  const int bb = spec.org.burst_bytes();
  for (int i = 0; i < 64; ++i) {
    DramAddr a = m->decode(static_cast<std::uint64_t>(i) * bb);
    DramAddr b = m->decode(static_cast<std::uint64_t>(i + 1) * bb);
    EXPECT_NE(a.bank.bank_group, b.bank.bank_group) << i;
    EXPECT_EQ(a.row, b.row);
  }
  // One row of each bank group is used up before the bank index changes: 4 groups x 128 bursts.
  DramAddr first = m->decode(0), last = m->decode(4 * 128 * bb - bb);
  EXPECT_EQ(first.bank.bank, last.bank.bank);
  EXPECT_EQ(m->decode(4 * 128 * bb).bank.bank, 1);
}

TEST(CtrlMapping, RoBaRaCoChStaysInOneBank) {
  auto spec = ddr4();
  auto m = make_address_mapper("RoBaRaCoCh", spec);
  const int bb = spec.org.burst_bytes();
  for (int i = 0; i < spec.org.bursts_per_row(); ++i) {
    DramAddr a = m->decode(static_cast<std::uint64_t>(i) * bb);
    EXPECT_EQ(a.bank, (BankAddr{0, 0, 0}));
    EXPECT_EQ(a.column, i);
    EXPECT_EQ(a.row, 0);
  }
}

TEST(CtrlMapping, RoCoBaRaChRotatesOverAllBanks) {
  auto spec = ddr4();
  auto m = make_address_mapper("RoCoBaRaCh", spec);
  const int bb = spec.org.burst_bytes();
  std::set<std::pair<int, int>> banks;
  for (int i = 0; i < spec.org.banks_per_rank(); ++i) {
    DramAddr a = m->decode(static_cast<std::uint64_t>(i) * bb);
    banks.insert({a.bank.bank_group, a.bank.bank});
    EXPECT_EQ(a.column, 0);
  }
  EXPECT_EQ(static_cast<int>(banks.size()), spec.org.banks_per_rank());
}

TEST(CtrlMapping, XorSpreadsOneBankColumnOverBanksByRow) {
  auto spec = ddr4();
  auto plain = make_address_mapper("RoBaRaCoBgCh", spec);
  auto x = make_address_mapper("RoBaRaCoBgCh_XOR", spec);
  // Same (bank, column), rows 0..15: plain mapping stays in one bank, XOR visits 16 banks.
  std::set<std::pair<int, int>> seen;
  for (int row = 0; row < 16; ++row) {
    DramAddr d;
    d.row = row;
    const std::uint64_t a = plain->encode(d);
    EXPECT_EQ(plain->decode(a).bank, (BankAddr{0, 0, 0}));
    const DramAddr h = x->decode(a);
    EXPECT_EQ(h.row, row);
    seen.insert({h.bank.bank_group, h.bank.bank});
  }
  EXPECT_EQ(seen.size(), 16u);
}

TEST(CtrlMapping, HbmChannelsAreFlatAndPseudoChannelDerived) {
  auto spec = hw::dram_preset_spec("HBM3");
  auto m = make_address_mapper("", spec);
  std::set<int> chans;
  for (int i = 0; i < spec.org.independent_channels(); ++i) {
    DramAddr a = m->decode(static_cast<std::uint64_t>(i) * spec.org.burst_bytes());
    chans.insert(a.channel);
    EXPECT_EQ(a.pseudo_channel, a.channel % spec.org.pseudo_channels);
  }
  EXPECT_EQ(static_cast<int>(chans.size()), spec.org.independent_channels());
}

TEST(CtrlMapping, NonPowerOfTwoSizeIsAConfigError) {
  auto spec = ddr4();
  spec.org.rows = 3000;
  try {
    make_address_mapper("", spec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("rows = 3000"), std::string::npos) << e.what();
  }
  spec = ddr4();
  spec.org.channels = 3;
  EXPECT_THROW(make_address_mapper("RoBaRaCoCh", spec), Error);
}

}  // namespace
}  // namespace accsim::dram
