#include "workloads/trace/kernel_source.h"

#include <algorithm>
#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "sim/core/slot_pool.h"

namespace accsim::workloads {
namespace {

std::uint32_t block_warps(const KernelInfo& k) {
  const std::uint64_t t = std::uint64_t{k.block[0]} * k.block[1] * k.block[2];
  return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, (t + 31) / 32));
}

// --- in memory -------------------------------------------------------------------------------

class VectorSource final : public KernelRecordSource {
 public:
  VectorSource(KernelInfo info, std::vector<AccessRecord> recs) : info_(std::move(info)) {
    const AccessTraceMeta none;  // the records' kernel field is not used here
    for (std::size_t i = 0; i < recs.size(); ++i) {
      AccessRecord r = recs[i];
      r.kernel = 0;
      if (!record_ok(r, none))
        throw input_error(SourceLoc{"kernel " + info_.name, 0, 0},
                          "record " + std::to_string(i) + ": " + check_record(r, none));
    }
    std::erase_if(recs, [](const AccessRecord& r) {
      return r.kind == static_cast<std::uint8_t>(RecordKind::kCtaBegin) ||
             r.kind == static_cast<std::uint8_t>(RecordKind::kWarpExit);
    });
    for (const auto& r : recs) compute_ |= !is_memory_kind(r.kind);
    std::stable_sort(recs.begin(), recs.end(), [](const AccessRecord& a, const AccessRecord& b) {
      return a.cta != b.cta ? a.cta < b.cta : a.warp < b.warp;
    });
    recs_ = std::move(recs);
    const std::uint32_t bw = block_warps(info_);
    for (std::size_t i = 0; i < recs_.size();) {
      Cta c;
      c.cta = recs_[i].cta;
      c.warps.assign(bw, Span{});
      while (i < recs_.size() && recs_[i].cta == c.cta) {
        const std::uint16_t w = recs_[i].warp;
        if (w >= c.warps.size()) c.warps.resize(w + 1u, Span{});
        Span& sp = c.warps[w];
        sp.begin = i;
        while (i < recs_.size() && recs_[i].cta == c.cta && recs_[i].warp == w) ++i;
        sp.end = i;
      }
      ctas_.push_back(std::move(c));
    }
  }
  const KernelInfo& info() const override { return info_; }
  bool has_compute() const override { return compute_; }
  bool next_cta(CtaStart& out) override {
    if (next_ == ctas_.size()) return false;
    const Cta& c = ctas_[next_];
    out = CtaStart{static_cast<std::uint32_t>(next_), c.cta, 0,
                   static_cast<std::uint32_t>(c.warps.size())};
    ++next_;
    return true;
  }
  bool fill(std::uint32_t h, std::uint32_t w, std::vector<AccessRecord>& out) override {
    Span& sp = ctas_.at(h).warps.at(w);
    if (sp.begin == sp.end) return false;
    // Hand out bounded batches, as a streaming source would.
    const std::size_t n = std::min<std::size_t>(sp.end - sp.begin, 128);
    out.insert(out.end(), recs_.begin() + static_cast<std::ptrdiff_t>(sp.begin),
               recs_.begin() + static_cast<std::ptrdiff_t>(sp.begin + n));
    sp.begin += n;
    handed_ += n;
    return true;
  }
  void release(std::uint32_t) override {}
  std::uint64_t records() const override { return handed_; }

 private:
  struct Span {
    std::size_t begin = 0, end = 0;
  };
  struct Cta {
    std::uint32_t cta = 0;
    std::vector<Span> warps;
  };
  KernelInfo info_;
  std::vector<AccessRecord> recs_;
  std::vector<Cta> ctas_;
  std::size_t next_ = 0;
  std::uint64_t handed_ = 0;
  bool compute_ = false;
};

// --- version-2 file, streamed ------------------------------------------------------------------

// Records of CTAs and warps that the replay has not asked for yet are buffered as the reader
// passes them. A trace that interleaves CTAs so far apart that this exceeds the bound (2 GiB of
// records) is refused rather than allowed to exhaust memory.
constexpr std::uint64_t kMaxBuffered = std::uint64_t{1} << 26;

class StreamKernel final : public KernelRecordSource {
 public:
  struct Reader {  // shared with the TraceKernels that owns the file
    AccessTraceReader* rd;
    std::optional<AccessRecord> ahead;  // the first record of the next kernel
    bool eof = false;
  };
  StreamKernel(Reader& in, std::uint16_t kernel, const KernelInfo& info)
      : in_(in), kernel_(kernel), info_(info), warps_(block_warps(info)) {}

  const KernelInfo& info() const override { return info_; }
  bool has_compute() const override { return true; }

