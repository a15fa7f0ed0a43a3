#include "workloads/trace/trace_io.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <system_error>
#include <vector>

#include "sim/core/config.h"
#include "sim/core/output_path.h"

namespace accsim::workloads::detail {

ByteInput ByteInput::open_file(const std::string& path) {
  ByteInput in;
  in.name_ = path;
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st))
    throw input_error(SourceLoc{path, 0, 0}, "cannot open: no such file");
  if (std::filesystem::is_directory(st))
    throw input_error(SourceLoc{path, 0, 0}, "cannot open: it is a directory, not a trace file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f)
    throw input_error(SourceLoc{path, 0, 0}, std::string("cannot open: ") + std::strerror(errno));
  in.file_.reset(f);
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw input_error(SourceLoc{path, 0, 0}, "cannot read its size: " + ec.message());
  in.size_ = size;
  return in;
}

ByteInput ByteInput::from_memory(const void* data, std::size_t n, std::string name) {
  ByteInput in;
  in.name_ = std::move(name);
  in.mem_ = static_cast<const unsigned char*>(data);
  in.size_ = n;
  return in;
}

std::size_t ByteInput::read(void* dst, std::size_t n) {
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining()));
  if (want == 0) return 0;
  std::size_t got = 0;
  if (mem_) {
    std::memcpy(dst, mem_ + pos_, want);
    got = want;
  } else {
    got = std::fread(dst, 1, want, file_.get());
    if (got != want && std::ferror(file_.get()))
      throw input_error(
          loc(), "read error at byte " + std::to_string(pos_ + got) + ": " + std::strerror(errno));
  }
  pos_ += got;
  return got;
}

void ByteInput::read_exact(void* dst, std::size_t n, const std::string& what) {
  const std::uint64_t at = pos_;
  const std::size_t got = read(dst, n);
  if (got != n)
    throw input_error(loc(), what + " at byte " + std::to_string(at) + " is truncated: needs " +
                                 std::to_string(n) + " bytes, the file has " + std::to_string(got) +
                                 " left");
}

void ByteInput::skip(std::uint64_t n) {
  if (n > remaining())
    throw input_error(loc(), "cannot skip " + std::to_string(n) + " bytes at byte " +
                                 std::to_string(pos_) + ": only " + std::to_string(remaining()) +
                                 " left (truncated file)");
  if (!mem_ && n > 0) {
    if (std::fseek(file_.get(), static_cast<long>(pos_ + n), SEEK_SET) != 0)
      throw input_error(loc(), "seek to byte " + std::to_string(pos_ + n) + " failed");
  }
  pos_ += n;
}

LineReader::LineReader(ByteInput in, std::size_t max_line)
    : in_(std::move(in)), max_line_(max_line) {}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  constexpr std::size_t kBlock = std::size_t{64} << 10;
  if (buf_.size() < end_ + kBlock) buf_.resize(end_ + kBlock);
  const std::size_t got = in_.read(buf_.data() + end_, kBlock);
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

bool LineReader::next(std::string& line) {
  std::size_t scanned = begin_;
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl =
        scanned < end_ ? std::memchr(buf_.data() + scanned, '\n', end_ - scanned) : nullptr;
    if (nl) {
      const std::size_t len = static_cast<const char*>(nl) - start;
      ++line_no_;
      if (len > max_line_)
        throw input_error(loc(), "line is longer than " + std::to_string(max_line_) +
                                     " bytes (is this a text trace?)");
      line.assign(start, len);
      begin_ += len + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    if (end_ - begin_ > max_line_) {
      ++line_no_;
      throw input_error(loc(), "line is longer than " + std::to_string(max_line_) +
                                   " bytes (is this a text trace?)");
    }
    const std::size_t consumed = end_ - begin_;
    if (!fill()) {
      if (end_ == begin_) return false;
      ++line_no_;  // last line without a terminator
      line.assign(buf_.data() + begin_, end_ - begin_);
      begin_ = end_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return true;
    }
    scanned = begin_ + consumed;
  }
}

