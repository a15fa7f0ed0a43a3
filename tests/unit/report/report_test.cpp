#include "sim/report/report.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"

namespace accsim::report {
namespace {

TEST(Report, SkeletonHasSchemaAndVersion) {
  Json r = new_report();
  EXPECT_EQ(r["schema"], "accsim-report");
  EXPECT_EQ(r["schema_version"], kSchemaVersion);
  EXPECT_EQ(r.begin().key(), "schema");
}

TEST(Report, TextIsStableForEqualDocuments) {
  Json a = new_report(), b = new_report();
  a["x"] = 0.1 + 0.2;
  b["x"] = 0.1 + 0.2;
  a["y"] = {{"k", 1}, {"j", "s"}};
  b["y"] = {{"k", 1}, {"j", "s"}};
  EXPECT_EQ(to_text(a), to_text(b));
  EXPECT_EQ(to_text(a).back(), '\n');
  // Round trip keeps the exact double.
  EXPECT_EQ(Json::parse(to_text(a))["x"].get<double>(), 0.1 + 0.2);
}

TEST(Report, CsvFlattensWithPathsAndQuotes) {
  Json j = Json::object();
  j["a"] = {{"b", 1}, {"c", "x,y"}};
  j["l"] = Json::array({5, "q\"r"});
  std::string csv = to_csv(j);
  EXPECT_EQ(csv, "key,value\na.b,1\na.c,\"x,y\"\nl[0],5\nl[1],\"q\"\"r\"\n");
}

TEST(Report, TableAlignsColumns) {
  TextTable t({"name", "value"});
  t.row({"a", "1"});
  t.row({"long name", "12345"});
  EXPECT_EQ(t.str(),
            "name       value\n"
            "----------------\n"
            "a              1\n"
            "long name  12345\n");
}

TEST(Report, FormatsNumbers) {
  EXPECT_EQ(fmt(1.23456, 2), "1.23");
  EXPECT_EQ(fmt_si(3.35e12, "B/s"), "3.35 TB/s");
  EXPECT_EQ(fmt_si(12.0, "s"), "12 s");
  EXPECT_EQ(fmt_si(0.000526, "s"), "526 us");
  EXPECT_EQ(fmt_si(0.0, "J"), "0 J");
  EXPECT_EQ(fmt_si(999.9e6, "B/s"), "1 GB/s");
  EXPECT_EQ(fmt(std::nan(""), 2), "-");
}

TEST(Report, AtomicWriteCreatesFoldersAndLeavesNoTemporaries) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("accsim_report_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string p = (dir / "sub" / "r.json").string();
  write_file_atomic(p, "hello\n");
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "hello\n");
  int files = 0;
  for (auto& e : fs::directory_iterator(dir / "sub")) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
  fs::remove_all(dir);
}

TEST(Report, AtomicWriteToAnImpossiblePathNamesIt) {
  try {
    write_file_atomic("/proc/accsim/cannot/r.json", "x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/accsim/cannot"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace accsim::report
