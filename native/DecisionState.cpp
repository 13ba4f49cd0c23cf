//===- DecisionState.cpp - What the agent sees and may do -----------------===//
//
// Node features, the interference graph, the legal choices of each phase and,
// in the colour phase, a description of every register as a choice for the
// current node. Rows are recomputed only for the nodes a decision touched
// (TouchSet), so that the codec can send deltas.
//
//===----------------------------------------------------------------------===//

#include "DecisionState.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace rl4real;

// Node features: the columns of schema.json "node_features" (schema::nf).
// Columns LogSpillWeight..RegBitsOver128 depend on the interval only and are
// computed when it changes; the others on the allocation so far.
static_assert(schema::nf::RegBitsOver128 + 1 ==
                  DecisionState::NumStaticFeatures,
              "the interval's own columns come first");

DecisionState::DecisionState(AllocContext &Ctx, const ColourTable &Colours,
                             const LiveRangeSplitter &Splitter,
                             DecisionLimits Limits)
    : Ctx(Ctx), Colours(Colours), Splitter(Splitter), Limits(Limits) {
  // The function's own list: MachineRegisterInfo's copy reflects attributes
  // such as no_callee_saved_registers, the target's static list does not.
  CalleeSavedOf.resize(Colours.size());
  for (const MCPhysReg *CSR = Ctx.MRI->getCalleeSavedRegs(); CSR && *CSR;
       ++CSR)
    for (unsigned C = 0; C < Colours.size(); ++C)
      if (Ctx.TRI->regsOverlap(Colours.reg(C), *CSR))
        CalleeSavedOf[C].push_back(*CSR);
}

void DecisionState::computeStatic(Node &N) const {
  const LiveInterval &LI = Ctx.LIS->getInterval(N.Reg);
  float W = LI.isSpillable() ? std::min(LI.weight(), 1e4f) : 1e4f;
  N.Static[schema::nf::LogSpillWeight] = std::log1p(std::max(W, 0.0f));
  N.Static[schema::nf::Spillable] = LI.isSpillable() ? 1 : 0;
  unsigned Instrs = 0, MaxDepth = 0;
  double MaxFreq = 0;
  SmallPtrSet<const MachineInstr *, 16> Seen;
  for (const MachineInstr &MI : Ctx.MRI->reg_nodbg_instructions(N.Reg)) {
    if (!Seen.insert(&MI).second)
      continue;
    ++Instrs;
    const MachineBasicBlock *MBB = MI.getParent();
    MaxDepth = std::max(MaxDepth, Ctx.Loops->getLoopDepth(MBB));
    MaxFreq = std::max(MaxFreq, Ctx.MBFI->getBlockFreqRelativeToEntryBlock(MBB));
  }
  N.Static[schema::nf::LogNumInstrs] = std::log1p(float(Instrs));
  N.Static[schema::nf::LogSpan] = LI.empty() ? 0
                           : std::log1p(float(LI.beginIndex().distance(
                                            LI.endIndex())) /
                                        SlotIndex::InstrDist);
  N.Static[schema::nf::LogSegments] = std::log1p(float(LI.size()));
  N.Static[schema::nf::LoopDepth] = float(MaxDepth);
  N.Static[schema::nf::LogMaxBlockFreq] = float(std::log1p(MaxFreq));
  BitVector UsableRegs;
  N.Static[schema::nf::CrossesCall] = Ctx.LIS->checkRegMaskInterference(LI, UsableRegs) ? 1 : 0;
  const TargetRegisterClass *RC = Ctx.MRI->getRegClass(N.Reg);
  N.Static[schema::nf::IsVector] = RC->getNumRegs() && Colours.isVector(*RC->begin()) ? 1 : 0;
  N.Static[schema::nf::RegBitsOver128] = float(Ctx.TRI->getRegSizeInBits(*RC)) / 128.0f;
}