std::vector<Token> split_fields(std::string_view line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    const std::size_t b = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back(Token{line.substr(b, i - b), static_cast<int>(b) + 1});
  }
  return out;
}

std::optional<std::uint64_t> parse_u64(std::string_view s, int base) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    if (d >= base) return std::nullopt;
    if (v > (std::numeric_limits<std::uint64_t>::max() - static_cast<unsigned>(d)) /
                static_cast<unsigned>(base))
      return std::nullopt;
    v = v * static_cast<unsigned>(base) + static_cast<unsigned>(d);
  }
  return v;
}

std::optional<std::uint64_t> parse_hex_address(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  return parse_u64(s.substr(2), 16);
}

std::string json_type_phrase(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "an integer";
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "a binary value";
  }
}

int key_column(std::string_view line, const std::string& key) {
  if (key.empty()) return 0;
  const std::string quoted = "\"" + key + "\"";
  const auto p = line.find(quoted);
  return p == std::string_view::npos ? 0 : static_cast<int>(p) + 1;
}

JsonFields::JsonFields(const nlohmann::json& obj, std::string what, Fail fail)
    : obj_(obj), what_(std::move(what)), fail_(std::move(fail)) {
  if (!obj_.is_object())
    throw fail_("", what_ + " must be a JSON object, not " + json_type_phrase(obj_));
}

const nlohmann::json* JsonFields::get(const std::string& key, bool required) {
  known_.push_back(key);
  auto it = obj_.find(key);
  if (it == obj_.end()) {
    if (required) throw fail_("", what_ + " lacks the required key '" + key + "'");
    return nullptr;
  }
  return &*it;
}

bool JsonFields::has(const std::string& key) {
  return obj_.contains(key);
}
const nlohmann::json* JsonFields::raw(const std::string& key) {
  return get(key, false);
}

std::optional<std::string> JsonFields::text(const std::string& key, bool required) {
  const auto* j = get(key, required);
  if (!j) return std::nullopt;
  if (!j->is_string())
    throw fail_(key,
                "'" + key + "' in " + what_ + " must be a string, not " + json_type_phrase(*j));
  return j->get<std::string>();
}

std::optional<std::uint64_t> JsonFields::u64(const std::string& key, bool required,
                                             std::uint64_t lo, std::uint64_t hi) {
  const auto* j = get(key, required);
  if (!j) return std::nullopt;
  std::uint64_t v = 0;
  if (j->is_number_unsigned()) {
    v = j->get<std::uint64_t>();
  } else if (j->is_number_integer()) {
    const auto s = j->get<std::int64_t>();
    if (s < 0)
      throw fail_(key, "'" + key + "' in " + what_ + " must not be negative (got " +
                           std::to_string(s) + ")");
    v = static_cast<std::uint64_t>(s);
  } else {
    throw fail_(key, "'" + key + "' in " + what_ + " must be a non-negative integer, not " +
                         json_type_phrase(*j));
  }
  if (v < lo || v > hi)
    throw fail_(key, "'" + key + "' in " + what_ + " is " + std::to_string(v) +
                         ", outside the valid range " + std::to_string(lo) + ".." +
                         std::to_string(hi));
  return v;
}

std::optional<double> JsonFields::number(const std::string& key, bool required, double lo,
                                         double hi) {
  const auto* j = get(key, required);
  if (!j) return std::nullopt;
  if (!j->is_number())
    throw fail_(key,
                "'" + key + "' in " + what_ + " must be a number, not " + json_type_phrase(*j));
  const double v = j->get<double>();
  if (!std::isfinite(v) || v < lo || v > hi)
    throw fail_(key, "'" + key + "' in " + what_ + " is " + config::fmt_number(v) +
                         ", outside the valid range " + config::fmt_number(lo) + ".." +
                         config::fmt_number(hi));
  return v;
}

