//===- LiveRangeSplitter.h - Split a live range at a use ---------*- C++ -*-===//
//
// Live-range splitting for the rl4real allocator (LLVM 19 keeps SplitKit
// private). A split of virtual register V at instruction P renames every
// operand of V at or after P (in slot-index order) to a new register V2,
// inserts `V2 = COPY V` before P when a value of V is live into P, and, for
// each CFG edge on which V is live and the two ends now disagree on the name,
// a copy on that edge. Edge copies go at the head of a single-predecessor
// successor or at the tail of a single-successor predecessor; a split that
// would need a copy on a critical edge is not offered, so the CFG and every
// other live interval stay untouched.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_LIVERANGESPLITTER_H
#define RL4REAL_LIVERANGESPLITTER_H

#include "AllocContext.h"
#include "Schema.h"
#include "llvm/ADT/SmallVector.h"

namespace rl4real {

struct SplitPoint {
  llvm::MachineInstr *MI;   // the copy goes right before it
  llvm::SlotIndex Index;
  float Features[schema::NumSplitFeatures]; // schema::sf columns
};

class LiveRangeSplitter {
public:
  explicit LiveRangeSplitter(AllocContext &Ctx) : Ctx(Ctx) {}

  /// Whether VirtReg can be split at all (no subregister liveness, not live
  /// into an EH pad or inline-asm-br target, no terminator defs, no bundles).
  bool canSplit(llvm::Register VirtReg) const;

  /// The legal split points of VirtReg, in slot order, at most Max of them.
  llvm::SmallVector<SplitPoint, 16> splitPoints(llvm::Register VirtReg,
                                                unsigned Max) const;

  /// Splits VirtReg before At. VirtReg keeps the part before At; the new
  /// registers (the second half and any separated components of either half)
  /// are appended to NewVRegs. Returns false (changing nothing) if illegal.
  bool split(llvm::Register VirtReg, llvm::MachineInstr &At,
             llvm::SmallVectorImpl<llvm::Register> &NewVRegs);

private:
  struct EdgeCopy {
    llvm::MachineBasicBlock *Block;
    llvm::MachineBasicBlock::iterator Pos;
    bool ToSecond; // copy V -> V2 (else V2 -> V)
  };
  /// Plans the edge copies a split at P needs; false if one is on a critical
  /// edge.
  bool planEdgeCopies(const llvm::LiveInterval &LI, llvm::SlotIndex P,
                      llvm::SmallVectorImpl<EdgeCopy> &Copies) const;

  AllocContext &Ctx;
};

} // namespace rl4real

#endif