void DecisionState::dropEdges(unsigned N) {
  if (!Adj[N].empty() && !EdgesWhole) {
    // An edge added since the last hand-out and gone again need not travel.
    unsigned Kept = 0;
    for (unsigned I = 0; I + 1 < AddedLog.size(); I += 2)
      if (AddedLog[I] != int32_t(N) && AddedLog[I + 1] != int32_t(N)) {
        AddedLog[Kept++] = AddedLog[I];
        AddedLog[Kept++] = AddedLog[I + 1];
      }
    AddedLog.resize(Kept);
    DroppedLog.push_back(int32_t(N));
  }
  touch(N);
  for (unsigned M : Adj[N]) {
    touch(M);
    Adj[M].erase(N);
    --NumEdges;
    AssignedNeighbours[M] -= Nodes[N].Status == NodeStatus::Assigned;
  }
  Adj[N].clear();
  AssignedNeighbours[N] = 0;
}

void DecisionState::connect(unsigned N) {
  const LiveInterval &LI = Ctx.LIS->getInterval(Nodes[N].Reg);
  for (unsigned M = 0; M < Nodes.size(); ++M) {
    if (M == N || !live(M) || Adj[N].count(M))
      continue;
    if (LI.overlaps(Ctx.LIS->getInterval(Nodes[M].Reg))) {
      Adj[N].insert(M);
      Adj[M].insert(N);
      ++NumEdges;
      AssignedNeighbours[N] += Nodes[M].Status == NodeStatus::Assigned;
      AssignedNeighbours[M] += Nodes[N].Status == NodeStatus::Assigned;
      edgeAdded(N, M);
      touch(N);
      touch(M);
    }
  }
}

unsigned DecisionState::addNode(Register Reg, unsigned Splits) {
  unsigned N = Nodes.size();
  Nodes.push_back(Node{Reg});
  Nodes.back().Splits = Splits;
  computeStatic(Nodes.back());
  NodeOf[Reg] = N;
  Adj.emplace_back();
  AssignedNeighbours.push_back(0);
  connect(N);
  invalidateAllFree();
  changed();
  return N;
}

void DecisionState::addInitialNodes(ArrayRef<Register> Regs) {
  unsigned First = Nodes.size();
  for (Register Reg : Regs) {
    NodeOf[Reg] = Nodes.size();
    Nodes.push_back(Node{Reg});
    computeStatic(Nodes.back());
    Adj.emplace_back();
    AssignedNeighbours.push_back(0); // every initial node is pending
  }
  // Sweep in order of start index: only intervals whose [begin, end) ranges
  // meet can overlap.
  std::vector<unsigned> Order;
  for (unsigned N = First; N < Nodes.size(); ++N)
    if (!Ctx.LIS->getInterval(Nodes[N].Reg).empty())
      Order.push_back(N);
  auto &LIS = *Ctx.LIS;
  llvm::sort(Order, [&](unsigned A, unsigned B) {
    return LIS.getInterval(Nodes[A].Reg).beginIndex() <
           LIS.getInterval(Nodes[B].Reg).beginIndex();
  });
  for (unsigned I = 0; I < Order.size(); ++I) {
    const LiveInterval &A = LIS.getInterval(Nodes[Order[I]].Reg);
    for (unsigned J = I + 1; J < Order.size(); ++J) {
      const LiveInterval &B = LIS.getInterval(Nodes[Order[J]].Reg);
      if (!(B.beginIndex() < A.endIndex()))
        break;
      if (A.overlaps(B)) {
        Adj[Order[I]].insert(Order[J]);
        Adj[Order[J]].insert(Order[I]);
        ++NumEdges;
      }
    }
  }
  invalidateAllFree();
  EdgesWhole = true;
  changed();
}

void DecisionState::edgeAdded(unsigned N, unsigned M) {
  if (EdgesWhole)
    return;
  AddedLog.push_back(int32_t(std::min(N, M)));
  AddedLog.push_back(int32_t(std::max(N, M)));
}

bool DecisionState::takeEdgeChanges(std::vector<int32_t> &Dropped,
                                    std::vector<int32_t> &Added) {
  bool Whole = EdgesWhole;
  Dropped.swap(DroppedLog);
  Added.swap(AddedLog);
  DroppedLog.clear();
  AddedLog.clear();
  EdgesWhole = false;
  return Whole;
}