std::optional<bool> JsonFields::flag(const std::string& key, bool required) {
  const auto* j = get(key, required);
  if (!j) return std::nullopt;
  if (!j->is_boolean())
    throw fail_(
        key, "'" + key + "' in " + what_ + " must be true or false, not " + json_type_phrase(*j));
  return j->get<bool>();
}

std::optional<std::uint64_t> JsonFields::address(const std::string& key, bool required) {
  const auto* j = get(key, required);
  if (!j) return std::nullopt;
  if (j->is_string()) {
    const auto s = j->get<std::string>();
    if (auto v = parse_hex_address(s)) return v;
    throw fail_(key, "'" + key + "' in " + what_ + " is \"" + s +
                         "\"; expected a hex address like \"0x7f3a00001000\" or an integer");
  }
  if (j->is_number_unsigned()) return j->get<std::uint64_t>();
  if (j->is_number_integer() && j->get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(j->get<std::int64_t>());
  throw fail_(key, "'" + key + "' in " + what_ +
                       " must be a hex string like \"0x7f3a00001000\" or a non-negative integer, "
                       "not " +
                       json_type_phrase(*j));
}

std::optional<std::size_t> JsonFields::choice(const std::string& key, bool required,
                                              const std::vector<std::string>& choices) {
  const auto s = text(key, required);
  if (!s) return std::nullopt;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (choices[i] == *s) return i;
  std::string msg = "'" + key + "' in " + what_ + " is \"" + *s + "\"; expected one of " +
                    config::join(choices, ", ");
  const auto near = config::closest_match(*s, choices);
  if (!near.empty()) msg += " (did you mean \"" + near + "\"?)";
  throw fail_(key, msg);
}

std::optional<std::array<std::uint32_t, 3>> JsonFields::dim3(const std::string& key,
                                                             bool required) {
  const auto* j = get(key, required);
  if (!j) return std::nullopt;
  const std::string bad = "'" + key + "' in " + what_ +
                          " must be an array of 1 to 3 positive integers like [128, 1, 1]";
  if (!j->is_array() || j->empty() || j->size() > 3) throw fail_(key, bad);
  std::array<std::uint32_t, 3> d{1, 1, 1};
  for (std::size_t i = 0; i < j->size(); ++i) {
    const auto& e = (*j)[i];
    if (!e.is_number_unsigned() && !(e.is_number_integer() && e.get<std::int64_t>() > 0))
      throw fail_(key, bad);
    const auto v = e.get<std::uint64_t>();
    if (v == 0 || v > std::numeric_limits<std::uint32_t>::max()) throw fail_(key, bad);
    d[i] = static_cast<std::uint32_t>(v);
  }
  return d;
}

void JsonFields::done() {
  for (auto it = obj_.begin(); it != obj_.end(); ++it) {
    if (std::find(known_.begin(), known_.end(), it.key()) != known_.end()) continue;
    std::string msg = "unknown key '" + it.key() + "' in " + what_ + " (expected one of " +
                      config::join(known_, ", ") + ")";
    const auto near = config::closest_match(it.key(), known_);
    if (!near.empty()) msg += "; did you mean '" + near + "'?";
    throw fail_(it.key(), msg);
  }
}

}  // namespace accsim::workloads::detail

