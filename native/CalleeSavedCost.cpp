//===- CalleeSavedCost.cpp - Cost of callee-saved saves and restores ------===//
//
// Measures what PEI inserted for the callee-saved registers an allocation
// used (see CalleeSavedCost.h), and registers the two passes that report it:
//   llc -load librl4real.so -run-pass=rl4real-csr-cost
//       -rl4real-csr-cost-output=F f.mir      (f.mir: -stop-after=prologepilog)
// and, in rl4real-server episodes, the pass after PEI that sends the
// allocator's FUNCTION_DONE state.
//
//===----------------------------------------------------------------------===//

#include "CalleeSavedCost.h"
#include "AllocationCost.h"
#include "EpisodeClient.h"
#include "PluginOptions.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/CodeGen/MachineBlockFrequencyInfo.h"
#include "llvm/CodeGen/MachineFrameInfo.h"
#include "llvm/CodeGen/MachineFunctionPass.h"
#include "llvm/CodeGen/PseudoSourceValue.h"
#include "llvm/CodeGen/TargetFrameLowering.h"
#include "llvm/CodeGen/TargetRegisterInfo.h"
#include "llvm/CodeGen/TargetSubtargetInfo.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"
#include <optional>

using namespace llvm;
using namespace rl4real;

double CalleeSavedFigures::weighted() const {
  return AllocationFigures::SpillWeight * SaveCost +
         AllocationFigures::ReloadWeight * RestoreCost;
}

void CalleeSavedFigures::printJSON(raw_ostream &OS,
                                   const char *Function) const {
  OS << "{\"function\": \"" << Function << "\", \"csr_cost\": "
     << format("%.6f", weighted()) << ", \"csr_save_cost\": "
     << format("%.6f", SaveCost) << ", \"csr_restore_cost\": "
     << format("%.6f", RestoreCost) << ", \"csr_saves\": " << Saves
     << ", \"csr_restores\": " << Restores << "}\n";
}

void CalleeSavedFigures::addTo(Figures &Out) const {
  Out.set_csr_measured(true);
  Out.set_csr_cost(weighted());
  Out.set_csr_save_cost(SaveCost);
  Out.set_csr_restore_cost(RestoreCost);
  Out.set_csr_saves(Saves);
  Out.set_csr_restores(Restores);
}

CalleeSavedFigures
rl4real::measureCalleeSaved(const MachineFunction &MF,
                            const MachineBlockFrequencyInfo &MBFI) {
  CalleeSavedFigures F;
  const MachineFrameInfo &MFI = MF.getFrameInfo();
  if (!MFI.isCalleeSavedInfoValid())
    return F;
  const TargetRegisterInfo &TRI = *MF.getSubtarget().getRegisterInfo();
  const TargetFrameLowering &TFL = *MF.getSubtarget().getFrameLowering();
  // The frame record is not the allocation's doing.
  bool HasFP = TFL.hasFP(MF);
  MCRegister FrameReg = HasFP ? TRI.getFrameRegister(MF).asMCReg() : MCRegister();
  MCRegister RAReg = (HasFP || MFI.hasCalls()) ? TRI.getRARegister() : MCRegister();
  SmallSet<MCRegister, 16> Saved;
  SmallSet<int, 16> Slots; // the frame objects the saves go to
  for (const CalleeSavedInfo &I : MFI.getCalleeSavedInfo())
    if (I.getReg() != FrameReg && I.getReg() != RAReg) {
      Saved.insert(I.getReg());
      if (!I.isSpilledToReg())
        Slots.insert(I.getFrameIdx());
    }
  if (Saved.empty())
    return F;
  // Whether MI accesses a callee-saved register's slot. x86 and AArch64 flag
  // their saves and restores as frame set-up and destruction; RISC-V spills
  // them with ordinary stores and loads, known only by their slot.
  auto TouchesSlot = [&](const MachineInstr &MI) {
    for (const MachineMemOperand *MMO : MI.memoperands())
      if (const auto *FS = dyn_cast_or_null<FixedStackPseudoSourceValue>(
              MMO->getPseudoValue()))
        if (Slots.count(FS->getFrameIndex()))
          return true;
    return false;
  };
  for (const MachineBasicBlock &MBB : MF) {
    double Freq = MBFI.getBlockFreqRelativeToEntryBlock(&MBB);
    for (const MachineInstr &MI : MBB) {
      bool Slot = (MI.mayStore() || MI.mayLoad()) && TouchesSlot(MI);
      bool Save = MI.mayStore() &&
                  (MI.getFlag(MachineInstr::FrameSetup) || Slot);
      bool Restore = MI.mayLoad() &&
                     (MI.getFlag(MachineInstr::FrameDestroy) || Slot);
      if (!Save && !Restore)
        continue;
      for (const MachineOperand &MO : MI.explicit_operands()) {
        if (!MO.isReg() || !MO.getReg().isPhysical() ||
            !Saved.count(MO.getReg().asMCReg()))
          continue;
        if (Save && MO.isUse()) {
          ++F.Saves;
          F.SaveCost += Freq;
        } else if (Restore && MO.isDef()) {
          ++F.Restores;
          F.RestoreCost += Freq;
        }
      }
    }
  }
  return F;
}

