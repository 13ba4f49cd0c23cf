//===- ColourTable.h - Physical registers the agent can choose --*- C++ -*-===//
//
// The colour table maps a compact, target-wide index to a physical register.
// It is the union of the registers of the base general-purpose and FP/vector
// classes of the target, so its size is fixed per target (the action space
// must not change between functions). A virtual register is "supported" (an
// agent node) when every register its class can be allocated to in the
// function (RegisterClassInfo's order, which leaves reserved registers out) is
// in the table. Counting reserved registers would leave AArch64's address
// registers (GPR64sp, GPR64all: they include SP) to the fallback heuristic,
// allocated before the agent sees the graph.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_COLOURTABLE_H
#define RL4REAL_COLOURTABLE_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/CodeGen/RegisterClassInfo.h"
#include "llvm/CodeGen/TargetRegisterInfo.h"
#include <string>
#include <vector>

namespace rl4real {

class ColourTable {
public:
  explicit ColourTable(const llvm::TargetRegisterInfo &TRI);

  unsigned size() const { return Regs.size(); }
  llvm::MCRegister reg(unsigned Colour) const { return Regs[Colour]; }
  /// Colour index of PhysReg, or -1 when it is not in the table.
  int colourOf(llvm::MCRegister PhysReg) const;
  /// Whether the allocation order of RC (RCI's, for the current function) is
  /// all in the table. The table is built per function, so is the cache.
  bool supports(const llvm::TargetRegisterClass *RC,
                const llvm::RegisterClassInfo &RCI) const;
  /// Whether PhysReg belongs to the FP/vector bank (else general purpose).
  bool isVector(llvm::MCRegister PhysReg) const {
    int C = colourOf(PhysReg);
    return C >= 0 && Vector[C];
  }
  std::vector<std::string> names() const;
  /// The colours whose registers overlap Colour's (itself included).
  llvm::ArrayRef<unsigned> overlapping(unsigned Colour) const;

private:
  const llvm::TargetRegisterInfo &TRI;
  std::vector<llvm::MCRegister> Regs;
  std::vector<bool> Vector;
  llvm::DenseMap<unsigned, unsigned> Index;
  mutable llvm::DenseMap<const llvm::TargetRegisterClass *, bool> Supported;
  mutable std::vector<llvm::SmallVector<unsigned, 8>> Overlapping;
};

} // namespace rl4real

#endif
