//===- DecisionState.cpp - What the agent sees and may do -----------------===//

#include "DecisionState.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <algorithm>
#include <cmath>

using namespace llvm;
using namespace rl4real;

// Node features (float32, NumFeatures per node):
//  0 log1p(spill weight, clipped at 1e4)   1 spillable
//  2 log1p(#instructions using/defining)   3 log1p(span in instructions)
//  4 log1p(#live segments)                 5 max loop depth of its uses
//  6 log1p(max block frequency of uses)    7 live across a call
//  8 FP/vector register class              9 register size in bits / 128
// 10 log1p(degree)                         11 pending   12 assigned
// 13 spilled                               14 colour index + 1, / #colours
// 15 splits so far / max                   16 has a register hint
// 17 log1p(#assigned neighbours)        18 log1p(#registers free for it now),
//                                           pending nodes only

void DecisionState::computeStatic(Node &N) const {
  const LiveInterval &LI = Ctx.LIS->getInterval(N.Reg);
  float W = LI.isSpillable() ? std::min(LI.weight(), 1e4f) : 1e4f;
  N.Static[0] = std::log1p(std::max(W, 0.0f));
  N.Static[1] = LI.isSpillable() ? 1 : 0;
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
  N.Static[2] = std::log1p(float(Instrs));
  N.Static[3] = LI.empty() ? 0
                           : std::log1p(float(LI.beginIndex().distance(
                                            LI.endIndex())) /
                                        SlotIndex::InstrDist);
  N.Static[4] = std::log1p(float(LI.size()));
  N.Static[5] = float(MaxDepth);
  N.Static[6] = float(std::log1p(MaxFreq));
  BitVector UsableRegs;
  N.Static[7] = Ctx.LIS->checkRegMaskInterference(LI, UsableRegs) ? 1 : 0;
  const TargetRegisterClass *RC = Ctx.MRI->getRegClass(N.Reg);
  N.Static[8] = RC->getNumRegs() && Colours.isVector(*RC->begin()) ? 1 : 0;
  N.Static[9] = float(Ctx.TRI->getRegSizeInBits(*RC)) / 128.0f;
}

void DecisionState::dropEdges(unsigned N) {
  for (unsigned M : Adj[N]) {
    Adj[M].erase(N);
    --NumEdges;
  }
  Adj[N].clear();
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
  changed();
}

void DecisionState::setStatus(Register Reg, NodeStatus S, MCRegister Phys) {
  int N = nodeOf(Reg);
  if (N < 0)
    return;
  Node &Nd = Nodes[N];
  bool WasLive = live(N);
  // An assignment only takes a register from the node's neighbours; a spill
  // (whose new intervals get registers at once) or an eviction can change
  // anyone's.
  if (S == NodeStatus::Assigned) {
    invalidateFree(N);
    for (unsigned M : Adj[N])
      invalidateFree(M);
  } else {
    invalidateAllFree();
  }
  Nd.Status = S;
  Nd.Colour = S == NodeStatus::Assigned ? Colours.colourOf(Phys) : -1;
  if (WasLive && !live(N))
    dropEdges(N);
  else if (!WasLive && live(N))
    connect(N);
  changed();
}

void DecisionState::refresh(Register Reg) {
  int N = nodeOf(Reg);
  if (N < 0)
    return;
  invalidateAllFree();
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
  for (unsigned N = 0; N < Nodes.size(); ++N)
    if (selectable(N))
      return true;
  return false;
}

void DecisionState::invalidateAllFree() {
  std::fill(FreeRegs.begin(), FreeRegs.end(), -1);
}

void DecisionState::invalidateFree(unsigned N) {
  if (N < FreeRegs.size())
    FreeRegs[N] = -1;
}

