#include "hw/dram_spec.h"

namespace accsim::hw {

std::string_view standard_name(DramStandard s) {
  switch (s) {
    case DramStandard::kDDR4:
      return "DDR4";
    case DramStandard::kDDR5:
      return "DDR5";
    case DramStandard::kLPDDR5:
      return "LPDDR5";
    case DramStandard::kHBM2:
      return "HBM2";
    case DramStandard::kHBM3:
      return "HBM3";
    case DramStandard::kGDDR6:
      return "GDDR6";
  }
  return "?";
}

}  // namespace accsim::hw
