// Address mapping: round trips, the interleaving each scheme promises, XOR hashing, errors.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <vector>

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
  // Only the channel count may be any number; the other fields stay bit fields.
  for (auto field : {&hw::DramOrg::ranks, &hw::DramOrg::bank_groups, &hw::DramOrg::banks_per_group,
                     &hw::DramOrg::columns}) {
    spec = ddr4();
    spec.org.channels = 5;
    spec.org.*field = 3;
    EXPECT_THROW(make_address_mapper("RoBaRaCoCh", spec), Error);
  }
}

// ---- Channel counts that are not powers of two (an H100's 5 HBM3 stacks: 80 channels x 2
// pseudo-channels; an H200's 6: 96 x 2; an A100's 5 HBM2 stacks: 40 x 2).

// `spec` with `independent` channels (pseudo-channels kept where the count allows it).
hw::DramSpec with_channels(hw::DramSpec spec, int independent) {
  if (independent % spec.org.pseudo_channels != 0) spec.org.pseudo_channels = 1;
  spec.org.channels = independent / spec.org.pseudo_channels;
  return spec;
}

std::uint64_t fields_product(const hw::DramSpec& spec) {
  const auto& o = spec.org;
  return static_cast<std::uint64_t>(o.independent_channels()) * o.ranks * o.banks_per_rank() *
         static_cast<std::uint64_t>(o.rows) * o.bursts_per_row() * o.burst_bytes();
}

TEST(CtrlMapping, AnyChannelCountRoundTripsEveryScheme) {
  struct Case {
    const char* preset;
    int independent;
  };
  for (const Case& c :
       {Case{"HBM3", 160}, Case{"HBM3", 192}, Case{"HBM3", 80}, Case{"HBM3", 96}, Case{"HBM3", 5},
        Case{"DDR4-3200", 5}, Case{"DDR4-3200", 3}, Case{"GDDR6", 12}, Case{"HBM2", 80}}) {
    const auto spec = with_channels(hw::dram_preset_spec(c.preset), c.independent);
    ASSERT_EQ(spec.org.independent_channels(), c.independent);
    for (const auto& n : mapping_names()) {
      SCOPED_TRACE(std::string(c.preset) + " x" + std::to_string(c.independent) + " " + n);
      auto m = make_address_mapper(n, spec);
      EXPECT_EQ(m->capacity_bytes(), fields_product(spec));
      std::mt19937_64 rng(11);
      const auto bb = static_cast<std::uint64_t>(spec.org.burst_bytes());
      for (int i = 0; i < 3000; ++i) {
        // Random addresses, and the last bursts below the capacity.
        const std::uint64_t a =
            i < 2990 ? (rng() % m->capacity_bytes()) / bb * bb
                     : m->capacity_bytes() - bb * static_cast<std::uint64_t>(2990 - i + 10);
        const DramAddr d = m->decode(a);
        ASSERT_GE(d.channel, 0);
        ASSERT_LT(d.channel, c.independent);
        ASSERT_EQ(d.pseudo_channel, d.channel % spec.org.pseudo_channels);
        ASSERT_LT(d.bank.rank, spec.org.ranks);
        ASSERT_LT(d.bank.bank_group, spec.org.bank_groups);
        ASSERT_LT(d.bank.bank, spec.org.banks_per_group);
        ASSERT_LT(d.row, spec.org.rows);
        ASSERT_LT(d.column, spec.org.bursts_per_row());
        ASSERT_EQ(m->encode(d), a);
        // Offsets inside a burst and addresses one capacity higher decode to the same place.
        ASSERT_EQ(m->decode(a + bb - 1), d);
        ASSERT_EQ(m->decode(a + m->capacity_bytes()), d);
      }
    }
  }
}