void DecisionState::setStatus(Register Reg, NodeStatus S, MCRegister Phys) {
  // Whatever gets a register (a node, or an interval the heuristic allocates)
  // fixes one end of its copies: the nodes at the other end see new copy
  // weights.
  int N = nodeOf(Reg);
  if (S == NodeStatus::Assigned ||
      (N >= 0 && Nodes[N].Status == NodeStatus::Assigned))
    touchCopyPartners(Reg);
  if (N < 0) {
    if (S == NodeStatus::Assigned)
      otherAssigned(Reg, Phys);
    return;
  }
  Node &Nd = Nodes[N];
  bool WasLive = live(N);
  // Registers are taken or given back only through overlapping intervals, so
  // only the node's neighbours see their free registers change: an assignment
  // takes the register (and those overlapping it) from them; giving it back
  // (an eviction, a spill after an eviction) may free it for them.
  invalidateFree(N);
  int C = Colours.colourOf(Phys);
  for (unsigned M : Adj[N]) {
    if (S == NodeStatus::Assigned && C >= 0)
      takeFree(M, C);
    else if (S == NodeStatus::Assigned || Nd.Status == NodeStatus::Assigned)
      invalidateFree(M);
  }
  if ((Nd.Status == NodeStatus::Assigned) != (S == NodeStatus::Assigned))
    for (unsigned M : Adj[N])
      AssignedNeighbours[M] += S == NodeStatus::Assigned ? 1 : -1;
  Nd.Status = S;
  Nd.Colour = S == NodeStatus::Assigned ? C : -1;
  Nd.FixedCopyWeight = -1; // a spill rewrites the node's own copies
  if (WasLive && !live(N))
    dropEdges(N);
  else if (!WasLive && live(N))
    connect(N);
  changed();
}

void DecisionState::otherAssigned(Register Reg, MCRegister PhysReg) {
  if (!Ctx.LIS->hasInterval(Reg))
    return;
  const LiveInterval &LI = Ctx.LIS->getInterval(Reg);
  int C = Colours.colourOf(PhysReg);
  for (unsigned M = 0; M < Nodes.size(); ++M)
    if (Nodes[M].Status == NodeStatus::Pending && M < FreeRegs.size() &&
        FreeRegs[M] >= 0 && LI.overlaps(Ctx.LIS->getInterval(Nodes[M].Reg))) {
      if (C >= 0)
        takeFree(M, C);
      else
        invalidateFree(M);
    }
  changed();
}

std::string DecisionState::checkAssignedNeighbours() const {
  for (unsigned N = 0; N < Nodes.size(); ++N) {
    unsigned Assigned = 0;
    for (unsigned M : Adj[N])
      Assigned += Nodes[M].Status == NodeStatus::Assigned;
    if (Assigned != AssignedNeighbours[N])
      return "node " + std::to_string(N) + " has " + std::to_string(Assigned) +
             " assigned neighbours, counted " +
             std::to_string(AssignedNeighbours[N]);
  }
  return "";
}

std::string DecisionState::checkSelectable() const {
  refreshSelectable();
  for (unsigned N = 0; N < Nodes.size(); ++N)
    if (SelectableCache[N] != uint8_t(selectable(N)))
      return "node " + std::to_string(N) + " (vreg " +
             std::to_string(Register::virtReg2Index(Nodes[N].Reg)) +
             ") is cached as " + (SelectableCache[N] ? "" : "not ") +
             "selectable, but is " + (SelectableCache[N] ? "not" : "");
  return "";
}

std::string DecisionState::checkFreeRegisters() const {
  for (unsigned N = 0; N < Nodes.size() && N < FreeRegs.size(); ++N) {
    if (FreeRegs[N] < 0 || Nodes[N].Status != NodeStatus::Pending)
      continue;
    std::vector<uint8_t> Fresh = colourMask(N);
    Fresh.pop_back();
    if (Fresh != FreeMask[N])
      return "node " + std::to_string(N) + " (vreg " +
             std::to_string(Register::virtReg2Index(Nodes[N].Reg)) + "): " +
             std::to_string(FreeRegs[N]) + " registers kept free, " +
             std::to_string(std::count(Fresh.begin(), Fresh.end(), 1)) +
             " really free";
  }
  return "";
}

