// The DRAM model as the shared memory of a dataflow graph (README.md "Memory"). Units call their
// ports out of global time order; requests wait here in a queue ordered by arrival cycle (ties:
// port, then the port's own order) and reach the DRAM only once the engine's progress guarantees
// that no earlier request can still come, so the DRAM sees exactly the time-ordered stream a
// cycle-stepped system would send it, whatever order the engine ran the units in.
#include <fmt/format.h>

#include <queue>
#include <tuple>

#include "hw/dram_spec.h"
#include "models/dataflow/dataflow.h"
#include "models/dram/backend.h"
#include "sim/core/error.h"

namespace accsim::dataflow {

namespace {

class DramMemory;

class DramPort final : public MemoryPort {
 public:
  DramPort(DramMemory* m, int id, std::string owner) : m_(m), owner_(std::move(owner)) {
    shared_id_ = id;
  }
  Cycle read(std::uint64_t addr, std::uint32_t bytes, Cycle issue) override;
  Cycle write(std::uint64_t addr, std::uint32_t bytes, Cycle issue) override;
  void completed(Cycle done) { stats_.last_done = std::max(stats_.last_done, done); }
  const std::string& owner() const { return owner_; }

 private:
  Cycle request(std::uint64_t addr, std::uint32_t bytes, bool is_write, Cycle issue);
  DramMemory* m_;
  std::string owner_;
  Cycle last_issue_ = 0;
};

class DramMemory final : public SharedMemory {
 public:
  DramMemory(const hw::DramSpec& dram, const dram::ControllerConfig& ctrl,
             const hw::DataflowSpec& spec, StatsRegistry& stats, const std::string& name)
      : be_(dram, ctrl, stats, name),
        name_(name),
        df_ps_(spec.clock().period_ps),
        tck_(dram.timing.tCK_ps) {
    if (df_ps_ <= 0 || tck_ <= 0)
      throw Error(ExitCode::kInternal, "dataflow DRAM memory: a clock period is not positive");
    desc_ = fmt::format("{} DRAM, {} channel(s), tCK {} ps", dram.name, be_.channels(), tck_);
  }

  std::unique_ptr<MemoryPort> make_port(const std::string& owner) override {
    auto p = std::make_unique<DramPort>(this, static_cast<int>(ports_.size()), owner);
    ports_.push_back(p.get());
    return p;
  }
  std::size_t pending() const override { return pending_; }

  void request(int port, std::uint64_t ticket, std::uint64_t addr, std::uint32_t bytes,
               bool is_write, Cycle issue) {
    if (issue <= frontier_)
      throw Error(ExitCode::kInternal,
                  fmt::format("dataflow DRAM memory: '{}' issued a request at cycle {}, but every "
                              "request up to cycle {} was promised to be known",
                              ports_[static_cast<std::size_t>(port)]->owner(), issue, frontier_));
    const Cycle arrival = static_cast<Cycle>(issue * df_ps_ / tck_) + 1;
    waiting_.push(Req{arrival, port, ticket, addr, bytes, is_write});
    ++pending_;
    if (!is_write) ++pending_reads_;
  }

  void resolve(std::vector<Resolved>& out) override {
    bool read_done = false;
    while (pending_ > 0 && !read_done) {
      const Cycle e = be_.next_cycle();
      if (!waiting_.empty() && waiting_.top().arrival <= e) {
        submit_top();
        continue;
      }
      if (e == dram::DramBackend::kNever)
        throw Error(ExitCode::kInternal, "dataflow DRAM memory: requests pending, DRAM idle");
      be_.run_next(dones_);
      read_done = deliver(out);
    }
  }

  void advance(Cycle c, std::vector<Resolved>& out) override {
    frontier_ = std::max(frontier_, c);
    // Requests issued after c arrive at floor((c + 1) P / tCK) + 1 or later.
    const Cycle safe = static_cast<Cycle>((c + 1) * df_ps_ / tck_);
    for (;;) {
      const Cycle e = be_.next_cycle();
      if (!waiting_.empty() && waiting_.top().arrival <= std::min(e, safe + 1)) {
        submit_top();
        continue;
      }
      if (e == dram::DramBackend::kNever || e > safe) break;
      be_.run_next(dones_);
      deliver(out);
    }
  }

