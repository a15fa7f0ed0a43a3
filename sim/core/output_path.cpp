#include "sim/core/output_path.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <mutex>

#include "sim/core/error.h"

namespace accsim {
namespace {

constexpr int kSlots = 64;
std::array<std::atomic<const char*>, kSlots> g_partial{};

extern "C" void remove_partials_and_reraise(int sig) {
  for (auto& slot : g_partial)
    if (const char* p = slot.load()) ::unlink(p);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction old {};
      // Leave a signal alone that the parent set to be ignored (nohup, a backgrounded job).
      if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
      struct sigaction sa {};
      sa.sa_handler = remove_partials_and_reraise;
      sigemptyset(&sa.sa_mask);
      sigaction(sig, &sa, nullptr);
    }
  });
}

}  // namespace

PartialFile::PartialFile(std::string path) : path_(std::move(path)) {
  install_handlers();
  for (int i = 0; i < kSlots; ++i) {
    const char* expected = nullptr;
    if (g_partial[i].compare_exchange_strong(expected, path_.c_str())) {
      slot_ = i;
      return;
    }
  }
}

PartialFile::~PartialFile() {
  if (slot_ >= 0) g_partial[slot_].store(nullptr);
}

OutputPlace resolve_output(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw input_error(SourceLoc{"<output>", 0, 0}, "the output path is empty");
  const SourceLoc loc{path, 0, 0};
  fs::path p(path);
  std::error_code ec;
  // Hop by hop, so that a link whose target does not exist yet creates the target rather than
  // being replaced by a file.
  fs::file_status st = fs::symlink_status(p, ec);
  for (int hops = 0; fs::is_symlink(st); ++hops) {
    if (hops == 40)
      throw input_error(loc, "cannot follow the symbolic link: more than 40 links in a row");
    const fs::path target = fs::read_symlink(p, ec);
    if (ec) throw input_error(loc, "cannot follow the symbolic link: " + ec.message());
    p = target.is_absolute() ? target : p.parent_path() / target;
    st = fs::symlink_status(p, ec);
  }
  if (fs::is_directory(st)) throw input_error(loc, "is a folder, not a file");
  if (fs::exists(st) && !fs::is_regular_file(st)) return OutputPlace{p, false};
  if (p.has_parent_path()) {
    fs::create_directories(p.parent_path(), ec);
    if (ec)
      throw input_error(loc,
                        "cannot create folder '" + p.parent_path().string() + "': " + ec.message());
  }
  return OutputPlace{p, true};
}

}  // namespace accsim