void DecisionState::otherUnassigned(Register Reg) {
  if (!Ctx.LIS->hasInterval(Reg))
    return;
  touchCopyPartners(Reg);
  const LiveInterval &LI = Ctx.LIS->getInterval(Reg);
  for (unsigned M = 0; M < Nodes.size(); ++M)
    if (Nodes[M].Status == NodeStatus::Pending && M < FreeRegs.size() &&
        FreeRegs[M] >= 0 && LI.overlaps(Ctx.LIS->getInterval(Nodes[M].Reg)))
      invalidateFree(M);
  changed();
}

void DecisionState::refresh(Register Reg) {
  int N = nodeOf(Reg);
  if (N < 0)
    return;
  // Only the nodes the interval overlapped (or overlaps now: a subset) can
  // see their free registers change; the selectable cache is refreshed
  // whole because the edge count, which bounds splitting, changed.
  invalidateFree(N);
  for (unsigned M : Adj[N])
    invalidateFree(M);
  TouchedSel.All = true;
  Nodes[N].FixedCopyWeight = -1;
  computeStatic(Nodes[N]);
  dropEdges(N);
  if (live(N))
    connect(N);
  changed();
}

bool DecisionState::canColourOrSpill(unsigned N) const {
  const LiveInterval &LI = Ctx.LIS->getInterval(Nodes[N].Reg);
  if (LI.isSpillable())
    return true;
  std::vector<uint8_t> Mask = colourMask(N);
  return std::any_of(Mask.begin(), Mask.end(), [](uint8_t B) { return B; });
}

const SmallVector<SplitPoint, 16> &DecisionState::splitPoints(unsigned N) const {
  if (PointsFor != int(N) || PointsVersion != GraphVersion) {
    Points = Splitter.splitPoints(Nodes[N].Reg, Limits.MaxSplitPoints);
    PointsFor = N;
    PointsVersion = GraphVersion;
  }
  return Points;
}

bool DecisionState::canSplit(unsigned N) const {
  // Room for both halves plus a few separated components, and for edges.
  if (Nodes[N].Splits >= Limits.MaxSplitsPerNode || !hasRoomFor(4) ||
      NumEdges + 2 * Adj[N].size() + 8 > Limits.MaxEdges)
    return false;
  return !splitPoints(N).empty();
}

bool DecisionState::selectable(unsigned N) const {
  if (Nodes[N].Status != NodeStatus::Pending)
    return false;
  Register Reg = Nodes[N].Reg;
  if (Ctx.MRI->reg_nodbg_empty(Reg) || Ctx.LIS->getInterval(Reg).empty())
    return false;
  return canColourOrSpill(N) || canSplit(N);
}

bool DecisionState::anySelectable() const {
  refreshSelectable();
  return std::find(SelectableCache.begin(), SelectableCache.end(), 1) !=
         SelectableCache.end();
}

void DecisionState::invalidateAllFree() {
  std::fill(FreeRegs.begin(), FreeRegs.end(), -1);
  touchAll();
}

void DecisionState::invalidateFree(unsigned N) {
  if (N < FreeRegs.size())
    FreeRegs[N] = -1;
  touch(N);
}

void DecisionState::takeFree(unsigned N, int Colour) {
  touch(N);
  if (N >= FreeRegs.size() || FreeRegs[N] < 0)
    return; // recomputed when asked for
  std::vector<uint8_t> &Mask = FreeMask[N];
  for (unsigned C : Colours.overlapping(Colour))
    if (Mask[C]) {
      Mask[C] = 0;
      --FreeRegs[N];
    }
}

void DecisionState::takeChangedRows(std::vector<unsigned> &Out) {
  TouchedRows.take(Nodes.size(), Out);
}

void DecisionState::refreshSelectable() const {
  SelectableCache.resize(Nodes.size(), 0);
  SelScratch.clear();
  TouchedSel.take(Nodes.size(), SelScratch);
  for (unsigned N : SelScratch)
    SelectableCache[N] = selectable(N);
}

unsigned DecisionState::freeRegisters(unsigned N) {
  if (FreeRegs.size() < Nodes.size()) {
    FreeRegs.resize(Nodes.size(), -1);
    FreeMask.resize(Nodes.size());
  }
  if (FreeRegs[N] < 0) {
    FreeMask[N] = colourMask(N);
    FreeMask[N].pop_back(); // the spill entry
    FreeRegs[N] =
        int(std::count(FreeMask[N].begin(), FreeMask[N].end(), uint8_t(1)));
  }
  return unsigned(FreeRegs[N]);
}

