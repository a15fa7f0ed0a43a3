// Transformer steps as op traces (workloads/gen/transformer.h): one GPT-2 small layer recomputed
// by hand (launches, shapes, byte counts, the data flow between launches), decode, naive
// attention, bad parameters, the written op trace read back and replayable, and the same launches
// as reference/'s own plan of the step (reference/tests/data/steps.txt), record for record.
#include "workloads/gen/transformer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>

#include "tests/unit/workloads/trace_test_util.h"

namespace accsim::workloads {
namespace {

using Shape = std::vector<std::pair<std::string, std::uint64_t>>;

const TensorRef& tensor(const OpRecord& r, const std::string& name) {
  for (const auto& t : r.tensors)
    if (t.name == name) return t;
  ADD_FAILURE() << r.label << " has no tensor " << name;
  static const TensorRef none;
  return none;
}

TransformerStep gpt2_small(StepPhase phase) {
  TransformerStep s;
  s.model = transformer_model("gpt2-small", SourceLoc{});
  s.phase = phase;
  s.layers = 1;
  return s;
}

std::vector<std::string> labels(const std::vector<KernelLaunch>& ls) {
  std::vector<std::string> v;
  for (const auto& l : ls) v.push_back(l.rec.label);
  return v;
}

// GPT-2 small (d = 768, 12 heads of 64, d_ff = 3072, vocab 50257), a 1024-token prompt, fp16.
TEST(TransformerStep, Gpt2SmallPrefillLayerByHand) {
  TransformerStep s = gpt2_small(StepPhase::kPrefill);
  s.tokens = 1024;
  const auto ls = transformer_step_launches(s);
  ASSERT_EQ(labels(ls), (std::vector<std::string>{"L0.ln1", "L0.qkv", "L0.attn", "L0.proj",
                                                  "L0.res1", "L0.ln2", "L0.fc1", "L0.gelu",
                                                  "L0.fc2", "L0.res2", "ln_f", "lm_head"}));
  const std::vector<std::pair<std::string, Shape>> want = {
      {"layernorm_kernel", {{"rows", 1024}, {"cols", 768}}},
      {"gemm_tc_kernel", {{"M", 1024}, {"N", 2304}, {"K", 768}}},
      {"flash_fwd_kernel", {{"B", 1}, {"H", 12}, {"N", 1024}, {"d", 64}}},
      {"gemm_tc_kernel", {{"M", 1024}, {"N", 768}, {"K", 768}}},
      {"add_kernel", {{"n", 786432}}},
      {"layernorm_kernel", {{"rows", 1024}, {"cols", 768}}},
      {"gemm_tc_kernel", {{"M", 1024}, {"N", 3072}, {"K", 768}}},
      {"gelu_kernel", {{"n", 3145728}}},
      {"gemm_tc_kernel", {{"M", 1024}, {"N", 768}, {"K", 3072}}},
      {"add_kernel", {{"n", 786432}}},
      {"layernorm_kernel", {{"rows", 1024}, {"cols", 768}}},
      {"gemv_kernel", {{"M", 50257}, {"K", 768}}},
  };
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(ls[i].rec.kernel, want[i].first) << ls[i].rec.label;
    EXPECT_EQ(ls[i].rec.shape, want[i].second) << ls[i].rec.label;
    EXPECT_EQ(ls[i].rec.dtype, DType::kFp16);
  }
  EXPECT_TRUE(ls[2].rec.causal);
  // Bytes: the weights (2 bytes per element) and the activations of 1024 rows.
  const std::uint64_t act = 1024 * 768 * 2;  // 1 572 864
  EXPECT_EQ(tensor(ls[1].rec, "B").bytes, 2304u * 768 * 2);
  EXPECT_EQ(tensor(ls[1].rec, "C").bytes, 3 * act);
  EXPECT_EQ(tensor(ls[6].rec, "B").bytes, 3072u * 768 * 2);
  EXPECT_EQ(tensor(ls[8].rec, "B").bytes, 768u * 3072 * 2);
  EXPECT_EQ(tensor(ls[7].rec, "x").bytes, 1024u * 3072 * 2);
  EXPECT_EQ(tensor(ls[11].rec, "W").bytes, 50257u * 768 * 2);
  // Data flow: ln1 writes what qkv reads; attention reads Q, K, V as thirds of qkv's output;
  // proj reads attention's output; the residual adds into the stream ln1 read.
  EXPECT_EQ(tensor(ls[0].rec, "y").addr, tensor(ls[1].rec, "A").addr);
  const std::uint64_t c = tensor(ls[1].rec, "C").addr;
  EXPECT_EQ(tensor(ls[2].rec, "Q").addr, c);
  EXPECT_EQ(tensor(ls[2].rec, "K").addr, c + act);
  EXPECT_EQ(tensor(ls[2].rec, "V").addr, c + 2 * act);
  EXPECT_EQ(tensor(ls[2].rec, "Q").bytes, act);
  EXPECT_EQ(tensor(ls[2].rec, "O").addr, tensor(ls[3].rec, "A").addr);
  EXPECT_EQ(tensor(ls[3].rec, "C").addr, tensor(ls[4].rec, "b").addr);
  EXPECT_EQ(tensor(ls[4].rec, "a").addr, tensor(ls[0].rec, "x").addr);
  EXPECT_EQ(tensor(ls[4].rec, "y").addr, tensor(ls[0].rec, "x").addr);
  EXPECT_EQ(tensor(ls[6].rec, "C").addr, tensor(ls[7].rec, "x").addr);
  EXPECT_EQ(tensor(ls[7].rec, "y").addr, tensor(ls[8].rec, "A").addr);
  // The logits of the last token: the last row of ln_f's output.
  EXPECT_EQ(tensor(ls[11].rec, "x").addr, tensor(ls[10].rec, "y").addr + 1023 * 768 * 2);
  // No two distinct buffers overlap: weights of different launches are disjoint.
  EXPECT_GE(tensor(ls[6].rec, "B").addr,
            tensor(ls[1].rec, "B").addr + tensor(ls[1].rec, "B").bytes);
}

TEST(TransformerStep, WholeModelCountsLaunches) {
  TransformerStep s = gpt2_small(StepPhase::kPrefill);
  s.tokens = 128;
  s.layers = 0;
  EXPECT_EQ(transformer_step_launches(s).size(), 12u * 10 + 2);
  s.lm_head = false;
  EXPECT_EQ(transformer_step_launches(s).size(), 12u * 10);
  s.attention = PrefillAttention::kNaive;  // three launches instead of one
  EXPECT_EQ(transformer_step_launches(s).size(), 12u * 12);
}

TEST(TransformerStep, DecodeUsesGemvAndSplitKv) {
  TransformerStep s = gpt2_small(StepPhase::kDecode);
  s.context = 1023;  // the step's token is the 1024th
  const auto ls = transformer_step_launches(s);
  ASSERT_EQ(ls.size(), 13u);
  EXPECT_EQ(ls[1].rec.kernel, "gemv_kernel");
  EXPECT_EQ(ls[1].rec.shape, (Shape{{"M", 2304}, {"K", 768}}));
  EXPECT_EQ(ls[2].rec.label, "L0.attn.split");
  EXPECT_EQ(ls[2].rec.shape, (Shape{{"B", 1}, {"H", 12}, {"N", 1}, {"d", 64}, {"N_kv", 1024}}));
  EXPECT_EQ(tensor(ls[2].rec, "K").bytes, 12u * 1024 * 64 * 2);
  EXPECT_EQ(ls[3].rec.label, "L0.attn.combine");
  EXPECT_EQ(tensor(ls[2].rec, "partials").addr, tensor(ls[3].rec, "partials").addr);
  EXPECT_EQ(tensor(ls[3].rec, "out").addr, tensor(ls[4].rec, "x").addr);
  EXPECT_EQ(ls[4].rec.shape, (Shape{{"M", 768}, {"K", 768}}));
  EXPECT_EQ(ls.back().rec.shape, (Shape{{"M", 50257}, {"K", 768}}));
  // A batch of 4 sequences: the linear layers become GEMMs of 4 rows.
  s.batch = 4;
  const auto lb = transformer_step_launches(s);
  EXPECT_EQ(lb[1].rec.kernel, "gemm_tc_kernel");
  EXPECT_EQ(lb[1].rec.shape, (Shape{{"M", 4}, {"N", 2304}, {"K", 768}}));
  // The logits GEMM runs over the vocabulary padded to the kernel's N step of 8.
  EXPECT_EQ(lb.back().rec.shape, (Shape{{"M", 4}, {"N", 50264}, {"K", 768}}));
}

TEST(TransformerStep, NaiveAttentionIsThreeLaunches) {
  TransformerStep s = gpt2_small(StepPhase::kPrefill);
  s.tokens = 256;
  s.attention = PrefillAttention::kNaive;
  const auto ls = transformer_step_launches(s);
  EXPECT_EQ(ls[2].rec.label, "L0.attn.scores");
  EXPECT_EQ(ls[3].rec.label, "L0.attn.softmax");
  EXPECT_EQ(ls[4].rec.label, "L0.attn.pv");
  EXPECT_EQ(tensor(ls[2].rec, "C").bytes, 12u * 256 * 256 * 2);
  EXPECT_EQ(tensor(ls[2].rec, "C").addr, tensor(ls[4].rec, "A").addr);
}

TEST(TransformerStep, BadParametersAreUsageErrors) {
  const auto fails = [](TransformerStep s, const std::string& msg) {
    try {
      transformer_step_launches(s);
      ADD_FAILURE() << "no error for " << msg;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
  };
  TransformerStep p = gpt2_small(StepPhase::kPrefill);
  p.tokens = 1025;
  fails(p, "--tokens must be 1..1024");
  p.tokens = 0;
  fails(p, "--tokens must be 1..1024");
  TransformerStep d = gpt2_small(StepPhase::kDecode);
  d.context = 1024;
  fails(d, "--context must be 0..1023");
  d.context = 0;
  d.layers = 13;
  fails(d, "--layers 13 exceeds gpt2-small's 12 layers");
  d.layers = 1;
  d.batch = 0;
  fails(d, "--batch must be 1..");
  d.batch = 1;
  d.model.heads = 7;
  fails(d, "d_model 768 is not a multiple of heads 7");
  EXPECT_THROW(transformer_model("gpt2-smal", SourceLoc{}), Error);
}

// --ops keeps the named ops' launches of the whole step, with the whole step's addresses.
TEST(TransformerStep, OpsKeepOnlyTheNamedOpsLaunches) {
  TransformerStep s = gpt2_small(StepPhase::kPrefill);
  s.tokens = 128;
  s.layers = 2;
  s.attention = PrefillAttention::kNaive;
  const std::vector<KernelLaunch> all = transformer_step_launches(s);
  s.ops = parse_transformer_ops(" attn , lm_head");
  EXPECT_EQ(s.ops, (std::vector<std::string>{"attn", "lm_head"}));
  const std::vector<KernelLaunch> kept = transformer_step_launches(s);
  EXPECT_EQ(labels(kept), (std::vector<std::string>{"L0.attn.scores", "L0.attn.softmax",
                                                    "L0.attn.pv", "L1.attn.scores",
                                                    "L1.attn.softmax", "L1.attn.pv", "lm_head"}));
  for (const auto& k : kept) {
    const auto it = std::find_if(all.begin(), all.end(),
                                 [&](const KernelLaunch& a) { return a.rec.label == k.rec.label; });
    ASSERT_NE(it, all.end());
    EXPECT_EQ(op_record_to_json(it->rec), op_record_to_json(k.rec)) << k.rec.label;
  }
  EXPECT_EQ(transformer_label_op("L11.attn.split"), "attn");
  EXPECT_EQ(transformer_label_op("ln_f"), "ln_f");
  EXPECT_EQ(transformer_step_header(s).notes["step"]["ops"], nlohmann::json({"attn", "lm_head"}));
  s.ops = {"mlp"};
  EXPECT_THROW(transformer_step_launches(s), Error);
  s.ops = {"lm_head"};
  s.lm_head = false;
  EXPECT_THROW(transformer_step_launches(s), Error);  // keeps nothing
  EXPECT_THROW(parse_transformer_ops("qkv,,attn"), Error);
  EXPECT_THROW(parse_transformer_ops(""), Error);
}

// The options as `accsim trace gen model` and compare files spell them.
TEST(TransformerStep, StepFromOptionsChecksEachOption) {
  StepOptions o;
  o.model = "gpt2-small";
  o.phase = "prefill";
  o.tokens = 256;
  o.attention = "naive";
  o.dtype = "bf16";
  o.ops = "qkv";
  const TransformerStep s = transformer_step_from(o);
  EXPECT_EQ(s.phase, StepPhase::kPrefill);
  EXPECT_EQ(s.tokens, 256u);
  EXPECT_EQ(s.attention, PrefillAttention::kNaive);
  EXPECT_EQ(s.build.dtype, DType::kBf16);
  EXPECT_EQ(s.ops, std::vector<std::string>{"qkv"});
  const auto fails = [](StepOptions x, const std::string& msg) {
    try {
      transformer_step_from(x);
      ADD_FAILURE() << "no error for " << msg;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
  };
  StepOptions b = o;
  b.phase = "train";
  fails(b, "--phase expects prefill or decode");
  b = o;
  b.tokens.reset();
  fails(b, "prefill needs --tokens");
  b = o;
  b.attention = "sparse";
  fails(b, "--attention expects flash or naive");
  b = o;
  b.phase = "decode";
  b.tokens.reset();
  fails(b, "--attention applies to prefill");
  b = o;
  b.dtype = "fp32";
  fails(b, "--dtype expects fp16 or bf16");
  b = o;
  b.sm_count = 0;
  fails(b, "--sm-count must be 1..4096");
}

// reference/ plans the same steps with its launchers' own plan (accsim_ref plan, CPU dry run);
// its op traces are committed (reference/tests/data/steps.txt lists them with the options that
// generate each here). Every launch record must be the same line, field for field.
StepOptions options_from(const std::string& args) {
  std::istringstream in(args);
  std::vector<std::string> t{std::istream_iterator<std::string>(in), {}};
  StepOptions o;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto next = [&] { return i + 1 < t.size() ? t[++i] : std::string(); };
    const auto num = [&] { return std::stoull(next()); };
    if (t[i] == "--model")
      o.model = next();
    else if (t[i] == "--phase")
      o.phase = next();
    else if (t[i] == "--tokens")
      o.tokens = num();
    else if (t[i] == "--context")
      o.context = num();
    else if (t[i] == "--batch")
      o.batch = num();
    else if (t[i] == "--layers")
      o.layers = num();
    else if (t[i] == "--attention")
      o.attention = next();
    else if (t[i] == "--dtype")
      o.dtype = next();
    else if (t[i] == "--sm-count")
      o.sm_count = static_cast<std::uint32_t>(num());
    else if (t[i] == "--no-lm-head")
      o.lm_head = false;
    else
      ADD_FAILURE() << "steps.txt: unknown option " << t[i];
  }
  return o;
}

TEST(TransformerStep, MatchesReferencePlan) {
  const std::string dir = std::string(ACCSIM_SOURCE_DIR) + "/reference/tests/data/";
  std::ifstream list(dir + "steps.txt");
  ASSERT_TRUE(list) << dir << "steps.txt";
  int steps = 0;
  for (std::string line; std::getline(list, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto a = line.find(" | "), b = line.find(" | ", a + 3);
    ASSERT_NE(b, std::string::npos) << line;
    const std::string file = line.substr(0, a);
    SCOPED_TRACE(file);
    ++steps;
    const auto ls =
        transformer_step_launches(transformer_step_from(options_from(line.substr(b + 3))));
    std::ifstream golden(dir + file);
    ASSERT_TRUE(golden) << dir + file;
    std::vector<std::string> want;
    for (std::string l; std::getline(golden, l);) want.push_back(l);
    ASSERT_EQ(want.size(), ls.size() + 1);  // the header, then one line per launch
    for (std::size_t i = 0; i < ls.size(); ++i)
      EXPECT_EQ(op_record_to_json(ls[i].rec), want[i + 1]) << "launch " << i;
    // And accsim's reader takes reference's file as it is.
    EXPECT_EQ(read_op_trace(dir + file).size(), ls.size());
  }
  EXPECT_GE(steps, 4);
}

class TransformerTrace : public testing::TraceTest {};

TEST_F(TransformerTrace, WrittenTraceReadsBackAndEveryLaunchReplays) {
  TransformerStep s = gpt2_small(StepPhase::kDecode);
  s.context = 63;
  const auto ls = transformer_step_launches(s);
  std::vector<OpRecord> recs;
  for (const auto& l : ls) recs.push_back(l.rec);
  const std::string file = path("step.jsonl");
  write_op_trace(file, transformer_step_header(s), recs);
  OpTraceHeader h;
  const auto back = read_op_trace(file, &h);
  ASSERT_EQ(back.size(), recs.size());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(back[i], recs[i]) << i;
    // What the GPU target does with each record: the launch rebuilt from the trace is the one
    // the step built (the combine takes the split's key count from its neighbour).
    const KernelLaunch l = launch_from_op_trace(back, i);
    EXPECT_EQ(l.kv_len, ls[i].kv_len) << i;
    EXPECT_GT(kernel_accesses(l).size(), 0u) << back[i].label;
  }
  EXPECT_EQ(h.notes["model"]["name"], "gpt2-small");
  EXPECT_EQ(h.notes["step"]["context"], 63);
}

}  // namespace
}  // namespace accsim::workloads