//===----------------------------------------------------------------------===//
// rl4real-csr-cost: measures MIR that stopped after PEI
//===----------------------------------------------------------------------===//

namespace {

cl::opt<std::string> CsrCostOutput(
    "rl4real-csr-cost-output",
    cl::desc("Append the rl4real-csr-cost figures as JSON lines to this file "
             "(default: stderr)"),
    cl::init(""));

/// Measures the callee-saved saves and restores of a function after PEI;
/// changes nothing.
class CalleeSavedCostPass : public MachineFunctionPass {
public:
  static char ID;
  CalleeSavedCostPass() : MachineFunctionPass(ID) {}
  StringRef getPassName() const override {
    return "rl4real callee-saved cost";
  }
  void getAnalysisUsage(AnalysisUsage &AU) const override {
    AU.setPreservesAll();
    AU.addRequired<MachineBlockFrequencyInfoWrapperPass>();
    MachineFunctionPass::getAnalysisUsage(AU);
  }
  bool runOnMachineFunction(MachineFunction &MF) override {
    auto &MBFI = getAnalysis<MachineBlockFrequencyInfoWrapperPass>().getMBFI();
    CalleeSavedFigures F = measureCalleeSaved(MF, MBFI);
    std::string Name = MF.getName().str();
    appendFigures(CsrCostOutput, "rl4real-csr-cost",
                  [&](raw_ostream &OS) { F.printJSON(OS, Name.c_str()); });
    return false;
  }
};

char CalleeSavedCostPass::ID = 0;
RegisterPass<CalleeSavedCostPass>
    X("rl4real-csr-cost",
      "Measure the block-frequency-weighted callee-saved saves and restores "
      "of a function after prologue/epilogue insertion",
      false, true);

//===----------------------------------------------------------------------===//
// FUNCTION_DONE after PEI (rl4real-server episodes)
//===----------------------------------------------------------------------===//

bool DeferEnabled = false;
std::optional<State> PendingDone;

/// Completes the FUNCTION_DONE state the allocator left (if it left one for
/// this function) with the callee-saved figures, and exchanges it with the
/// client: the driver sees the same FUNCTION_DONE as before, only later.
class FunctionDoneAfterPEI : public MachineFunctionPass {
public:
  static char ID;
  FunctionDoneAfterPEI() : MachineFunctionPass(ID) {}
  StringRef getPassName() const override {
    return "rl4real FUNCTION_DONE after PEI";
  }
  void getAnalysisUsage(AnalysisUsage &AU) const override {
    AU.setPreservesAll();
    AU.addRequired<MachineBlockFrequencyInfoWrapperPass>();
    MachineFunctionPass::getAnalysisUsage(AU);
  }
  bool runOnMachineFunction(MachineFunction &MF) override {
    if (!PendingDone)
      return false;
    State Done = std::move(*PendingDone);
    PendingDone.reset();
    EpisodeClient *Client = EpisodeClient::get();
    if (Done.function_name() != MF.getName() || !Client || Client->closed())
      return false;
    auto &MBFI = getAnalysis<MachineBlockFrequencyInfoWrapperPass>().getMBFI();
    measureCalleeSaved(MF, MBFI).addTo(*Done.mutable_figures());
    Action Ack;
    Client->exchange(Done, Ack, std::chrono::seconds(opts::ClientTimeout));
    return false;
  }
};

char FunctionDoneAfterPEI::ID = 0;

} // namespace

bool rl4real::functionDoneAfterPEI() { return DeferEnabled; }
void rl4real::setFunctionDoneAfterPEI(bool Enabled) { DeferEnabled = Enabled; }
void rl4real::deferFunctionDone(State &&Done) { PendingDone = std::move(Done); }
FunctionPass *rl4real::createFunctionDoneAfterPEI() {
  return new FunctionDoneAfterPEI();
}
