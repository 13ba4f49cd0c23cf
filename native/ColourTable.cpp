//===- ColourTable.cpp - Physical registers the agent can choose ----------===//

#include "ColourTable.h"
#include "llvm/ADT/StringRef.h"

using namespace llvm;
using namespace rl4real;

// Base classes whose registers form the table, per target. Subclasses (e.g.
// GR32_NOSP, GPR64common) are covered because their registers are a subset.
// The first NumGPRClasses name general-purpose classes, the rest FP/vector.
static const char *const X86Classes[] = {"GR8",   "GR16",  "GR32",
                                         "GR64",  "VR128", "VR256"};
static const char *const AArch64Classes[] = {
    "GPR32", "GPR64", "FPR8", "FPR16", "FPR32", "FPR64", "FPR128"};
static constexpr unsigned NumGPRClasses[2] = {4, 2}; // x86, AArch64

ColourTable::ColourTable(const TargetRegisterInfo &TRI) : TRI(TRI) {
  ArrayRef<const char *> Names;
  // Tell the targets apart by a class only one of them has.
  bool IsX86 = false;
  for (const TargetRegisterClass *RC : TRI.regclasses())
    if (StringRef(TRI.getRegClassName(RC)) == "GR64") {
      IsX86 = true;
      break;
    }
  if (IsX86)
    Names = X86Classes;
  else
    Names = AArch64Classes;
  for (unsigned I = 0; I < Names.size(); ++I) {
    const char *Name = Names[I];
    bool IsVector = I >= NumGPRClasses[IsX86 ? 0 : 1];
    for (const TargetRegisterClass *RC : TRI.regclasses()) {
      if (StringRef(TRI.getRegClassName(RC)) != Name)
        continue;
      for (MCPhysReg R : *RC) {
        if (Index.count(R))
          continue;
        Index[R] = Regs.size();
        Regs.push_back(R);
        Vector.push_back(IsVector);
      }
    }
  }
}

int ColourTable::colourOf(MCRegister PhysReg) const {
  auto It = Index.find(PhysReg.id());
  return It == Index.end() ? -1 : int(It->second);
}

bool ColourTable::supports(const TargetRegisterClass *RC,
                           const RegisterClassInfo &RCI) const {
  auto It = Supported.find(RC);
  if (It != Supported.end())
    return It->second;
  ArrayRef<MCPhysReg> Order = RCI.getOrder(RC);
  bool Ok = RC->isAllocatable() && !Order.empty();
  for (MCPhysReg R : Order)
    Ok = Ok && Index.count(R);
  Supported[RC] = Ok;
  return Ok;
}

std::vector<std::string> ColourTable::names() const {
  std::vector<std::string> Out;
  for (MCRegister R : Regs)
    Out.push_back(TRI.getName(R));
  return Out;
}

ArrayRef<unsigned> ColourTable::overlapping(unsigned Colour) const {
  if (Overlapping.empty()) {
    Overlapping.resize(Regs.size());
    for (unsigned A = 0; A < Regs.size(); ++A)
      for (unsigned B = 0; B < Regs.size(); ++B)
        if (TRI.regsOverlap(Regs[A], Regs[B]))
          Overlapping[A].push_back(B);
  }
  return Overlapping[Colour];
}
