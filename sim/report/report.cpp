#include "sim/report/report.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/core/error.h"
#include "sim/core/output_path.h"

namespace accsim::report {

Json new_report() {
  Json j = Json::object();
  j["schema"] = kSchemaName;
  j["schema_version"] = kSchemaVersion;
  j["accsim_version"] = "0.1.0";
  return j;
}

std::string to_text(const Json& report) {
  return report.dump(2) + "\n";
}

std::string csv_quote(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

namespace {

void flatten(const Json& j, const std::string& path, std::string& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      flatten(it.value(), path.empty() ? it.key() : path + "." + it.key(), out);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i)
      flatten(j[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out +=
        csv_quote(path) + "," + csv_quote(j.is_string() ? j.get<std::string>() : j.dump()) + "\n";
  }
}
}  // namespace

std::string tidy_csv(const Json& rows, const std::vector<std::string>& columns) {
  std::string out;
  for (std::size_t c = 0; c < columns.size(); ++c) out += (c ? "," : "") + csv_quote(columns[c]);
  out += "\n";
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (c) out += ",";
      if (!r.contains(columns[c])) continue;
      const Json& v = r[columns[c]];
      if (v.is_string())
        out += csv_quote(v.get<std::string>());
      else if (!v.is_null())
        out += csv_quote(v.dump());
    }
    out += "\n";
  }
  return out;
}

std::string to_csv(const Json& report) {
  std::string out = "key,value\n";
  flatten(report, "", out);
  return out;
}

namespace {

// Writes `text` into what is already at `p` (a device such as /dev/null, a FIFO): opened and
// written, never replaced.
void write_through(const std::filesystem::path& p, const std::string& shown,
                   const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  if (!out)
    throw Error(ExitCode::kInput, SourceLoc{shown, 0, 0},
                std::string("cannot open for writing: ") + std::strerror(errno));
  out << text;
  out.flush();
  if (!out) throw Error(ExitCode::kInput, SourceLoc{shown, 0, 0}, "write failed");
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& text) {
  namespace fs = std::filesystem;
  const OutputPlace place = resolve_output(path);  // links followed, folders refused
  const fs::path& p = place.file;
  std::error_code ec;
  if (!place.replace) return write_through(p, path, text);
  // A regular file (or none yet) is replaced atomically: written beside it, then renamed.
  fs::path tmp = p;
  tmp += ".tmp." + std::to_string(::getpid());
  const PartialFile partial(tmp.string());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(ExitCode::kInput, SourceLoc{path, 0, 0},
                  "cannot write file '" + tmp.string() + "': " + std::strerror(errno));
    out << text;
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      throw Error(ExitCode::kInput, SourceLoc{path, 0, 0}, "write failed (disk full?)");
    }
  }
  fs::rename(tmp, p, ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(tmp, ec);
    throw Error(ExitCode::kInput, SourceLoc{path, 0, 0}, "cannot move file into place: " + why);
  }
}

std::string TextTable::str() const {
  std::vector<std::size_t> w(header_.size(), 0);
  auto widen = [&w](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  };
  widen(header_);
  for (auto& r : rows_) widen(r);
  std::ostringstream os;
  auto line = [&](const std::vector<std::string>& r) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      std::string c = i < r.size() ? r[i] : "";
      // First column left-aligned (names), the others right-aligned (numbers).
      if (i == 0)
        os << c << std::string(w[i] - c.size(), ' ');
      else
        os << "  " << std::string(w[i] - c.size(), ' ') << c;
    }
    os << "\n";
  };
  line(header_);
  std::size_t total = 0;
  for (auto x : w) total += x + 2;
  os << std::string(total - 2, '-') << "\n";
  for (auto& r : rows_) line(r);
  return os.str();
}

std::string fmt(double v, int decimals) {
  if (!std::isfinite(v)) return "-";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt_si(double v, const std::string& unit) {
  if (!std::isfinite(v)) return "-";
  // Prefix exponent e (powers of 1000) from f (1e-15) to P (1e15).
  static const char* prefixes[] = {"f", "p", "n", "u", "m", "", "k", "M", "G", "T", "P"};
  int e = 0;
  double x = v;
  if (x != 0) {
    while (std::fabs(x) < 1.0 && e > -5) {
      x *= 1000.0;
      --e;
    }
    // 999.96 would print as "1e+03" with 3 significant digits: move to the next prefix.
    while (std::fabs(x) >= 999.5 && e < 5) {
      x /= 1000.0;
      ++e;
    }
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g %s%s", x, prefixes[e + 5], unit.c_str());
  return buf;
}

}  // namespace accsim::report
