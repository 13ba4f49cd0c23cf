//===- HeuristicAllocator.h - Fallback allocation heuristic -----*- C++ -*-===//
//
// What the rl4real allocator does for everything the agent does not decide:
// registers of classes outside the colour table, the small intervals the
// spiller creates around each reload and spill, functions allocated without a
// client, and whatever is left when the client says FINISH. Like LLVM's basic
// allocator it takes intervals in descending spill-weight order, gives each a
// free register (its hint first), else evicts (spills) strictly lighter
// spillable interference, else spills the interval itself. Evicting only
// lighter intervals guarantees termination.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_HEURISTICALLOCATOR_H
#define RL4REAL_HEURISTICALLOCATOR_H

#include "AllocContext.h"

namespace rl4real {

class HeuristicAllocator {
public:
  HeuristicAllocator(AllocContext &Ctx, AllocationEditor &Editor)
      : Ctx(Ctx), Editor(Editor) {}

  /// Returns the register to assign VirtReg to, 0 if VirtReg was spilled, or
  /// ~0u if no register can be found and VirtReg cannot be spilled.
  /// Intervals created by spilling are appended to NewVRegs; evicted
  /// intervals are counted in Evictions.
  llvm::MCRegister selectOrSpill(const llvm::LiveInterval &VirtReg,
                                 llvm::SmallVectorImpl<llvm::Register> &NewVRegs,
                                 unsigned &Evictions);

  /// A free register for VirtReg (its hint first), or 0.
  llvm::MCRegister findFree(const llvm::LiveInterval &VirtReg) const;

private:
  /// Total weight of the interference on PhysReg if all of it is spillable
  /// and lighter than VirtReg, else a negative number.
  float evictionCost(const llvm::LiveInterval &VirtReg,
                     llvm::MCRegister PhysReg,
                     llvm::SmallVectorImpl<llvm::Register> *Victims) const;

  AllocContext &Ctx;
  AllocationEditor &Editor;
};

} // namespace rl4real

#endif
