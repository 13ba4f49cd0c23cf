//===- ColourTable.cpp - Physical registers the agent can choose ----------===//

#include "ColourTable.h"
#include "llvm/ADT/StringRef.h"

using namespace llvm;
using namespace rl4real;

// Base classes whose registers form the table, per target. Subclasses (e.g.
// GR32_NOSP, GPR64common, GPRNoX0) are covered because their registers are a
// subset. The first NumGPRClasses name general-purpose classes, the rest
// FP/vector. A target is told apart by a class only it has (Marker).
namespace {
struct TargetClasses {
  const char *Marker;
  ArrayRef<const char *> Classes;
  unsigned NumGPRClasses;
};
} // end anonymous namespace

static const char *const X86Classes[] = {"GR8",   "GR16",  "GR32",
                                         "GR64",  "VR128", "VR256"};
static const char *const AArch64Classes[] = {
    "GPR32", "GPR64", "FPR8", "FPR16", "FPR32", "FPR64", "FPR128"};
// rv64gc: the integer registers and the F/D registers (and their Zfh halves).
// The vector extension's classes are left out: rv64gc has none, so a function
// that uses them (-march with v) is finished by the heuristic.
static const char *const RISCVClasses[] = {"GPR", "FPR16", "FPR32", "FPR64"};
static const TargetClasses Tables[] = {
    {"GR64", X86Classes, 4},
    {"GPR64common", AArch64Classes, 2},
    {"GPRNoX0", RISCVClasses, 1},
};

ColourTable::ColourTable(const TargetRegisterInfo &TRI) : TRI(TRI) {
  const TargetClasses *Table = nullptr;
  for (const TargetClasses &T : Tables)
    for (const TargetRegisterClass *RC : TRI.regclasses())
      if (!Table && StringRef(TRI.getRegClassName(RC)) == T.Marker)
        Table = &T;
  if (!Table)
    return; // another target: an empty table, every class is the heuristic's
  for (unsigned I = 0; I < Table->Classes.size(); ++I) {
    const char *Name = Table->Classes[I];
    bool IsVector = I >= Table->NumGPRClasses;
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
