#pragma once
// Where an output file goes, decided once for every writer (reports, op traces, access traces,
// converted traces): what is at the path is never replaced unless it is a regular file.
//   - a symbolic link is followed hop by hop (at most 40) and stays a link; its target is
//     written, or created when it does not exist yet;
//   - a folder is refused;
//   - a regular file (or nothing yet) is replaced atomically: the writer writes beside it and
//     renames onto it (`replace`), so an interrupted write never leaves a file that looks whole;
//   - anything else (a device such as /dev/null, a FIFO) is written through, never replaced.
// Errors name the path as the user gave it (exit code 4).
#include <filesystem>
#include <string>

namespace accsim {

struct OutputPlace {
  std::filesystem::path file;  // what to write (the link's target when the path is a link)
  bool replace = true;         // write beside `file` and rename onto it; false: write through
};

// Resolves `path` as above and creates the folders a new file needs.
OutputPlace resolve_output(const std::string& path);

// A partial output (`<file>.part`, a report's temporary file) that is removed if the process is
// interrupted (SIGINT, SIGTERM, SIGHUP) before its writer finishes or removes it: an interrupted
// `trace gen` leaves nothing behind. The handler is installed when the first one is registered,
// unlinks every registered file (async-signal-safe) and then lets the signal end the process as
// it would have. At most 64 at a time are tracked; more are simply not cleaned up on a signal.
class PartialFile {
 public:
  explicit PartialFile(std::string path);
  ~PartialFile();  // stops tracking (does not remove the file)
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int slot_ = -1;
};

}  // namespace accsim
