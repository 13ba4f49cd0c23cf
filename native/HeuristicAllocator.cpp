//===- HeuristicAllocator.cpp - Fallback allocation heuristic -------------===//

#include "HeuristicAllocator.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/CodeGen/LiveIntervalUnion.h"

using namespace llvm;
using namespace rl4real;

MCRegister HeuristicAllocator::findFree(const LiveInterval &VirtReg) const {
  const TargetRegisterClass *RC = Ctx.MRI->getRegClass(VirtReg.reg());
  ArrayRef<MCPhysReg> Order = Ctx.RegClassInfo.getOrder(RC);
  Register Hint = Ctx.MRI->getSimpleHint(VirtReg.reg());
  if (Hint.isVirtual() && Ctx.VRM->hasPhys(Hint))
    Hint = Ctx.VRM->getPhys(Hint);
  if (Hint.isPhysical() && is_contained(Order, Hint.asMCReg()) &&
      Ctx.Matrix->checkInterference(VirtReg, Hint.asMCReg()) ==
          LiveRegMatrix::IK_Free)
    return Hint.asMCReg();
  for (MCPhysReg PhysReg : Order)
    if (Ctx.Matrix->checkInterference(VirtReg, PhysReg) ==
        LiveRegMatrix::IK_Free)
      return PhysReg;
  return MCRegister();
}

float HeuristicAllocator::evictionCost(const LiveInterval &VirtReg,
                                       MCRegister PhysReg,
                                       SmallVectorImpl<Register> *Victims) const {
  if (Ctx.Matrix->checkInterference(VirtReg, PhysReg) !=
      LiveRegMatrix::IK_VirtReg)
    return -1;
  float Cost = 0;
  SmallSet<Register, 8> Seen;
  for (MCRegUnit Unit : Ctx.TRI->regunits(PhysReg)) {
    LiveIntervalUnion::Query &Q = Ctx.Matrix->query(VirtReg, Unit);
    for (const LiveInterval *Intf : Q.interferingVRegs()) {
      if (!Intf->isSpillable() || !(Intf->weight() < VirtReg.weight()))
        return -1;
      if (!Seen.insert(Intf->reg()).second)
        continue;
      Cost += Intf->weight();
      if (Victims)
        Victims->push_back(Intf->reg());
    }
  }
  return Cost;
}

MCRegister HeuristicAllocator::selectOrSpill(const LiveInterval &VirtReg,
                                             SmallVectorImpl<Register> &NewVRegs,
                                             unsigned &Evictions) {
  if (MCRegister Free = findFree(VirtReg))
    return Free;

  // Cheapest register whose interference is all lighter and spillable.
  const TargetRegisterClass *RC = Ctx.MRI->getRegClass(VirtReg.reg());
  MCRegister Best;
  float BestCost = 0;
  for (MCPhysReg PhysReg : Ctx.RegClassInfo.getOrder(RC)) {
    float Cost = evictionCost(VirtReg, PhysReg, nullptr);
    if (Cost >= 0 && (!Best || Cost < BestCost)) {
      Best = PhysReg;
      BestCost = Cost;
    }
  }
  // Evicting beats spilling only when the victims weigh less than VirtReg.
  if (Best && (!VirtReg.isSpillable() || BestCost < VirtReg.weight())) {
    SmallVector<Register, 4> Victims;
    evictionCost(VirtReg, Best, &Victims);
    for (Register Victim : Victims) {
      Editor.spill(Victim, NewVRegs);
      ++Evictions;
    }
    Ctx.Matrix->invalidateVirtRegs();
    if (Ctx.Matrix->checkInterference(VirtReg, Best) == LiveRegMatrix::IK_Free)
      return Best;
  }
  if (!VirtReg.isSpillable())
    return MCRegister::from(~0u);
  Editor.spill(VirtReg.reg(), NewVRegs);
  return MCRegister();
}
