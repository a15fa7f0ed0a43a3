#include "sim/report/report.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

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

// One line per row, the columns in the order asked; numbers at full precision, strings quoted
// where CSV needs it, absent and null values empty.
// The one CSV quoter (RFC 4180) that every CSV writer uses.
TEST(Report, CsvQuoteFollowsRfc4180) {
  EXPECT_EQ(report::csv_quote("plain"), "plain");
  EXPECT_EQ(report::csv_quote(""), "");
  EXPECT_EQ(report::csv_quote("M=1,K=2"), "\"M=1,K=2\"");
  EXPECT_EQ(report::csv_quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(report::csv_quote("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(report::csv_quote("cr\r"), "\"cr\r\"");
}

TEST(Report, TidyCsvHasOneLinePerRow) {
  Json rows = Json::array();
  rows.push_back({{"b", "x, \"y\""}, {"a", 0.1}, {"c", nullptr}});
  rows.push_back({{"a", 3}});
  EXPECT_EQ(tidy_csv(rows, {"a", "b", "c"}), "a,b,c\n0.1,\"x, \"\"y\"\"\",\n3,,\n");
  EXPECT_EQ(tidy_csv(Json::array(), {"a"}), "a\n");
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

std::string error_of_write(const std::string& path) {
  try {
    write_file_atomic(path, "x\n");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kInput);
    return e.what();
  }
  return "";
}

std::string slurp_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What is already at the output path decides how it is written: a symbolic link is followed and
// stays a link, a device is written through and stays a device, a folder or an empty path is an
// error naming it.
TEST(Report, OutputsThatAreNotRegularFilesAreNeverReplaced) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("accsim_report_out_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "folder");
  std::ofstream(dir / "target.json") << "old\n";
  fs::create_symlink("target.json", dir / "link.json");
  write_file_atomic((dir / "link.json").string(), "new\n");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir / "link.json")));
  EXPECT_EQ(slurp_file(dir / "target.json"), "new\n");
  // A link whose target does not exist yet: the target is created, the link stays.
  fs::create_symlink("later.json", dir / "dangling.json");
  write_file_atomic((dir / "dangling.json").string(), "made\n");
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir / "dangling.json")));
  EXPECT_EQ(slurp_file(dir / "later.json"), "made\n");
  // A loop of links is an error naming the path, not a hang.
  fs::create_symlink("loop_b", dir / "loop_a");
  fs::create_symlink("loop_a", dir / "loop_b");
  const std::string l = error_of_write((dir / "loop_a").string());
  EXPECT_NE(l.find("loop_a"), std::string::npos) << l;
  EXPECT_NE(l.find("cannot follow the symbolic link"), std::string::npos) << l;
  // A FIFO (as /dev/null, a device, is: not replaceable): its reader gets the text.
  const fs::path fifo = dir / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp_file(fifo); });
  write_file_atomic(fifo.string(), "through\n");
  reader.join();
  EXPECT_EQ(got, "through\n");
  EXPECT_TRUE(fs::is_fifo(fs::symlink_status(fifo)));
  const std::string f = error_of_write((dir / "folder").string());
  EXPECT_NE(f.find("folder"), std::string::npos) << f;
  EXPECT_NE(f.find("is a folder, not a file"), std::string::npos) << f;
  EXPECT_NE(error_of_write("").find("output path is empty"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace accsim::report