std::vector<uint8_t> DecisionState::colourMask(unsigned N) const {
  std::vector<uint8_t> Mask(Colours.size() + 1, 0);
  const LiveInterval &LI = Ctx.LIS->getInterval(Nodes[N].Reg);
  const TargetRegisterClass *RC = Ctx.MRI->getRegClass(LI.reg());
  for (MCPhysReg PhysReg : Ctx.RegClassInfo.getOrder(RC)) {
    int C = Colours.colourOf(PhysReg);
    if (C >= 0 && Ctx.Matrix->checkInterference(LI, PhysReg) ==
                      LiveRegMatrix::IK_Free)
      Mask[C] = 1;
  }
  Mask[Colours.size()] = LI.isSpillable() ? 1 : 0;
  return Mask;
}

std::vector<uint8_t> DecisionState::mask() const {
  namespace phase = schema::phase;
  switch (CurPhase) {
  case phase::SelectNode:
    refreshSelectable();
    return SelectableCache;
  case phase::SelectTask:
    return {uint8_t(canColourOrSpill(Current)), uint8_t(canSplit(Current))};
  case phase::Colour:
    return colourMask(Current);
  case phase::Split:
    return std::vector<uint8_t>(splitPoints(Current).size(), 1);
  default:
    return {};
  }
}

void DecisionState::splitFeatures(std::vector<float> &Out) const {
  Out.clear();
  if (CurPhase != schema::phase::Split)
    return;
  for (const SplitPoint &P : splitPoints(Current))
    Out.insert(Out.end(), P.Features, P.Features + NumSplitFeatures);
}

float DecisionState::weight(unsigned N) const {
  Register Reg = Nodes[N].Reg;
  return Ctx.LIS->hasInterval(Reg) ? Ctx.LIS->getInterval(Reg).weight() : 0.0f;
}

void DecisionState::edges(std::vector<int32_t> &Out) const {
  Out.clear();
  Out.reserve(2 * NumEdges);
  for (unsigned N = 0; N < Nodes.size(); ++N)
    for (unsigned M : Adj[N])
      if (N < M) {
        Out.push_back(N);
        Out.push_back(M);
      }
}

void DecisionState::forEachCopy(
    Register Reg,
    function_ref<void(const MachineInstr &, const MachineOperand &Own,
                      const MachineOperand &Other)>
        Visit) const {
  SmallPtrSet<const MachineInstr *, 8> Seen;
  for (const MachineInstr &MI : Ctx.MRI->reg_nodbg_instructions(Reg)) {
    if (!MI.isCopy() || !Seen.insert(&MI).second)
      continue;
    const MachineOperand &Dst = MI.getOperand(0), &Src = MI.getOperand(1);
    if (Dst.getReg() == Src.getReg())
      continue; // identity (or subregister) copy within Reg itself
    bool OwnIsDst = Dst.getReg() == Reg;
    Visit(MI, OwnIsDst ? Dst : Src, OwnIsDst ? Src : Dst);
  }
}

void DecisionState::fixedCopies(Register Reg,
                                SmallVectorImpl<FixedCopy> &Out) const {
  forEachCopy(Reg, [&](const MachineInstr &MI, const MachineOperand &Own,
                       const MachineOperand &Other) {
    Register O = Other.getReg();
    MCRegister Phys;
    if (O.isPhysical())
      Phys = O.asMCReg();
    else if (O.isVirtual() && Ctx.VRM->hasPhys(O))
      Phys = Ctx.VRM->getPhys(O);
    if (Phys && Other.getSubReg())
      Phys = Ctx.TRI->getSubReg(Phys, Other.getSubReg());
    if (Phys)
      Out.push_back({Own.getSubReg(), Phys,
                     Ctx.MBFI->getBlockFreqRelativeToEntryBlock(MI.getParent())});
  });
}

void DecisionState::copyErased(const MachineInstr &Copy) {
  for (unsigned I : {0u, 1u}) {
    Register R = Copy.getOperand(I).getReg();
    int N = R.isVirtual() ? nodeOf(R) : -1;
    if (N >= 0) {
      Nodes[N].FixedCopyWeight = -1;
      touch(N);
    }
  }
}