namespace accsim::workloads::detail {

OutFile::OutFile(std::string path) : path_(std::move(path)) {
  const OutputPlace place = resolve_output(path_);
  target_ = place.file.string();
  replace_ = place.replace;
  file_ = replace_ ? target_ + ".part" : target_;
  if (replace_) partial_.emplace(file_);
  f_ = std::fopen(file_.c_str(), "wb");
  if (!f_)
    throw input_error(SourceLoc{file_, 0, 0},
                      std::string("cannot open for writing: ") + std::strerror(errno));
}

OutFile::~OutFile() {
  if (f_) {
    std::fclose(f_);
    if (replace_) std::remove(file_.c_str());
  }
}

void OutFile::write(std::string_view s) {
  if (!f_) throw usage_error("output '" + path_ + "' is already closed");
  if (!s.empty() && std::fwrite(s.data(), 1, s.size(), f_) != s.size())
    throw input_error(SourceLoc{file_, 0, 0}, std::string("write failed: ") + std::strerror(errno));
}

void OutFile::commit() {
  if (!f_) return;
  const bool ok = std::fclose(f_) == 0;
  f_ = nullptr;
  if (!ok) {
    if (replace_) std::remove(file_.c_str());
    throw input_error(SourceLoc{file_, 0, 0}, "finishing the file failed (disk full?)");
  }
  if (!replace_) return;
  std::error_code ec;
  std::filesystem::rename(file_, target_, ec);
  if (ec) {
    std::remove(file_.c_str());
    throw input_error(SourceLoc{path_, 0, 0},
                      "cannot move the finished file into place: " + ec.message());
  }
}

}  // namespace accsim::workloads::detail

namespace accsim::workloads::detail {

std::size_t json_too_deep(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

namespace {

struct DuplicateKey {
  std::string key;
  int first = 0, second = 0;  // which occurrences of the key, in text order, clash
};

// Byte offset of the n-th (0-based) occurrence of `key` written as an object key ("key", optional
// blanks, ':'), or npos. JSON escapes every quote inside a string, so this pattern only matches
// keys, in the order the parser meets them.
std::size_t key_offset(std::string_view text, const std::string& key, int n) {
  const std::string quoted = nlohmann::json(key).dump();
  for (std::size_t at = text.find(quoted); at != std::string_view::npos;
       at = text.find(quoted, at + 1)) {
    std::size_t after = at + quoted.size();
    while (after < text.size() && (text[after] == ' ' || text[after] == '\t')) ++after;
    if (after < text.size() && text[after] == ':' && n-- == 0) return at;
  }
  return std::string_view::npos;
}

}  // namespace

nlohmann::json parse_json_text(std::string_view text,
                               const std::function<Error(std::size_t, const std::string&)>& fail) {
  const std::size_t deep = json_too_deep(text, kMaxJsonDepth);
  if (deep != std::string_view::npos)
    throw fail(deep, "JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  // nlohmann keeps the last of a key given twice; a duplicate is an error instead. Per open
  // object (depth bounded above) its keys with the occurrence number of each key in the text.
  std::vector<std::map<std::string, int>> open;
  std::map<std::string, int> seen;  // key -> occurrences so far
  const auto no_duplicates = [&](int, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if (ev == E::object_start) open.emplace_back();
    if (ev == E::object_end && !open.empty()) open.pop_back();
    if (ev == E::key && !open.empty()) {
      const std::string k = parsed.get<std::string>();
      const int occurrence = seen[k]++;
      const auto [at, fresh] = open.back().emplace(k, occurrence);
      if (!fresh) throw DuplicateKey{k, at->second, occurrence};
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), no_duplicates);
  } catch (const DuplicateKey& d) {
    const std::size_t first = key_offset(text, d.key, d.first);
    const std::size_t second = key_offset(text, d.key, d.second);
    throw fail(second == std::string_view::npos ? 0 : second,
               "duplicate key '" + d.key + "'" +
                   (first == std::string_view::npos
                        ? std::string()
                        : " (first given at column " + std::to_string(first + 1) + ")"));
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; drop nlohmann's "[json.exception.parse_error.101] " prefix.
    std::string what = e.what();
    const auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    throw fail(e.byte > 0 ? e.byte - 1 : 0, "invalid JSON: " + what);
  } catch (const nlohmann::json::exception& e) {
    // The parser reports some errors (e.g. a number too large for a double) as other exception
    // types, without a position.
    std::string what = e.what();
    const auto p = what.find("] ");
    if (p != std::string::npos) what = what.substr(p + 2);
    throw fail(0, "invalid JSON: " + what);
  }
}

}  // namespace accsim::workloads::detail
