#pragma once
// Helpers shared by the trace tests: a scratch folder per test, file bytes, and an assertion that
// an accsim::Error is an input error whose message names the file and the place.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "workloads/trace/access_trace.h"

namespace accsim::workloads::testing {

class TraceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("accsim_trace_" + std::string(info->test_suite_name()) + "_" + info->name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

inline std::vector<unsigned char> read_bytes(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& p, const std::vector<unsigned char>& b) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

inline void write_text(const std::string& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << s;
}

inline std::string read_text(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs `fn`, which must throw an input error whose message contains every one of `parts`.
inline void expect_input_error(const std::function<void()>& fn,
                               std::initializer_list<std::string> parts) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::kInput) << e.what();
    for (const auto& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message lacks \"" << p << "\": " << e.what();
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw a non-accsim exception: " << e.what();
    return;
  }
  ADD_FAILURE() << "no error was thrown";
}

// A varied record stream: every field takes several values, all kinds and flags appear.
inline std::vector<AccessRecord> sample_records(std::size_t n, std::uint16_t kernels = 1) {
  std::vector<AccessRecord> v;
  std::uint64_t x = 0x12345678;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    AccessRecord r;
    r.address = 0x7f0000000000ull + (x >> 20) % (1ull << 32) / 32 * 32;
    r.timestamp = 1000 + i * 7 + (x >> 60);
    r.cta = static_cast<std::uint32_t>(i / 64);
    r.size = (i % 5 == 0) ? 128 : 32;
    r.sm = static_cast<std::uint16_t>(i % 132);
    r.warp = static_cast<std::uint16_t>(i % 8);
    r.kernel = static_cast<std::uint16_t>(i % kernels);
    r.kind = static_cast<std::uint8_t>(i % 7 == 0 ? 2 : (i % 3 == 0 ? 1 : 0));
    r.flags = (i % 4 == 0 && r.kind == 0) ? kFlagL1Bypass : 0;
    v.push_back(r);
  }
  return v;
}

inline AccessTraceMeta sample_meta(std::uint16_t kernels = 1) {
  AccessTraceMeta m;
  m.timestamp_unit = TimestampUnit::kNs;
  m.tool = "accsim tests";
  m.gpu = "NVIDIA H100 80GB HBM3";
  m.sm_clock_mhz = 1980;
  m.mem_clock_mhz = 2619;
  for (std::uint16_t k = 0; k < kernels; ++k) {
    KernelInfo ki;
    ki.name = "kernel_" + std::to_string(k);
    ki.grid = {8, 4, 1};
    ki.block = {128, 1, 1};
    ki.smem = 16384;
    ki.params = {{"N", 1024}, {"dtype", "fp16"}};
    m.kernels.push_back(ki);
  }
  m.capture = {{"sampling", "all CTAs"}, {"dropped_records", 0}};
  return m;
}

}  // namespace accsim::workloads::testing
