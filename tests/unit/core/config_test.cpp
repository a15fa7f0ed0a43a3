#include "sim/core/config.h"

#include <gtest/gtest.h>

#include <sstream>

namespace accsim::config {
namespace {

enum class Policy { kOpen, kClosed };

struct Inner {
  std::int64_t depth = 0;
  double period = 0;
};
struct Outer {
  std::string name;
  std::string preset;
  int queue = 0;
  bool refresh = false;
  Policy policy = Policy::kOpen;
  double bw = 0;
  Inner inner;
};

const Schema<Inner>& inner_schema() {
  static const Schema<Inner> s = [] {
    Schema<Inner> s("inner");
    s.integer<std::int64_t>("depth", &Inner::depth, 4, Range::at_least(1), "entries", "FIFO depth")
        .quantity("period", &Inner::period, Unit::kTime, 1e-9, Range::positive(), "clock period");
    return s;
  }();
  return s;
}

const Schema<Outer>& outer_schema() {
  static const Schema<Outer> s = [] {
    Schema<Outer> s("outer");
    s.text("name", &Outer::name, std::nullopt, "a required name")
        .preset(
            "preset", &Outer::preset,
            [](const std::string& p, Outer& o, const LoadCtx& c, const YAML::Node& n) {
              if (p != "big") throw config_error(c.origin->loc(n), "unknown preset '" + p + "'");
              o.queue = 64;
              o.bw = 1e12;
            },
            "preset")
        .integer<int>("queue", &Outer::queue, 32, Range::between(1, 1024), "entries", "queue size")
        .flag("refresh", &Outer::refresh, true, "refresh on")
        .choice<Policy>("policy", &Outer::policy,
                        {{"open", Policy::kOpen}, {"closed", Policy::kClosed}}, Policy::kOpen,
                        "page policy")
        .quantity("bw", &Outer::bw, Unit::kBandwidth, 1e9, Range::positive(), "bandwidth")
        .section("inner", &Outer::inner, inner_schema(), "inner part")
        .check([](const Outer& o, const SourceLoc& where) {
          if (o.queue > 512 && !o.refresh) throw config_error(where, "big queues need refresh");
        });
    return s;
  }();
  return s;
}

Outer load(const std::string& yaml, Provenance* prov_out = nullptr) {
  Outer o;
  outer_schema().set_defaults(o);
  Provenance prov;
  Origin origin("sys.yaml");
  LoadCtx c{&origin, &prov, ""};
  outer_schema().patch(load_yaml_string(yaml, "sys.yaml"), o, c);
  outer_schema().validate(o, prov, "", SourceLoc{"sys.yaml", 0, 0});
  if (prov_out) *prov_out = prov;
  return o;
}

std::string error_of(const std::string& yaml) {
  try {
    load(yaml);
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << yaml;
  return "";
}

TEST(Config, DefaultsThenValues) {
  Outer o = load("name: x\nqueue: 8\ninner:\n  period: 2ns\n");
  EXPECT_EQ(o.name, "x");
  EXPECT_EQ(o.queue, 8);
  EXPECT_TRUE(o.refresh);
  EXPECT_EQ(o.inner.depth, 4);
  EXPECT_DOUBLE_EQ(o.inner.period, 2e-9);
  EXPECT_DOUBLE_EQ(o.bw, 1e9);
}

TEST(Config, PresetIsAppliedBeforeTheUsersKeys) {
  Outer o = load("queue: 16\npreset: big\nname: y\n");
  EXPECT_EQ(o.queue, 16);  // user wins even though the key comes first
  EXPECT_DOUBLE_EQ(o.bw, 1e12);
}

TEST(Config, UnknownKeyNamesLineColumnAndSuggests) {
  std::string e = error_of("name: x\nqeueu: 8\n");
  EXPECT_NE(e.find("sys.yaml:2:1"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'qeueu'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'queue'"), std::string::npos) << e;
  std::string e2 = error_of("name: x\ninner:\n  depht: 3\n");
  EXPECT_NE(e2.find("sys.yaml:3:3"), std::string::npos) << e2;
  EXPECT_NE(e2.find("inner.depht"), std::string::npos) << e2;
}

TEST(Config, RangeUnitTypeAndChoiceErrors) {
  EXPECT_NE(error_of("name: x\nqueue: 0\n").find("sys.yaml:2:8"), std::string::npos);
  EXPECT_NE(error_of("name: x\nqueue: -3\n").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("name: x\nqueue: 1.5\n").find("not an integer"), std::string::npos);
  EXPECT_NE(error_of("name: x\nbw: 3GHz\n").find("unknown unit 'GHz'"), std::string::npos);
  EXPECT_NE(error_of("name: x\nbw: 0GB/s\n").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("name: x\ninner:\n  period: -1ns\n").find("inner.period"), std::string::npos);
  EXPECT_NE(error_of("name: x\npolicy: opne\n").find("did you mean 'open'"), std::string::npos);
  EXPECT_NE(error_of("name: x\nrefresh: maybe\n").find("expected true or false"),
            std::string::npos);
  EXPECT_NE(error_of("name: x\nqueue: [1, 2]\n").find("single value"), std::string::npos);
  EXPECT_NE(error_of("name: x\ninner: 3\n").find("must be a mapping"), std::string::npos);
  EXPECT_NE(error_of("name: x\nqueue:\n").find("has no value"), std::string::npos);
}

// An integer is bounded by the width of the field it is read into as well as by its range: a
// value that would wrap is an error naming the place, at every width and signedness.
struct Widths {
  int i32 = 0;
  std::uint32_t u32 = 0;
  std::int16_t i16 = 0;
  std::int64_t i64 = 0;
};

std::string width_error(const std::string& yaml, Widths* out = nullptr) {
  static const Schema<Widths> s = [] {
    Schema<Widths> s("w");
    const auto any = Range::between(-1e300, 1e300);
    s.integer<int>("i32", &Widths::i32, 0, any, "", "")
        .integer<std::uint32_t>("u32", &Widths::u32, 0, any, "", "")
        .integer<std::int16_t>("i16", &Widths::i16, 0, any, "", "")
        .integer<std::int64_t>("i64", &Widths::i64, 0, any, "", "");
    return s;
  }();
  Widths w;
  s.set_defaults(w);
  Provenance prov;
  Origin origin("w.yaml");
  LoadCtx c{&origin, &prov, ""};
  try {
    s.patch(load_yaml_string(yaml, "w.yaml"), w, c);
  } catch (const Error& e) {
    return e.what();
  }
  if (out) *out = w;
  return "";
}

TEST(Config, IntegersThatWouldWrapAreErrors) {
  Widths w;
  const std::string ok =
      "i32: 2147483647\nu32: 4294967295\ni16: -32768\ni64: 9223372036854775807\n";
  EXPECT_EQ(width_error(ok, &w), "");
  EXPECT_EQ(w.i32, 2147483647);
  EXPECT_EQ(w.u32, 4294967295u);
  EXPECT_EQ(w.i16, -32768);
  EXPECT_EQ(w.i64, INT64_MAX);
  for (const char* bad : {"i32: 2147483648", "i32: 4294967297", "i32: -2147483649",
                          "u32: 4294967296", "u32: -1", "i16: 32768", "i16: -32769"}) {
    const std::string e = width_error(std::string("\n") + bad + "\n");
    EXPECT_NE(e.find("w.yaml:2:"), std::string::npos) << bad << ": " << e;
    EXPECT_NE(e.find("out of range"), std::string::npos) << bad << ": " << e;
  }
  EXPECT_NE(width_error("u32: -1\n").find("not negative"), std::string::npos);
  EXPECT_NE(width_error("i64: 9223372036854775808\n").find("not an integer"), std::string::npos);
}

TEST(Config, MissingRequiredAndCrossChecks) {
  EXPECT_NE(error_of("queue: 8\n").find("missing required value 'name'"), std::string::npos);
  EXPECT_NE(error_of("name: x\nqueue: 600\nrefresh: false\n").find("big queues"),
            std::string::npos);
}

TEST(Config, YamlSyntaxErrorNamesThePlace) {
  std::string e = error_of("name: x\nqueue: [1,\n");
  EXPECT_NE(e.find("sys.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

// Issue 17, case 6: a key given twice in one mapping is an error naming both places, for a
// scalar (which yaml-cpp's lookup would resolve to the first) and for a whole section, at any
// depth and inside sequences; the same key in different mappings is fine.
TEST(Config, DuplicateKeysAreErrorsNamingBothPlaces) {
  auto dup_error = [](const std::string& yaml) -> std::string {
    try {
      load_yaml_string(yaml, "dup.yaml");
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::kConfig);
      return e.what();
    }
    return "";
  };
  std::string e = dup_error("name: a\nqueue: 4\nname: b\n");
  EXPECT_NE(e.find("dup.yaml:3:1: duplicate key 'name' (first given at line 1, column 1)"),
            std::string::npos)
      << e;
  e = dup_error("inner: {depth: 2}\nname: x\ninner: {depth: 3}\n");
  EXPECT_NE(e.find("dup.yaml:3:1: duplicate key 'inner' (first given at line 1"), std::string::npos)
      << e;
  e = dup_error("outer:\n  list:\n    - {a: 1, b: 2, a: 3}\n");
  EXPECT_NE(e.find("dup.yaml:3:20: duplicate key 'a' (first given at line 3, column 8)"),
            std::string::npos)
      << e;
  EXPECT_EQ(dup_error("a: {x: 1}\nb: {x: 2}\nc: [{x: 1}, {x: 2}]\n"), "");
}

// Aliases can expand a few lines into a huge tree; the duplicate walk stops with an error
// instead of running without bound.
TEST(Config, AliasExpansionIsBounded) {
  std::string yaml = "l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1]\n";
  for (int i = 1; i <= 9; ++i)
    yaml += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) +
            ", *l" + std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + ", *l" + std::to_string(i - 1) + ", *l" +
            std::to_string(i - 1) + "]\n";
  try {
    load_yaml_string(yaml, "laughs.yaml");
    FAIL() << "8^10 nodes were walked";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kConfig);
    EXPECT_NE(std::string(e.what()).find("laughs.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("aliases"), std::string::npos) << e.what();
  }
}

TEST(Config, MissingFileIsAnInputError) {
  try {
    load_yaml_file("/nonexistent/accsim.yaml");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kInput);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/accsim.yaml"), std::string::npos);
  }
}

TEST(Config, OverridesPatchLikeAFileAndAreNamedInErrors) {
  Outer o;
  outer_schema().set_defaults(o);
  Provenance prov;
  Origin file("sys.yaml");
  LoadCtx c{&file, &prov, ""};
  outer_schema().patch(load_yaml_string("name: x\n", "sys.yaml"), o, c);
  auto [node, text] = parse_override("inner.depth=9");
  Origin ov = Origin::override_(text);
  LoadCtx oc{&ov, &prov, ""};
  outer_schema().patch(node, o, oc);
  EXPECT_EQ(o.inner.depth, 9);
  EXPECT_EQ(prov.of("inner.depth"), "--set inner.depth=9");
  EXPECT_EQ(prov.of("queue"), "default");
  auto [bad, btext] = parse_override("inner.detph=9");
  Origin bo = Origin::override_(btext);
  LoadCtx bc{&bo, &prov, ""};
  try {
    outer_schema().patch(bad, o, bc);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--set inner.detph=9"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_override("novalue"), Error);
  EXPECT_THROW(parse_override("a..b=3"), Error);
}

TEST(Config, ShowListsValuesDefaultsAndProvenance) {
  Provenance prov;
  Outer o = load("name: x\nqueue: 8\n", &prov);
  std::ostringstream os;
  outer_schema().describe(o, os, 0, prov, "");
  std::string s = os.str();
  EXPECT_NE(
      s.find("queue: 8  # queue size [entries] range [1, 1024]; default 32; set by sys.yaml:2:8"),
      std::string::npos)
      << s;
  EXPECT_NE(s.find("period: 1ns"), std::string::npos) << s;
  EXPECT_EQ(outer_schema().to_json(o)["inner"]["depth"], 4);
}

}  // namespace
}  // namespace accsim::config
