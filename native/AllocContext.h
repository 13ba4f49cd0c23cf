//===- AllocContext.h - Shared state of one rl4real allocation ---*- C++ -*-===//
//
// The analyses one function's allocation works with, gathered in one place so
// that the decision state, the splitter and the fallback heuristic can share
// them, and the interface through which they change the allocation.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_ALLOCCONTEXT_H
#define RL4REAL_ALLOCCONTEXT_H

#include "llvm/CodeGen/CalcSpillWeights.h"
#include "llvm/CodeGen/LiveIntervals.h"
#include "llvm/CodeGen/LiveRegMatrix.h"
#include "llvm/CodeGen/MachineBlockFrequencyInfo.h"
#include "llvm/CodeGen/MachineFunction.h"
#include "llvm/CodeGen/MachineLoopInfo.h"
#include "llvm/CodeGen/MachineRegisterInfo.h"
#include "llvm/CodeGen/RegisterClassInfo.h"
#include "llvm/CodeGen/TargetInstrInfo.h"
#include "llvm/CodeGen/TargetRegisterInfo.h"
#include "llvm/CodeGen/VirtRegMap.h"
#include <memory>

namespace llvm {
class LiveDebugVariables;
}

namespace rl4real {

struct AllocContext {
  llvm::MachineFunction *MF = nullptr;
  const llvm::TargetRegisterInfo *TRI = nullptr;
  const llvm::TargetInstrInfo *TII = nullptr;
  llvm::MachineRegisterInfo *MRI = nullptr;
  llvm::LiveIntervals *LIS = nullptr;
  llvm::VirtRegMap *VRM = nullptr;
  llvm::LiveRegMatrix *Matrix = nullptr;
  llvm::MachineBlockFrequencyInfo *MBFI = nullptr;
  llvm::MachineLoopInfo *Loops = nullptr;
  llvm::LiveDebugVariables *LDV = nullptr;
  llvm::RegisterClassInfo RegClassInfo;
  std::unique_ptr<llvm::VirtRegAuxInfo> SpillWeights;
};

/// The edits an allocation strategy may ask for. The pass implements them and
/// keeps the decision state's bookkeeping in step.
class AllocationEditor {
public:
  virtual ~AllocationEditor() = default;
  virtual void assign(llvm::Register VirtReg, llvm::MCRegister PhysReg) = 0;
  /// Spill VirtReg (unassigning it first if needed); new intervals created by
  /// the spiller are appended to NewVRegs.
  virtual void spill(llvm::Register VirtReg,
                     llvm::SmallVectorImpl<llvm::Register> &NewVRegs) = 0;
};

} // namespace rl4real

#endif