  void finish(Cycle end, EnergyLedger& energy) override {
    if (pending_ != 0)
      throw Error(ExitCode::kInternal, "dataflow DRAM memory: finished with requests pending");
    const Cycle end_dram = (end * df_ps_ + tck_ - 1) / tck_;
    be_.finalize(std::max<Cycle>(end_dram, be_.last_cycle() + 1), energy);
    energy_pj_ = energy.component_pj(name_);
    be_.throw_if_violations();
  }
  double energy_pj() const override { return energy_pj_; }
  std::string describe() const override { return desc_; }

 private:
  struct Req {
    Cycle arrival;
    int port;
    std::uint64_t ticket;
    std::uint64_t addr;
    std::uint32_t bytes;
    bool is_write;
    bool operator>(const Req& o) const {
      return std::tie(arrival, port, ticket) > std::tie(o.arrival, o.port, o.ticket);
    }
  };

  void submit_top() {
    const Req r = waiting_.top();
    waiting_.pop();
    if (r.arrival <= be_.last_cycle())
      throw Error(ExitCode::kInternal,
                  fmt::format("dataflow DRAM memory: a request arriving at DRAM cycle {} came "
                              "after cycle {} was simulated",
                              r.arrival, be_.last_cycle()));
    be_.submit((static_cast<std::uint64_t>(r.port) << 40) | r.ticket, r.addr, r.bytes, r.is_write,
               r.arrival);
  }

  // Converts the DRAM's completions; true if one of them was a read.
  bool deliver(std::vector<Resolved>& out) {
    bool read = false;
    for (const auto& d : dones_) {
      Resolved r;
      r.port = static_cast<int>(d.id >> 40);
      r.ticket = d.id & ((std::uint64_t{1} << 40) - 1);
      r.done = (d.done * tck_ + df_ps_ - 1) / df_ps_;
      r.is_write = d.is_write;
      ports_[static_cast<std::size_t>(r.port)]->completed(r.done);
      out.push_back(r);
      --pending_;
      if (!d.is_write) {
        --pending_reads_;
        read = true;
      }
    }
    dones_.clear();
    return read;
  }

  dram::DramBackend be_;
  std::string name_, desc_;
  Ps df_ps_, tck_;
  std::vector<DramPort*> ports_;
  std::priority_queue<Req, std::vector<Req>, std::greater<>> waiting_;
  std::vector<dram::DramBackend::Done> dones_;
  std::size_t pending_ = 0, pending_reads_ = 0;
  Cycle frontier_ = -1;  // advance(): every request up to this cycle is known
  double energy_pj_ = 0;
};

Cycle DramPort::request(std::uint64_t addr, std::uint32_t bytes, bool is_write, Cycle issue) {
  if (issue < last_issue_)
    throw Error(ExitCode::kInternal,
                fmt::format("memory port of '{}': request at cycle {} after one at cycle {}",
                            owner_, issue, last_issue_));
  last_issue_ = issue;
  const std::uint64_t ticket = stats_.reads + stats_.writes;
  if (is_write) {
    stats_.writes++;
    stats_.bytes_written += bytes;
  } else {
    stats_.reads++;
    stats_.bytes_read += bytes;
  }
  m_->request(shared_id_, ticket, addr, bytes, is_write, issue);
  return kPending;
}
Cycle DramPort::read(std::uint64_t addr, std::uint32_t bytes, Cycle issue) {
  return request(addr, bytes, false, issue);
}
Cycle DramPort::write(std::uint64_t addr, std::uint32_t bytes, Cycle issue) {
  return request(addr, bytes, true, issue);
}

}  // namespace

std::shared_ptr<SharedMemory> make_dram_memory(const hw::DramSpec& dram,
                                               const dram::ControllerConfig& ctrl,
                                               const hw::DataflowSpec& spec, StatsRegistry& stats,
                                               const std::string& stats_name) {
  return std::make_shared<DramMemory>(dram, ctrl, spec, stats, stats_name);
}

}  // namespace accsim::dataflow