void DecisionState::touchCopyPartners(Register Reg) {
  if (Nodes.empty())
    return;
  for (const MachineInstr &MI : Ctx.MRI->reg_nodbg_instructions(Reg)) {
    if (!MI.isCopy())
      continue;
    for (unsigned I : {0u, 1u}) {
      Register Other = MI.getOperand(I).getReg();
      if (Other == Reg || !Other.isVirtual())
        continue;
      int M = nodeOf(Other);
      if (M >= 0) {
        Nodes[M].FixedCopyWeight = -1;
        touch(M);
      }
    }
  }
}

void DecisionState::pendingCopies(
    Register Reg, SmallVectorImpl<std::pair<unsigned, PendingCopy>> &Out) {
  forEachCopy(Reg, [&](const MachineInstr &MI, const MachineOperand &Own,
                       const MachineOperand &Other) {
    if (!Other.getReg().isVirtual() || Other.getSubReg())
      return;
    int M = nodeOf(Other.getReg());
    if (M >= 0 && Nodes[M].Status == NodeStatus::Pending)
      Out.push_back(
          {unsigned(M),
           {Own.getSubReg(),
            Ctx.MBFI->getBlockFreqRelativeToEntryBlock(MI.getParent())}});
  });
}

bool DecisionState::calleeSavedUnused(unsigned Colour) const {
  // A callee-saved register is used once the MIR names it (a fixed operand,
  // an earlier pass) or once an interval is assigned to one of its units.
  for (MCPhysReg CSR : CalleeSavedOf[Colour])
    if (!Ctx.MRI->isPhysRegUsed(CSR, /*SkipRegMaskTest=*/true) &&
        !Ctx.Matrix->isPhysRegUsed(CSR))
      return true;
  return false;
}

void DecisionState::registerFeatures(std::vector<float> &Out) {
  namespace rf = schema::rf;
  constexpr unsigned K = NumRegisterFeatures;
  Out.clear();
  if (CurPhase != schema::phase::Colour || Current < 0)
    return;
  Out.assign(size_t(Colours.size() + 1) * K, 0.0f); // the spill row stays 0
  unsigned N = unsigned(Current);
  Register Reg = Nodes[N].Reg;
  ArrayRef<MCPhysReg> Order =
      Ctx.RegClassInfo.getOrder(Ctx.MRI->getRegClass(Reg));
  SmallVector<FixedCopy, 8> Copies;
  fixedCopies(Reg, Copies);
  // The hint as the fallback heuristic reads it: a virtual hint counts once
  // it has a register.
  Register Hint = Ctx.MRI->getSimpleHint(Reg);
  if (Hint.isVirtual())
    Hint = Ctx.VRM->hasPhys(Hint) ? Register(Ctx.VRM->getPhys(Hint))
                                  : Register();
  // The pending neighbours' free registers, brought up to date first (the
  // cache is kept by assignments, so this costs nothing on most steps).
  SmallVector<unsigned, 32> Pending;
  for (unsigned M : Adj[N]) {
    if (Nodes[M].Status != NodeStatus::Pending)
      continue;
    freeRegisters(M);
    Pending.push_back(M);
  }
  // Copies to pending partners (whole registers on the partner's side): they
  // stay removable while the partner can still take the register.
  SmallVector<std::pair<unsigned, PendingCopy>, 8> PartnerCopies;
  pendingCopies(Reg, PartnerCopies);
  for (const auto &[M, PC] : PartnerCopies)
    freeRegisters(M); // their FreeMask, from the cache assignments keep
  // The registers pending neighbours would remove a fixed copy with (where
  // still free for them), and the copies' weights.
  SmallVector<std::pair<MCRegister, double>, 16> NeighbourCopies;
  for (unsigned M : Pending) {
    for (const FixedCopy &FC : cachedFixedCopies(M)) {
      // M removes the copy by taking the register whose FC.OwnSubReg part is
      // FC.Other.
      MCRegister Wanted = FC.Other;
      if (FC.OwnSubReg)
        Wanted = Ctx.TRI->getMatchingSuperReg(
            FC.Other, FC.OwnSubReg, Ctx.MRI->getRegClass(Nodes[M].Reg));
      int WC = Wanted ? Colours.colourOf(Wanted) : -1;
      if (WC >= 0 && FreeMask[M][WC])
        NeighbourCopies.push_back({Wanted, FC.Freq});
    }
  }
  for (unsigned I = 0; I < Order.size(); ++I) {
    MCRegister R = Order[I];
    int C = Colours.colourOf(R);
    if (C < 0)
      continue;
    float *Row = &Out[size_t(C) * K];
    double Kept = 0;
    for (const auto &[M, PC] : PartnerCopies) {
      MCRegister Theirs = PC.OwnSubReg ? Ctx.TRI->getSubReg(R, PC.OwnSubReg) : R;
      int TC = Theirs ? Colours.colourOf(Theirs) : -1;
      if (TC >= 0 && FreeMask[M][TC])
        Kept += PC.Freq;
    }
    Row[rf::LogPendingCopyWeight] = float(std::log1p(Kept));
    double Taken = 0;
    for (const auto &[Wanted, Freq] : NeighbourCopies)
      if (Ctx.TRI->regsOverlap(Wanted, R)) // lost to the neighbour
        Taken += Freq;
    Row[rf::LogNeighbourCopyWeight] = float(std::log1p(Taken));
    // A copy disappears when both ends name the same register after
    // rewriting: compare the node's side (through its subregister index)
    // with the other side's final register.
    double Removed = 0;
    for (const FixedCopy &FC : Copies) {
      MCRegister Own = FC.OwnSubReg ? Ctx.TRI->getSubReg(R, FC.OwnSubReg) : R;
      if (Own && Own == FC.Other)
        Removed += FC.Freq;
    }
    Row[rf::LogCopyWeight] = float(std::log1p(Removed));
    Row[rf::Hint] = Hint.isPhysical() && Hint.asMCReg() == R ? 1 : 0;
    Row[rf::CalleeSavedUnused] = calleeSavedUnused(C) ? 1 : 0;
    Row[rf::OrderRank] = float(I + 1) / float(Order.size());
    unsigned Takers = 0;
    for (unsigned M : Pending) {
      const std::vector<uint8_t> &Free = FreeMask[M];
      for (unsigned O : Colours.overlapping(C))
        if (Free[O]) {
          ++Takers;
          break;
        }
    }
    Row[rf::LogPendingNeighbours] = std::log1p(float(Takers));
  }
}

