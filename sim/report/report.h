#pragma once
// The run report: one JSON document per run (schema versioned, documented in sim/README.md),
// flattened to CSV on request, and a short human table for stdout. Reports hold no wall-clock
// times, host names or paths that differ between identical runs: the same inputs give a
// byte-identical report.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace accsim::report {

using Json = nlohmann::ordered_json;

inline constexpr const char* kSchemaName = "accsim-report";
inline constexpr int kSchemaVersion = 1;

// A new report skeleton: {"schema", "schema_version", "accsim_version"}.
Json new_report();

// Serialises with 2-space indentation and a trailing newline. Doubles are printed with the
// shortest representation that round-trips, so the text is stable for identical values.
std::string to_text(const Json& report);

// One CSV field (RFC 4180): as is, or in double quotes with quotes doubled where it holds a
// comma, a quote or a line break. Every CSV accsim writes quotes through this.
std::string csv_quote(const std::string& s);

// Flattens every scalar leaf to "path,value" rows (path = keys joined by '.', array indices as
// [i]); strings are CSV-quoted when needed. The first row is the header "key,value".
std::string to_csv(const Json& report);

// A tidy table: the header `columns`, then one line per object of `rows` with each column's
// scalar (numbers at full precision, strings CSV-quoted, absent or null values empty).
std::string tidy_csv(const Json& rows, const std::vector<std::string>& columns);

// Writes `text` to `path` by sim/core/output_path.h's rule: a regular file (or a new one)
// atomically (temporary file in the same folder, then rename), so an interrupted run never leaves
// a half-written report; a symbolic link is followed (its target is written, the link stays); a
// device or FIFO (/dev/null, a pipe) is written through, never replaced; an empty path or a folder
// is an error. Throws accsim::Error naming the path.
void write_file_atomic(const std::string& path, const std::string& text);

// A plain-text table with aligned columns, for stdout.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  std::string str() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Number formatting for tables: 3 significant decimals, thousands kept plain ("12345.7").
std::string fmt(double v, int decimals = 3);
std::string fmt_si(double v, const std::string& unit);  // 3.35e12, "B/s" -> "3.35 TB/s"

}  // namespace accsim::report
