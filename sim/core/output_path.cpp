#include "sim/core/output_path.h"

#include "sim/core/error.h"

namespace accsim {

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
