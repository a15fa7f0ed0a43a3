#include "sim/core/units.h"

#include <gtest/gtest.h>

namespace accsim {
namespace {

const SourceLoc kLoc{"test.yaml", 3, 7};

TEST(Units, ParsesEachKindToItsBaseUnit) {
  EXPECT_DOUBLE_EQ(parse_quantity("13.75ns", Unit::kTime, kLoc), 13.75e-9);
  EXPECT_DOUBLE_EQ(parse_quantity("7.8 us", Unit::kTime, kLoc), 7.8e-6);
  EXPECT_DOUBLE_EQ(parse_quantity("2GHz", Unit::kFrequency, kLoc), 2e9);
  EXPECT_DOUBLE_EQ(parse_quantity("6.4Gbps", Unit::kDataRate, kLoc), 6.4e9);
  EXPECT_DOUBLE_EQ(parse_quantity("3200MT/s", Unit::kDataRate, kLoc), 3.2e9);
  EXPECT_DOUBLE_EQ(parse_quantity("3.35TB/s", Unit::kBandwidth, kLoc), 3.35e12);
  EXPECT_DOUBLE_EQ(parse_quantity("50MiB", Unit::kSize, kLoc), 50.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(parse_quantity("8Gb", Unit::kSize, kLoc), 1024.0 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(parse_quantity("0.32pJ", Unit::kEnergy, kLoc), 0.32e-12);
  EXPECT_DOUBLE_EQ(parse_quantity("300mW", Unit::kPower, kLoc), 0.3);
  EXPECT_DOUBLE_EQ(parse_quantity("1.2V", Unit::kVoltage, kLoc), 1.2);
  EXPECT_DOUBLE_EQ(parse_quantity("57mA", Unit::kCurrent, kLoc), 0.057);
  EXPECT_DOUBLE_EQ(parse_quantity("3.9pJ/bit", Unit::kEnergyPerBit, kLoc), 3.9e-12);
  EXPECT_DOUBLE_EQ(parse_quantity("4", Unit::kNone, kLoc), 4.0);
}

TEST(Units, RejectsMissingWrongOrUnknownUnitsWithLocation) {
  for (const char* bad :
       {"13.75", "13.75GHz", "13.75nss", "", "ns", "nan ns", "inf ns", "0x10ns"}) {
    try {
      parse_quantity(bad, Unit::kTime, kLoc);
      FAIL() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kConfig);
      EXPECT_NE(std::string(e.what()).find("test.yaml:3:7"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("expected a time"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_quantity("4ns", Unit::kNone, kLoc), Error);
}

TEST(Units, FormatsReadably) {
  EXPECT_EQ(format_quantity(13.75e-9, Unit::kTime), "13.75ns");
  EXPECT_EQ(format_quantity(3.35e12, Unit::kBandwidth), "3.35TB/s");
  EXPECT_EQ(format_quantity(50.0 * 1024 * 1024, Unit::kSize), "50MiB");
  EXPECT_EQ(format_quantity(2e9, Unit::kFrequency), "2GHz");
}

TEST(Units, ClockDomainConvertsCycles) {
  ClockDomain c{"dram", 625};
  EXPECT_EQ(c.to_ps(10), 6250u);
  EXPECT_DOUBLE_EQ(c.to_ns(8), 5.0);
  EXPECT_EQ(c.ceil_cycle(625), 1);
  EXPECT_EQ(c.ceil_cycle(626), 2);
  EXPECT_DOUBLE_EQ(c.freq_hz(), 1.6e9);
  EXPECT_EQ(seconds_to_ps(0.625e-9, kLoc), 625u);
  EXPECT_THROW(seconds_to_ps(0, kLoc), Error);
  EXPECT_THROW(seconds_to_ps(-1e-9, kLoc), Error);
}

}  // namespace
}  // namespace accsim
