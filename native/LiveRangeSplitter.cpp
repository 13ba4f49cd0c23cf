//===- LiveRangeSplitter.cpp - Split a live range at a use ----------------===//

#include "LiveRangeSplitter.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/CodeGen/LiveDebugVariables.h"
#include "llvm/CodeGen/MachineInstrBuilder.h"
#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace rl4real;

bool LiveRangeSplitter::canSplit(Register VirtReg) const {
  const LiveInterval &LI = Ctx.LIS->getInterval(VirtReg);
  if (LI.empty() || LI.hasSubRanges())
    return false;
  const TargetRegisterClass *RC = Ctx.MRI->getRegClass(VirtReg);
  if (RC->getCopyCost() < 0)
    return false;
  for (const MachineOperand &MO : Ctx.MRI->reg_nodbg_operands(VirtReg)) {
    const MachineInstr &MI = *MO.getParent();
    if (MI.isBundled() || MI.isInlineAsm() || (MO.isDef() && MI.isTerminator()))
      return false;
  }
  for (const MachineBasicBlock &MBB : *Ctx.MF)
    if ((MBB.isEHPad() || MBB.isInlineAsmBrIndirectTarget()) &&
        Ctx.LIS->isLiveInToMBB(LI, &MBB))
      return false;
  return true;
}

bool LiveRangeSplitter::planEdgeCopies(const LiveInterval &LI, SlotIndex P,
                                       SmallVectorImpl<EdgeCopy> &Copies) const {
  LiveIntervals &LIS = *Ctx.LIS;
  for (MachineBasicBlock &Succ : *Ctx.MF) {
    if (!LIS.isLiveInToMBB(LI, &Succ))
      continue;
    bool SuccSecond = !(LIS.getMBBStartIdx(&Succ) < P);
    SmallPtrSet<MachineBasicBlock *, 4> Seen;
    for (MachineBasicBlock *Pred : Succ.predecessors()) {
      if (!Seen.insert(Pred).second)
        continue;
      bool PredSecond = !(LIS.getMBBEndIdx(Pred).getPrevSlot() < P);
      if (PredSecond == SuccSecond)
        continue;
      if (Succ.pred_size() == 1) {
        Copies.push_back(
            {&Succ, Succ.SkipPHIsLabelsAndDebug(Succ.begin()), SuccSecond});
      } else if (Pred->succ_size() == 1) {
        Copies.push_back({Pred, Pred->getFirstTerminator(), SuccSecond});
      } else {
        return false; // would need a copy on a critical edge
      }
    }
  }
  return true;
}

SmallVector<SplitPoint, 16> LiveRangeSplitter::splitPoints(Register VirtReg,
                                                           unsigned Max) const {
  SmallVector<SplitPoint, 16> Points;
  if (!canSplit(VirtReg))
    return Points;
  const LiveInterval &LI = Ctx.LIS->getInterval(VirtReg);
  SmallVector<std::pair<SlotIndex, MachineInstr *>, 16> Users;
  SmallPtrSet<MachineInstr *, 16> Seen;
  for (MachineInstr &MI : Ctx.MRI->reg_nodbg_instructions(VirtReg))
    if (Seen.insert(&MI).second)
      Users.push_back({Ctx.LIS->getInstructionIndex(MI), &MI});
  llvm::sort(Users, [](const auto &A, const auto &B) { return A.first < B.first; });
  double Span = std::max<double>(1.0, LI.beginIndex().distance(LI.endIndex()));
  for (unsigned I = 1; I < Users.size() && Points.size() < Max; ++I) {
    MachineInstr *MI = Users[I].second;
    if (MI->isTerminator() || MI->isPHI() || MI->isBundled())
      continue;
    SlotIndex P = Users[I].first;
    SmallVector<EdgeCopy, 4> Copies;
    if (!planEdgeCopies(LI, P, Copies))
      continue;
    const MachineBasicBlock *MBB = MI->getParent();
    SplitPoint SP{MI, P, {}};
    SP.Features[schema::sf::Position] = float(LI.beginIndex().distance(P) / Span);
    SP.Features[schema::sf::UseFraction] = float(I) / float(Users.size());
    SP.Features[schema::sf::LogBlockFreq] =
        float(std::log1p(Ctx.MBFI->getBlockFreqRelativeToEntryBlock(MBB)));
    SP.Features[schema::sf::LoopDepth] = float(Ctx.Loops->getLoopDepth(MBB));
    SP.Features[schema::sf::EdgeCopies] = float(Copies.size());
    Points.push_back(SP);
  }
  return Points;
}

