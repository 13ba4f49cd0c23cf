//===- CalleeSavedCost.h - Cost of callee-saved saves and restores -*- C++ -*-===//
//
// The allocation cost that AllocationCost cannot see: measured after the
// rewriter, it misses the saves and restores of callee-saved registers that
// prologue/epilogue insertion (PEI) adds for every callee-saved register the
// allocation uses. An allocator that trades copies for callee-saved registers
// would look better than it is. This file measures those saves and restores
// on the code PEI produced (x86 push/pop, AArch64 stp/ldp, wherever shrink
// wrapping put them), weighted by block frequency like the other figures, and
// registers:
//  - the rl4real-csr-cost pass, which measures MIR stopped after PEI
//    (`llc -stop-after=prologepilog`), for LLVM's allocators and ours alike;
//  - a pass the rl4real-server episodes run right after PEI, which sends the
//    allocator's FUNCTION_DONE state with these figures added (llc has no
//    way for a plugin to add a pass after PEI, so there the figures stay
//    unmeasured).
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_CALLEESAVEDCOST_H
#define RL4REAL_CALLEESAVEDCOST_H

#include "rl4real.pb.h"

namespace llvm {
class FunctionPass;
class MachineFunction;
class MachineBlockFrequencyInfo;
class raw_ostream;
} // namespace llvm

namespace rl4real {

struct CalleeSavedFigures {
  /// Block-frequency-weighted register saves and restores.
  double SaveCost = 0, RestoreCost = 0;
  /// Registers saved and restored (a pair instruction counts two).
  unsigned Saves = 0, Restores = 0;

  /// A save is a store and a restore a load: MLGO's spill and reload weights
  /// (AllocationFigures::SpillWeight, ReloadWeight).
  double weighted() const;
  void printJSON(llvm::raw_ostream &OS, const char *Function) const;
  /// Adds the figures to a protocol Figures message.
  void addTo(Figures &Out) const;
};

/// Measures the callee-saved saves and restores of MF after PEI: the stores
/// of a callee-saved register in frame-setup code and its loads in
/// frame-destroy code. The frame record is left out (the frame pointer when
/// the function has one, and the return-address register when the function
/// makes calls or has a frame pointer): every allocator pays for it.
CalleeSavedFigures
measureCalleeSaved(const llvm::MachineFunction &MF,
                   const llvm::MachineBlockFrequencyInfo &MBFI);

/// Whether the host runs the pass of createFunctionDoneAfterPEI() after PEI,
/// so that the allocator leaves its FUNCTION_DONE state to it.
bool functionDoneAfterPEI();
void setFunctionDoneAfterPEI(bool Enabled);
/// Hands the allocator's FUNCTION_DONE state to the pass after PEI.
void deferFunctionDone(State &&Done);
/// The pass that completes a deferred FUNCTION_DONE state with the
/// callee-saved figures and exchanges it with the client.
llvm::FunctionPass *createFunctionDoneAfterPEI();

} // namespace rl4real

#endif
