#pragma once
// The values an engine computes, in fixed point (README.md "Fixed point"). Internal to
// models/fpga: the simulator calls it per firing; tests check it against host references.
#include <vector>

#include "models/fpga/fpga.h"

namespace accsim::fpga::detail {

class LayerCompute {
 public:
  LayerCompute(const ModelDesc& m, int layer_index);
  // Row-wise kinds: one output row from one input row (`b` = second input of add).
  void row(const double* a, const double* b, double* out) const;
  // Any kind: the whole output tensor (rows_out x cols_out) from the input tensor(s).
  void tensor(const std::vector<double>& a, const std::vector<double>* b,
              std::vector<double>& out) const;
  std::int64_t in_rows() const { return in_rows_; }
  std::int64_t in_cols() const { return in_cols_; }

 private:
  void softmax_row(const double* x, std::int64_t n, const FixedType& out_t, double* out) const;
  void dense_row(const double* x, std::int64_t n_in, std::int64_t n_out, const double* w,
                 const double* b, const FixedType& out_t, double* out) const;
  const LayerDesc* l_;
  std::int64_t in_rows_ = 0, in_cols_ = 0;
  std::vector<double> w_;  // weights and biases in the order of README.md "Weights"
  std::vector<double> exp_table_, inv_table_, table_;
  double exp_step_ = 1, inv_step_ = 1, table_lo_ = 0, table_step_ = 1;
};

}  // namespace accsim::fpga::detail
