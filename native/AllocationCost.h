//===- AllocationCost.h - Block-frequency-weighted spill cost ---*- C++ -*-===//
//
// One accounting of allocation quality for every allocator: spill-slot loads
// (reloads) and stores (spills), pure or folded into another instruction, and
// the copies that survive rewriting, each weighted by the block's frequency
// relative to the entry block. The total uses MLGO's published weights
// (reload 4.0, spill 1.0, copy 0.2).
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_ALLOCATIONCOST_H
#define RL4REAL_ALLOCATIONCOST_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

namespace llvm {
class MachineFunction;
class MachineBlockFrequencyInfo;
class VirtRegMap;
class raw_ostream;
} // namespace llvm

namespace rl4real {

struct AllocationFigures {
  double ReloadCost = 0, SpillCost = 0, CopyCost = 0;
  unsigned Reloads = 0, Spills = 0, FoldedReloads = 0, FoldedSpills = 0,
           Copies = 0;

  static constexpr double ReloadWeight = 4.0;
  static constexpr double SpillWeight = 1.0;
  static constexpr double CopyWeight = 0.2;
  double weighted() const {
    return ReloadWeight * ReloadCost + SpillWeight * SpillCost +
           CopyWeight * CopyCost;
  }
  void printJSON(llvm::raw_ostream &OS, const char *Function) const;
};

/// Measures MF. Before rewriting, pass the VirtRegMap so that copies between
/// virtual registers assigned to the same physical register (which the
/// rewriter deletes) are not counted; after rewriting, pass nullptr.
AllocationFigures measureAllocation(const llvm::MachineFunction &MF,
                                    const llvm::MachineBlockFrequencyInfo &MBFI,
                                    const llvm::VirtRegMap *VRM);

/// Writes one function's figures (Print writes the JSON line) to the end of
/// Path, or to stderr when Path is empty. A file that cannot be opened is a
/// fatal error naming Who (the pass or option that asked for it).
void appendFigures(llvm::StringRef Path, llvm::StringRef Who,
                   llvm::function_ref<void(llvm::raw_ostream &)> Print);

} // namespace rl4real

#endif
