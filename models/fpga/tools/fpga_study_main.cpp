// Runs the FPGA study (configs/fpga/jet_tagger_study.yaml by default) and prints its tables;
// exit status 1 if a claim of the study does not hold (README.md "Validation").
#include <iostream>

#include "models/fpga/fpga.h"

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "configs/fpga/jet_tagger_study.yaml";
  try {
    accsim::fpga::StudyResult r = accsim::fpga::run_study(path);
    std::cout << r.table;
    for (const auto& c : r.failed_claims) std::cout << "CLAIM FAILED: " << c << "\n";
    return r.claims_hold ? 0 : 1;
  } catch (const accsim::Error& e) {
    std::cerr << "accsim_fpga_study: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  }
}