TEST(CtrlMapping, NonPowerOfTwoChannelsAreTheBurstIndexModuloTheCount) {
  // The default scheme has the channel in the lowest field: channel = burst index mod channels,
  // and the rest (bank group, column, ...) is the quotient's, exactly as the channel-0 bits of a
  // single-channel mapping.
  const auto one = with_channels(hw::dram_preset_spec("HBM3"), 1);
  const auto many = with_channels(hw::dram_preset_spec("HBM3"), 160);
  auto m1 = make_address_mapper("", one);
  auto m = make_address_mapper("", many);
  const auto bb = static_cast<std::uint64_t>(many.org.burst_bytes());
  std::mt19937_64 rng(3);
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t burst = rng() % (m->capacity_bytes() / bb);
    DramAddr d = m->decode(burst * bb);
    EXPECT_EQ(d.channel, static_cast<int>(burst % 160));
    DramAddr r = m1->decode((burst / 160) * bb);
    r.channel = d.channel;
    r.pseudo_channel = d.channel % 2;
    EXPECT_EQ(d, r) << burst;
  }
}

TEST(CtrlMapping, AStreamReachesEveryChannelEvenly) {
  for (int nch : {80, 96, 160, 192, 5}) {
    const auto spec = with_channels(hw::dram_preset_spec("HBM3"), nch);
    for (const char* scheme : {"RoBaRaCoBgCh", "RoCoBaRaCh", "RoBaRaCoBgCh_XOR"}) {
      auto m = make_address_mapper(scheme, spec);
      std::vector<int> per(static_cast<std::size_t>(nch));
      const int rounds = 37;
      const auto bb = static_cast<std::uint64_t>(spec.org.burst_bytes());
      // Start the stream off an interleave boundary: every window of nch bursts still hits every
      // channel once.
      const std::uint64_t base = 12345 * bb;
      for (std::uint64_t i = 0; i < static_cast<std::uint64_t>(nch) * rounds; ++i)
        ++per[static_cast<std::size_t>(m->decode(base + i * bb).channel)];
      for (int c = 0; c < nch; ++c) EXPECT_EQ(per[static_cast<std::size_t>(c)], rounds) << c;
    }
  }
}

TEST(CtrlMapping, PowerOfTwoChannelsKeepTheirBitFields) {
  // The bits of the default scheme, written out for HBM3 (32 B bursts, 32 pseudo-channels, 4 bank
  // groups, 32 bursts per row, 2 stack IDs, 4 banks, 16 K rows): channel | bank group | column |
  // stack ID (the "Ra" field) | bank | row from bit 5 up. Power-of-two counts must decode exactly
  // these bits (goldens rely on it).
  const auto spec = hw::dram_preset_spec("HBM3");
  ASSERT_EQ(spec.org.stack_ids, 2);
  auto m = make_address_mapper("", spec);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) {
    const std::uint64_t a = rng();
    const DramAddr d = m->decode(a);
    EXPECT_EQ(d.channel, static_cast<int>((a >> 5) & 31));
    EXPECT_EQ(d.bank.bank_group, static_cast<int>((a >> 10) & 3));
    EXPECT_EQ(d.column, static_cast<int>((a >> 12) & 31));
    EXPECT_EQ(d.bank.sid, static_cast<int>((a >> 17) & 1));
    EXPECT_EQ(d.bank.rank, 0);
    EXPECT_EQ(d.bank.bank, static_cast<int>((a >> 18) & 3));
    EXPECT_EQ(d.row, static_cast<std::int64_t>((a >> 20) & 16383));
    EXPECT_EQ(m->encode(d), a & ((std::uint64_t{1} << 34) - 32));
  }
  EXPECT_EQ(m->capacity_bytes(), std::uint64_t{1} << 34);
}

TEST(CtrlMapping, ImpossibleChannelCountsAreConfigErrors) {
  auto spec = hw::dram_preset_spec("HBM3");
  spec.org.channels = 0;
  try {
    make_address_mapper("", spec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("channels = 0"), std::string::npos) << e.what();
  }
  spec = hw::dram_preset_spec("HBM3");
  spec.org.pseudo_channels = 0;
  EXPECT_THROW(make_address_mapper("", spec), Error);
  // 2^50 rows x 16 banks x 1 KB x 5 channels: more bytes than a 64-bit address holds.
  spec = with_channels(hw::dram_preset_spec("HBM3"), 5);
  spec.org.rows = std::int64_t{1} << 50;
  try {
    make_address_mapper("", spec);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("64-bit"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accsim::dram
