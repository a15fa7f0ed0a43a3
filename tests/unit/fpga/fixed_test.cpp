// ap_fixed semantics: truncation toward -inf and wrap-around by default (hls4ml's defaults),
// rounding and saturation on request; type parsing.
#include "tests/unit/fpga/helpers.h"

namespace accsim::fpga::test {
namespace {

TEST(FpgaFixed, DefaultTruncatesAndWraps) {
  FixedType t = *parse_fixed("ap_fixed<8,3>");  // lsb 1/32, range [-4, 4 - 1/32]
  EXPECT_DOUBLE_EQ(t.lsb(), 1.0 / 32);
  EXPECT_DOUBLE_EQ(t.quantize(0.1), 3.0 / 32);    // 3.2 lsb -> 3
  EXPECT_DOUBLE_EQ(t.quantize(-0.1), -4.0 / 32);  // -3.2 lsb -> -4 (toward -inf)
  EXPECT_DOUBLE_EQ(t.quantize(3.96875), 3.96875);
  EXPECT_DOUBLE_EQ(t.quantize(4.0), -4.0);  // wraps
  EXPECT_DOUBLE_EQ(t.quantize(5.0), -3.0);
  EXPECT_DOUBLE_EQ(t.quantize(-4.5), 3.5);
}

TEST(FpgaFixed, RoundAndSaturate) {
  FixedType t = *parse_fixed("ap_fixed<8,3,AP_RND,AP_SAT>");
  EXPECT_DOUBLE_EQ(t.quantize(0.1), 3.0 / 32);   // 3.2 -> 3
  EXPECT_DOUBLE_EQ(t.quantize(0.11), 4.0 / 32);  // 3.52 -> 4
  EXPECT_DOUBLE_EQ(t.quantize(9.0), 4.0 - 1.0 / 32);
  EXPECT_DOUBLE_EQ(t.quantize(-9.0), -4.0);
  FixedType u = *parse_fixed("ap_ufixed<4,2>");  // [0, 3.75]
  EXPECT_DOUBLE_EQ(u.quantize(-0.25), 3.75);     // wraps
  EXPECT_EQ(u.str(), "ap_ufixed<4,2>");
  EXPECT_EQ(t.str(), "ap_fixed<8,3,AP_RND,AP_SAT>");
  FixedType i = *parse_fixed("ap_int<6>");
  EXPECT_DOUBLE_EQ(i.quantize(31.9), 31);
  EXPECT_DOUBLE_EQ(i.quantize(32), -32);
}

TEST(FpgaFixed, ParseErrors) {
  std::string why;
  EXPECT_FALSE(parse_fixed("float", &why));
  EXPECT_NE(why.find("ap_fixed"), std::string::npos);
  EXPECT_FALSE(parse_fixed("ap_fixed<16>", &why));
  EXPECT_FALSE(parse_fixed("ap_fixed<0,0>", &why));
  EXPECT_FALSE(parse_fixed("ap_fixed<16,6,AP_RND_CONV>", &why));
  EXPECT_NE(why.find("rounding"), std::string::npos);
  EXPECT_TRUE(parse_fixed("ap_fixed< 16 , 6 >"));
}

}  // namespace
}  // namespace accsim::fpga::test
