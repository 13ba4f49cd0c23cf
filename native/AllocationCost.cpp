//===- AllocationCost.cpp - Block-frequency-weighted spill cost -----------===//
//
// Also registers the rl4real-cost pass, which measures already-allocated MIR
// (e.g. `llc -regalloc=greedy -stop-after=virtregrewriter`) so that LLVM's own
// allocators are measured exactly like ours:
//   llc -load librl4real.so -run-pass=rl4real-cost -rl4real-cost-output=F f.mir
//
//===----------------------------------------------------------------------===//

#include "AllocationCost.h"
#include "llvm/CodeGen/MachineBlockFrequencyInfo.h"
#include "llvm/CodeGen/MachineFrameInfo.h"
#include "llvm/CodeGen/MachineFunctionPass.h"
#include "llvm/CodeGen/MachineMemOperand.h"
#include "llvm/CodeGen/PseudoSourceValue.h"
#include "llvm/CodeGen/TargetInstrInfo.h"
#include "llvm/CodeGen/TargetRegisterInfo.h"
#include "llvm/CodeGen/TargetSubtargetInfo.h"
#include "llvm/CodeGen/VirtRegMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace rl4real;

namespace {

bool touchesSpillSlot(ArrayRef<const MachineMemOperand *> Accesses,
                      const MachineFrameInfo &MFI) {
  for (const MachineMemOperand *MMO : Accesses)
    if (const auto *FS = dyn_cast_or_null<FixedStackPseudoSourceValue>(
            MMO->getPseudoValue()))
      if (MFI.isSpillSlotObjectIndex(FS->getFrameIndex()))
        return true;
  return false;
}

/// The physical register an operand will name after rewriting, or 0 if it is
/// not known (an unassigned virtual register).
MCRegister finalReg(const MachineOperand &MO, const VirtRegMap *VRM,
                    const TargetRegisterInfo &TRI) {
  Register R = MO.getReg();
  if (R.isVirtual()) {
    if (!VRM || !VRM->hasPhys(R))
      return MCRegister();
    R = VRM->getPhys(R);
  }
  if (MO.getSubReg())
    return TRI.getSubReg(R, MO.getSubReg());
  return R.asMCReg();
}

bool isKeptCopy(const MachineInstr &MI, const VirtRegMap *VRM,
                const TargetRegisterInfo &TRI) {
  if (!MI.isCopy())
    return false;
  MCRegister Dst = finalReg(MI.getOperand(0), VRM, TRI);
  MCRegister Src = finalReg(MI.getOperand(1), VRM, TRI);
  return !Dst || !Src || Dst != Src;
}

} // namespace

AllocationFigures rl4real::measureAllocation(const MachineFunction &MF,
                                             const MachineBlockFrequencyInfo &MBFI,
                                             const VirtRegMap *VRM) {
  AllocationFigures F;
  const TargetInstrInfo &TII = *MF.getSubtarget().getInstrInfo();
  const TargetRegisterInfo &TRI = *MF.getSubtarget().getRegisterInfo();
  const MachineFrameInfo &MFI = MF.getFrameInfo();
  for (const MachineBasicBlock &MBB : MF) {
    double Freq = MBFI.getBlockFreqRelativeToEntryBlock(&MBB);
    for (const MachineInstr &MI : MBB.instrs()) {
      if (MI.isDebugInstr() || MI.isBundle())
        continue;
      int FI = 0;
      if (TII.isLoadFromStackSlot(MI, FI) && MFI.isSpillSlotObjectIndex(FI)) {
        ++F.Reloads;
        F.ReloadCost += Freq;
        continue;
      }
      if (TII.isStoreToStackSlot(MI, FI) && MFI.isSpillSlotObjectIndex(FI)) {
        ++F.Spills;
        F.SpillCost += Freq;
        continue;
      }
      SmallVector<const MachineMemOperand *, 2> Accesses;
      if (TII.hasLoadFromStackSlot(MI, Accesses) &&
          touchesSpillSlot(Accesses, MFI)) {
        ++F.FoldedReloads;
        F.ReloadCost += Freq;
      }
      Accesses.clear();
      if (TII.hasStoreToStackSlot(MI, Accesses) &&
          touchesSpillSlot(Accesses, MFI)) {
        ++F.FoldedSpills;
        F.SpillCost += Freq;
      }
      if (isKeptCopy(MI, VRM, TRI)) {
        ++F.Copies;
        F.CopyCost += Freq;
      }
    }
  }
  return F;
}

void AllocationFigures::printJSON(raw_ostream &OS, const char *Function) const {
  OS << "{\"function\": \"" << Function << "\", \"weighted_cost\": "
     << format("%.6f", weighted()) << ", \"reload_cost\": "
     << format("%.6f", ReloadCost) << ", \"spill_cost\": "
     << format("%.6f", SpillCost) << ", \"copy_cost\": "
     << format("%.6f", CopyCost) << ", \"reloads\": " << Reloads
     << ", \"spills\": " << Spills << ", \"folded_reloads\": " << FoldedReloads
     << ", \"folded_spills\": " << FoldedSpills << ", \"copies\": " << Copies
     << "}\n";
}

void rl4real::appendFigures(StringRef Path, StringRef Who,
                            function_ref<void(raw_ostream &)> Print) {
  if (Path.empty()) {
    Print(errs());
    return;
  }
  std::error_code EC;
  raw_fd_ostream OS(Path, EC, sys::fs::OF_Append);
  if (EC)
    report_fatal_error(Twine(Who) + ": cannot open " + Path + ": " +
                       EC.message());
  Print(OS);
}

namespace {

cl::opt<std::string>
    CostOutput("rl4real-cost-output",
               cl::desc("Append the rl4real-cost figures as JSON lines to "
                        "this file (default: stderr)"),
               cl::init(""));

/// Measures an allocated function; changes nothing.
class AllocationCostPass : public MachineFunctionPass {
public:
  static char ID;
  AllocationCostPass() : MachineFunctionPass(ID) {}
  StringRef getPassName() const override { return "rl4real allocation cost"; }
  void getAnalysisUsage(AnalysisUsage &AU) const override {
    AU.setPreservesAll();
    AU.addRequired<MachineBlockFrequencyInfoWrapperPass>();
    MachineFunctionPass::getAnalysisUsage(AU);
  }
  bool runOnMachineFunction(MachineFunction &MF) override {
    auto &MBFI = getAnalysis<MachineBlockFrequencyInfoWrapperPass>().getMBFI();
    AllocationFigures F = measureAllocation(MF, MBFI, nullptr);
    std::string Name = MF.getName().str();
    appendFigures(CostOutput, "rl4real-cost",
                  [&](raw_ostream &OS) { F.printJSON(OS, Name.c_str()); });
    return false;
  }
};

char AllocationCostPass::ID = 0;
RegisterPass<AllocationCostPass> X("rl4real-cost",
                                   "Measure block-frequency-weighted spill "
                                   "cost of an allocated function",
                                   false, true);

} // namespace
