#pragma once
// Input plumbing shared by the trace readers: a byte stream over a file or a memory buffer (the
// fuzz targets read from memory), a line reader with a length cap, and a checked reader for JSON
// objects whose errors name the offending key. Internal to workloads/trace.
#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/error.h"
#include "sim/core/output_path.h"

namespace accsim::workloads::detail {

// Sequential bytes with a known total size. Never loads a whole file.
class ByteInput {
 public:
  // Throws an input error naming `path` when it is missing, a directory or unreadable.
  static ByteInput open_file(const std::string& path);
  // `data` must outlive the ByteInput; `name` is what error messages call it.
  static ByteInput from_memory(const void* data, std::size_t n, std::string name);

  const std::string& name() const { return name_; }
  std::uint64_t size() const { return size_; }
  std::uint64_t pos() const { return pos_; }
  std::uint64_t remaining() const { return size_ - pos_; }
  // Reads up to n bytes; returns how many were read (fewer only at the end of the input).
  std::size_t read(void* dst, std::size_t n);
  // Reads exactly n bytes or throws a truncation error that names `what` and the offset.
  void read_exact(void* dst, std::size_t n, const std::string& what);
  void skip(std::uint64_t n);
  SourceLoc loc() const { return SourceLoc{name_, 0, 0}; }

 private:
  struct Closer {
    void operator()(std::FILE* f) const {
      if (f) std::fclose(f);
    }
  };
  std::string name_;
  std::unique_ptr<std::FILE, Closer> file_;
  const unsigned char* mem_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t pos_ = 0;
};

// Lines of a text file, '\n' or "\r\n" terminated. A line longer than `max_line` bytes is an
// error, so a binary file passed by mistake cannot make the reader buffer it whole.
class LineReader {
 public:
  LineReader(ByteInput in, std::size_t max_line);
  // Next line without its terminator; false at the end. line_no() is then its 1-based number.
  bool next(std::string& line);
  int line_no() const { return line_no_; }
  const std::string& name() const { return in_.name(); }
  SourceLoc loc(int column = 0) const { return SourceLoc{in_.name(), line_no_, column}; }

 private:
  bool fill();
  ByteInput in_;
  std::size_t max_line_;
  std::vector<char> buf_;
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  int line_no_ = 0;
};

// Splits on spaces and tabs, remembering each token's 1-based column for error messages.
struct Token {
  std::string_view text;
  int column = 0;
};
std::vector<Token> split_fields(std::string_view line);

// Integer parsing that rejects signs, blanks, overflow and trailing junk (std::stoull accepts
// "-1" and " 12abc"). Hex needs the 0x/0X prefix when `base` is 16 and `require_prefix`.
std::optional<std::uint64_t> parse_u64(std::string_view s, int base = 10);
std::optional<std::uint64_t> parse_hex_address(std::string_view s);  // "0x1f40"

// Reads one JSON object field by field; each error names the key through `fail`, and done()
// rejects any key that was never asked for (a typo must not pass as a silent default).
class JsonFields {
 public:
  // Builds the exception to throw for `key` (may be empty: the object itself).
  using Fail = std::function<Error(const std::string& key, const std::string& msg)>;
  JsonFields(const nlohmann::json& obj, std::string what, Fail fail);

  bool has(const std::string& key);
  const nlohmann::json* raw(const std::string& key);  // marks the key known; nullptr if absent
  std::optional<std::string> text(const std::string& key, bool required);
  std::optional<std::uint64_t> u64(const std::string& key, bool required, std::uint64_t lo,
                                   std::uint64_t hi);
  std::optional<double> number(const std::string& key, bool required, double lo, double hi);
  std::optional<bool> flag(const std::string& key, bool required);
  // Integers written either as JSON numbers or as "0x..." strings (addresses read better in hex).
  std::optional<std::uint64_t> address(const std::string& key, bool required);
  // One of `choices`; returns its index.
  std::optional<std::size_t> choice(const std::string& key, bool required,
                                    const std::vector<std::string>& choices);
  // [x] / [x, y] / [x, y, z] of positive integers; missing dimensions are 1.
  std::optional<std::array<std::uint32_t, 3>> dim3(const std::string& key, bool required);
  void done();

  Error error(const std::string& key, const std::string& msg) const { return fail_(key, msg); }
  const std::string& what() const { return what_; }

 private:
  const nlohmann::json* get(const std::string& key, bool required);
  const nlohmann::json& obj_;
  std::string what_;
  Fail fail_;
  std::vector<std::string> known_;
};

// JSON type name for messages ("a string", "an array" ...).
std::string json_type_phrase(const nlohmann::json& j);

// Column (1-based) of `"key"` in a one-line JSON text, or 0 when not found. Good enough to point
// at a bad key in a JSON-lines record, where nlohmann keeps no positions after parsing.
int key_column(std::string_view line, const std::string& key);

}  // namespace accsim::workloads::detail

namespace accsim::workloads::detail {

// A text or binary output file. Where it goes is sim/core/output_path.h's rule: a regular file (or
// none yet; a symbolic link's target) is written as `<file>.part` and renamed into place by
// commit(), so an interrupted conversion never leaves a file that looks complete, and without
// commit() the partial file is removed; a device or FIFO is written through; a folder is refused.
class OutFile {
 public:
  explicit OutFile(std::string path);
  ~OutFile();
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  void write(std::string_view s);
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_;  // as the user gave it, for messages
  std::string file_;  // what is opened: `<target>.part`, or the device itself
  std::string target_;
  bool replace_ = true;
  std::optional<PartialFile> partial_;  // removes file_ on SIGINT/SIGTERM before commit()
  std::FILE* f_ = nullptr;
};

}  // namespace accsim::workloads::detail

namespace accsim::workloads::detail {

// Byte offset (0-based) where `text` nests JSON arrays/objects deeper than `max_depth`, or npos.
// Checked before parsing: nlohmann copies and compares values recursively, so a line of ten
// thousand '[' would otherwise exhaust the stack of whoever touches the parsed value.
std::size_t json_too_deep(std::string_view text, int max_depth);
inline constexpr int kMaxJsonDepth = 64;

// Parses JSON; syntax errors come back through `fail(byte_offset, message)` (0-based offset).
nlohmann::json parse_json_text(std::string_view text,
                               const std::function<Error(std::size_t, const std::string&)>& fail);

}  // namespace accsim::workloads::detail