void DecisionState::features(unsigned N, float *Row) {
  namespace nf = schema::nf;
  const Node &Nd = Nodes[N];
  std::copy(std::begin(Nd.Static), std::end(Nd.Static), Row);
  unsigned Assigned = AssignedNeighbours[N];
  Row[nf::LogDegree] = std::log1p(float(Adj[N].size()));
  Row[nf::Pending] = Nd.Status == NodeStatus::Pending;
  Row[nf::Assigned] = Nd.Status == NodeStatus::Assigned;
  Row[nf::Spilled] = Nd.Status == NodeStatus::Spilled;
  Row[nf::Colour] = Nd.Colour < 0 ? 0 : float(Nd.Colour + 1) / Colours.size();
  Row[nf::Splits] = float(Nd.Splits) / Limits.MaxSplitsPerNode;
  Row[nf::HasHint] = Ctx.MRI->getSimpleHint(Nd.Reg) ? 1 : 0;
  Row[nf::LogAssignedNeighbours] = std::log1p(float(Assigned));
  bool Pending = Nd.Status == NodeStatus::Pending &&
                 Ctx.LIS->hasInterval(Nd.Reg) &&
                 !Ctx.LIS->getInterval(Nd.Reg).empty();
  Row[nf::LogFreeRegisters] =
      Pending ? std::log1p(float(freeRegisters(N))) : 0.0f;
  Row[nf::LogFixedCopyWeight] = float(std::log1p(fixedCopyWeight(N)));
}

double DecisionState::fixedCopyWeight(unsigned N) {
  Node &Nd = Nodes[N];
  if (Nd.FixedCopyWeight < 0) {
    Nd.Fixed.clear();
    fixedCopies(Nd.Reg, Nd.Fixed);
    Nd.FixedCopyWeight = 0;
    for (const FixedCopy &FC : Nd.Fixed)
      Nd.FixedCopyWeight += FC.Freq;
  }
  return Nd.FixedCopyWeight;
}