  bool next_cta(CtaStart& out) override {
    while (ready_.empty() && read_one()) {
    }
    if (ready_.empty()) return false;
    const std::uint32_t h = ready_.front();
    ready_.pop_front();
    const Cta& c = slots_[h];
    out = CtaStart{h, c.cta, c.sm, warps_};
    return true;
  }

  bool fill(std::uint32_t h, std::uint32_t w, std::vector<AccessRecord>& out) override {
    Cta& c = slots_.at(h);
    Warp& wp = c.warps.at(w);
    while (wp.q.empty() && !wp.exited && read_one()) {
    }
    if (!wp.q.empty()) {
      buffered_ -= wp.q.size();
      handed_ += wp.q.size();
      out.insert(out.end(), wp.q.begin(), wp.q.end());
      wp.q.clear();
      return true;
    }
    if (wp.exited) return false;
    fail_at(in_.rd->records_read(),
            "warp " + std::to_string(w) + " of CTA " + std::to_string(c.cta) + " of kernel " +
                std::to_string(kernel_) +
                " has no warp_exit record: the kernel's records end before it exits (every warp "
                "of a version-2 kernel ends with one)");
  }

  void release(std::uint32_t h) override {
    Cta& c = slots_.at(h);
    by_cta_.erase(c.cta);
    c = Cta{};
    slots_.release(h);
  }
  std::uint64_t records() const override { return handed_; }
  // Reads to the end of the kernel without keeping what it passes (each record still checked).
  void skip_rest() override {
    discard_ = true;
    while (read_one()) {
    }
    ready_.clear();
  }

  // Called by TraceKernels once the replay is done with this kernel: what is left must be
  // consistent (every CTA that began was handed out and all its warps exited).
  void finish() {
    while (read_one()) {
    }
    if (!ready_.empty())
      fail_at(in_.rd->records_read(), "CTA " + std::to_string(slots_[ready_.front()].cta) +
                                          " of kernel " + std::to_string(kernel_) +
                                          " began but was never run");
  }

 private:
  struct Warp {
    std::vector<AccessRecord> q;
    bool exited = false;
  };
  struct Cta {
    std::uint32_t cta = 0;
    std::uint16_t sm = 0;
    std::vector<Warp> warps;
  };

  [[noreturn]] void fail_at(std::uint64_t record, const std::string& msg) const {
    throw input_error(SourceLoc{in_.rd->name(), 0, 0},
                      "trace record " + std::to_string(record) + ": " + msg);
  }

  // Reads one record of this kernel into the buffers; false at the kernel's end.
  bool read_one() {
    if (done_) return false;
    AccessRecord r;
    if (in_.ahead) {
      r = *in_.ahead;
      in_.ahead.reset();
    } else if (in_.eof || !in_.rd->next(r)) {
      in_.eof = true;
      done_ = true;
      return false;
    }
    const std::uint64_t index = in_.rd->records_read() - 1;
    if (r.kernel != kernel_) {
      if (r.kernel < kernel_)
        fail_at(index, "a record of kernel " + std::to_string(r.kernel) + " after kernel " +
                           std::to_string(kernel_) +
                           " began: a version-2 trace lists each kernel's records together");
      in_.ahead = r;
      done_ = true;
      return false;
    }
    if (!discard_) take(r, index);
    return true;
  }
  void take(const AccessRecord& r, std::uint64_t index) {
    const auto kind = static_cast<RecordKind>(r.kind);
    if (kind == RecordKind::kCtaBegin) {
      if (by_cta_.count(r.cta) || begun_.count(r.cta))
        fail_at(index, "a second cta_begin for CTA " + std::to_string(r.cta));
      const std::uint32_t h = slots_.acquire();
      Cta& c = slots_[h];
      c.cta = r.cta;
      c.sm = r.sm;
      c.warps.assign(warps_, Warp{});
      by_cta_[r.cta] = h;
      begun_.insert(r.cta);
      ready_.push_back(h);
      return;
    }
    auto it = by_cta_.find(r.cta);
    if (it == by_cta_.end()) {
      if (begun_.count(r.cta))
        fail_at(index, std::string(record_kind_name(r.kind)) + " record of CTA " +
                           std::to_string(r.cta) + " after all its warps exited");
      fail_at(index, std::string(record_kind_name(r.kind)) + " record of CTA " +
                         std::to_string(r.cta) +
                         " before its cta_begin (every record of a CTA "
                         "follows the CTA's cta_begin record)");
    }
    Cta& c = slots_[it->second];
    if (r.warp >= c.warps.size())
      fail_at(index, "warp " + std::to_string(r.warp) + " of CTA " + std::to_string(r.cta) +
                         " is outside the block's " + std::to_string(warps_) + " warps");
    Warp& w = c.warps[r.warp];
    if (w.exited)
      fail_at(index, std::string(record_kind_name(r.kind)) + " record of warp " +
                         std::to_string(r.warp) + " of CTA " + std::to_string(r.cta) +
                         " after its warp_exit");
    if (kind == RecordKind::kWarpExit) {
      w.exited = true;
      return;
    }
    if (++buffered_ > kMaxBuffered)
      fail_at(index, "more than " + std::to_string(kMaxBuffered) +
                         " records buffered: the trace interleaves CTAs too far apart to "
                         "stream (write each wave of CTAs together, as captures and "
                         "`accsim trace gen kernel` do)");
    w.q.push_back(r);
  }