bool LiveRangeSplitter::split(Register V, MachineInstr &At,
                              SmallVectorImpl<Register> &NewVRegs) {
  LiveIntervals &LIS = *Ctx.LIS;
  MachineRegisterInfo &MRI = *Ctx.MRI;
  if (!canSplit(V) || At.isTerminator() || At.isPHI() || At.isBundled())
    return false;
  LiveInterval &LI = LIS.getInterval(V);
  SlotIndex P = LIS.getInstructionIndex(At);
  SmallVector<EdgeCopy, 4> Copies;
  if (!planEdgeCopies(LI, P, Copies))
    return false;
  // A value of V flows into At from before it: carry it over with a copy.
  bool CopyAtP = bool(LI.Query(P).valueIn());

  Register V2 = MRI.cloneVirtualRegister(V);
  Ctx.VRM->grow();

  // Rename every operand at or after P. Debug operands follow the nearest
  // real instruction.
  SmallVector<MachineOperand *, 16> Ops;
  for (MachineOperand &MO : MRI.reg_operands(V))
    Ops.push_back(&MO);
  SlotIndexes &Indexes = *LIS.getSlotIndexes();
  for (MachineOperand *MO : Ops) {
    MachineInstr &MI = *MO->getParent();
    SlotIndex Idx = MI.isDebugInstr() ? Indexes.getIndexBefore(MI)
                                      : LIS.getInstructionIndex(MI);
    if (!(Idx < P))
      MO->setReg(V2);
  }

  const TargetInstrInfo &TII = *Ctx.TII;
  auto InsertCopy = [&](MachineBasicBlock &MBB, MachineBasicBlock::iterator Pos,
                        Register Dst, Register Src) {
    DebugLoc DL = Pos != MBB.end() ? Pos->getDebugLoc() : DebugLoc();
    MachineInstr *Copy =
        BuildMI(MBB, Pos, DL, TII.get(TargetOpcode::COPY), Dst).addReg(Src);
    LIS.InsertMachineInstrInMaps(*Copy);
  };
  // Edge copies first: one planned at the head of At's block must come before
  // the copy at P.
  for (const EdgeCopy &C : Copies) {
    if (C.ToSecond)
      InsertCopy(*C.Block, C.Pos, V2, V);
    else
      InsertCopy(*C.Block, C.Pos, V, V2);
  }
  if (CopyAtP)
    InsertCopy(*At.getParent(), At.getIterator(), V2, V);

  // Recompute both halves and separate what fell apart.
  LIS.removeInterval(V);
  SmallVector<Register, 4> All{V, V2};
  LiveInterval &First = LIS.createAndComputeVirtRegInterval(V);
  LiveInterval &Second = LIS.createAndComputeVirtRegInterval(V2);
  for (LiveInterval *Half : {&First, &Second}) {
    SmallVector<LiveInterval *, 4> Parts;
    LIS.splitSeparateComponents(*Half, Parts);
    for (LiveInterval *Part : Parts)
      All.push_back(Part->reg());
  }
  Ctx.VRM->grow();
  for (Register R : All) {
    MRI.clearKillFlags(R);
    Ctx.SpillWeights->calculateSpillWeightAndHint(LIS.getInterval(R));
  }
  if (Ctx.LDV)
    Ctx.LDV->splitRegister(V, ArrayRef<Register>(All).drop_front(), LIS);
  for (Register R : ArrayRef<Register>(All).drop_front())
    NewVRegs.push_back(R);
  return true;
}