unsigned DecisionState::freeRegisters(unsigned N) {
  if (FreeRegs.size() < Nodes.size())
    FreeRegs.resize(Nodes.size(), -1);
  if (FreeRegs[N] < 0) {
    std::vector<uint8_t> Mask = colourMask(N);
    FreeRegs[N] = int(std::count(Mask.begin(), Mask.end() - 1, uint8_t(1)));
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

template <typename T> static std::string rawBytes(const std::vector<T> &V) {
  return std::string(reinterpret_cast<const char *>(V.data()),
                     V.size() * sizeof(T));
}

void DecisionState::fillState(State &S) {
  S.set_phase(CurPhase);
  S.set_current_node(Current);
  std::vector<uint8_t> Mask;
  switch (CurPhase) {
  case PHASE_SELECT_NODE:
    Mask.resize(Nodes.size());
    for (unsigned N = 0; N < Nodes.size(); ++N)
      Mask[N] = selectable(N);
    break;
  case PHASE_SELECT_TASK:
    Mask = {uint8_t(canColourOrSpill(Current)), uint8_t(canSplit(Current))};
    break;
  case PHASE_COLOUR:
    Mask = colourMask(Current);
    break;
  case PHASE_SPLIT: {
    const auto &Pts = splitPoints(Current);
    Mask.assign(Pts.size(), 1);
    std::vector<float> F;
    for (const SplitPoint &P : Pts)
      F.insert(F.end(), P.Features, P.Features + NumSplitFeatures);
    S.set_split_features(rawBytes(F));
    S.set_num_split_features(NumSplitFeatures);
    break;
  }
  default:
    break;
  }
  S.set_mask(rawBytes(Mask));

  if (SentVersion == GraphVersion)
    return;
  SentVersion = GraphVersion;
  Graph &G = *S.mutable_graph();
  G.set_version(GraphVersion);
  G.set_num_nodes(Nodes.size());
  G.set_num_features(NumFeatures);
  std::vector<float> Feat(Nodes.size() * NumFeatures, 0.0f), Weight;
  std::vector<int8_t> Status;
  std::vector<int32_t> Colour, Edges;
  for (unsigned N = 0; N < Nodes.size(); ++N) {
    const Node &Nd = Nodes[N];
    float *Row = &Feat[N * NumFeatures];
    std::copy(Nd.Static, Nd.Static + 10, Row);
    unsigned Assigned = 0;
    for (unsigned M : Adj[N])
      Assigned += Nodes[M].Status == NodeStatus::Assigned;
    Row[10] = std::log1p(float(Adj[N].size()));
    Row[11] = Nd.Status == NodeStatus::Pending;
    Row[12] = Nd.Status == NodeStatus::Assigned;
    Row[13] = Nd.Status == NodeStatus::Spilled;
    Row[14] = Nd.Colour < 0 ? 0 : float(Nd.Colour + 1) / Colours.size();
    Row[15] = float(Nd.Splits) / Limits.MaxSplitsPerNode;
    Row[16] = Ctx.MRI->getSimpleHint(Nd.Reg) ? 1 : 0;
    Row[17] = std::log1p(float(Assigned));
    bool Pending = Nd.Status == NodeStatus::Pending &&
                   Ctx.LIS->hasInterval(Nd.Reg) &&
                   !Ctx.LIS->getInterval(Nd.Reg).empty();
    Row[18] = Pending ? std::log1p(float(freeRegisters(N))) : 0.0f;
    Status.push_back(int8_t(Nd.Status));
    Colour.push_back(Nd.Colour);
    bool HasLI = Ctx.LIS->hasInterval(Nd.Reg);
    Weight.push_back(HasLI ? Ctx.LIS->getInterval(Nd.Reg).weight() : 0.0f);
    for (unsigned M : Adj[N])
      if (N < M) {
        Edges.push_back(N);
        Edges.push_back(M);
      }
  }
  G.set_node_features(rawBytes(Feat));
  G.set_node_status(rawBytes(Status));
  G.set_node_colour(rawBytes(Colour));
  G.set_node_weight(rawBytes(Weight));
  G.set_num_edges(Edges.size() / 2);
  G.set_edges(rawBytes(Edges));
}