  Reader& in_;
  std::uint16_t kernel_;
  const KernelInfo& info_;
  std::uint32_t warps_;
  SlotPool<Cta> slots_;  // per CTA handle
  std::unordered_map<std::uint32_t, std::uint32_t> by_cta_;
  // CTAs that began in this kernel (a cta id may not begin twice); O(CTAs) memory, 4 bytes each.
  std::unordered_set<std::uint32_t> begun_;
  std::deque<std::uint32_t> ready_;
  std::uint64_t buffered_ = 0, handed_ = 0;
  bool done_ = false;
  bool discard_ = false;
};

class FileKernels final : public TraceKernels {
 public:
  explicit FileKernels(AccessTraceReader rd) : rd_(std::move(rd)) {
    in_.rd = &rd_;
    if (rd_.header().version < 2) load_v1();
  }
  const AccessTraceMeta& meta() const override { return rd_.meta(); }
  std::uint16_t version() const override { return rd_.header().version; }

  KernelRecordSource* next_kernel() override {
    if (rd_.header().version < 2) {
      while (v1_next_ < v1_.size() && v1_[v1_next_].empty()) ++v1_next_;
      if (v1_next_ == v1_.size()) return nullptr;
      const std::size_t k = v1_next_++;
      cur_v1_ = make_vector_kernel_source(info_of(k), std::move(v1_[k]));
      return cur_v1_.get();
    }
    if (cur_) cur_->finish();
    cur_.reset();
    AccessRecord r;
    if (in_.ahead) {
      r = *in_.ahead;
    } else {
      if (in_.eof || !rd_.next(r)) return nullptr;
      in_.ahead = r;
    }
    if (r.kernel <= last_kernel_ && started_)
      throw input_error(SourceLoc{rd_.name(), 0, 0},
                        "trace record " + std::to_string(rd_.records_read() - 1) + ": kernel " +
                            std::to_string(r.kernel) + " after kernel " +
                            std::to_string(last_kernel_) +
                            ": a version-2 trace lists its kernels in order, each once");
    started_ = true;
    last_kernel_ = r.kernel;
    cur_info_ = info_of(r.kernel);
    cur_ = std::make_unique<StreamKernel>(in_, r.kernel, cur_info_);
    return cur_.get();
  }

 private:
  KernelInfo info_of(std::size_t k) const {
    const auto& ks = rd_.meta().kernels;
    if (k < ks.size()) return ks[k];
    KernelInfo i;
    i.name = "kernel" + std::to_string(k);
    return i;
  }
  void load_v1() {
    // Version 1 has no CTA/warp structure, so a kernel is only complete at the end of the file.
    v1_.resize(std::max<std::size_t>(1, rd_.meta().kernels.size()));
    AccessRecord r;
    while (rd_.next(r)) v1_[r.kernel].push_back(r);
  }

  AccessTraceReader rd_;
  StreamKernel::Reader in_;
  std::unique_ptr<StreamKernel> cur_;
  KernelInfo cur_info_;
  std::uint16_t last_kernel_ = 0;
  bool started_ = false;
  std::vector<std::vector<AccessRecord>> v1_;
  std::size_t v1_next_ = 0;
  std::unique_ptr<KernelRecordSource> cur_v1_;
};

}  // namespace

void KernelRecordSource::skip_rest() {
  CtaStart c;
  std::vector<AccessRecord> sink;
  while (next_cta(c)) {
    for (std::uint32_t w = 0; w < c.warps; ++w)
      while (fill(c.handle, w, sink)) sink.clear();
    release(c.handle);
  }
}

std::unique_ptr<KernelRecordSource> make_vector_kernel_source(KernelInfo info,
                                                              std::vector<AccessRecord> records) {
  return std::make_unique<VectorSource>(std::move(info), std::move(records));
}

std::unique_ptr<TraceKernels> open_trace_kernels(const std::string& path) {
  return std::make_unique<FileKernels>(AccessTraceReader(path));
}

std::unique_ptr<TraceKernels> open_trace_kernels_memory(const void* data, std::size_t n,
                                                        std::string name) {
  return std::make_unique<FileKernels>(AccessTraceReader(data, n, std::move(name)));
}

}  // namespace accsim::workloads
