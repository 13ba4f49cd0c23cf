//===- DecisionState.h - What the agent sees and may do ----------*- C++ -*-===//
//
// The agent's view of one function's allocation: a node per virtual register
// of a supported class (the colour table's), its features, the interference
// edges between live nodes, the hierarchical phase (select node -> select
// task -> colour/spill or split) and the legal choices in each phase. It
// only observes the allocation; the pass applies the decisions.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_DECISIONSTATE_H
#define RL4REAL_DECISIONSTATE_H

#include "AllocContext.h"
#include "ColourTable.h"
#include "LiveRangeSplitter.h"
#include "rl4real.pb.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <vector>

namespace rl4real {

enum class NodeStatus : int8_t { Pending = 0, Assigned = 1, Spilled = 2, Gone = 3 };

struct DecisionLimits {
  unsigned MaxNodes = 600;
  unsigned MaxEdges = 30000;
  unsigned MaxSplitPoints = 200;
  unsigned MaxSplitsPerNode = 10;
};

class DecisionState {
public:
  static constexpr unsigned NumFeatures = 19;
  static constexpr unsigned NumSplitFeatures = 5;

  DecisionState(AllocContext &Ctx, const ColourTable &Colours,
                const LiveRangeSplitter &Splitter, DecisionLimits Limits)
      : Ctx(Ctx), Colours(Colours), Splitter(Splitter), Limits(Limits) {}

  // Node bookkeeping -------------------------------------------------------
  bool hasRoomFor(unsigned Extra) const {
    return Nodes.size() + Extra <= Limits.MaxNodes;
  }
  /// Adds Reg as a pending node (interference edges included).
  unsigned addNode(llvm::Register Reg, unsigned Splits);
  /// Adds many nodes at once (one sweep for the edges).
  void addInitialNodes(llvm::ArrayRef<llvm::Register> Regs);
  int nodeOf(llvm::Register Reg) const {
    auto It = NodeOf.find(Reg);
    return It == NodeOf.end() ? -1 : int(It->second);
  }
  unsigned numNodes() const { return Nodes.size(); }
  llvm::Register reg(unsigned N) const { return Nodes[N].Reg; }
  NodeStatus status(unsigned N) const { return Nodes[N].Status; }
  unsigned splits(unsigned N) const { return Nodes[N].Splits; }
  void setStatus(llvm::Register Reg, NodeStatus S, llvm::MCRegister Phys = {});
  /// Recomputes a node's features and edges after its interval changed.
  void refresh(llvm::Register Reg);

  // Legal choices ----------------------------------------------------------
  bool selectable(unsigned N) const;
  bool anySelectable() const;
  bool canColourOrSpill(unsigned N) const;
  bool canSplit(unsigned N) const;
  std::vector<uint8_t> colourMask(unsigned N) const; // size() + 1, last = spill
  const llvm::SmallVector<SplitPoint, 16> &splitPoints(unsigned N) const;

  // Phase machine ----------------------------------------------------------
  Phase phase() const { return CurPhase; }
  int current() const { return Current; }
  void setPhase(Phase P, int Node) {
    CurPhase = P;
    Current = Node;
  }

  /// Fills the phase, mask, graph (if changed since last sent) and split
  /// features of S.
  void fillState(State &S);

private:
  struct Node {
    llvm::Register Reg;
    NodeStatus Status = NodeStatus::Pending;
    int Colour = -1;
    unsigned Splits = 0;
    float Static[10] = {};
  };
  void computeStatic(Node &N) const;
  bool live(unsigned N) const {
    return Nodes[N].Status == NodeStatus::Pending ||
           Nodes[N].Status == NodeStatus::Assigned;
  }
  void dropEdges(unsigned N);
  void connect(unsigned N);
  void changed() { ++GraphVersion; }
  /// Registers of N's class free for it now (cached until invalidated).
  unsigned freeRegisters(unsigned N);
  void invalidateFree(unsigned N);
  void invalidateAllFree();

  AllocContext &Ctx;
  const ColourTable &Colours;
  const LiveRangeSplitter &Splitter;
  DecisionLimits Limits;
  std::vector<Node> Nodes;
  llvm::DenseMap<llvm::Register, unsigned> NodeOf;
  std::vector<llvm::DenseSet<unsigned>> Adj;
  unsigned NumEdges = 0;
  std::vector<int> FreeRegs; // per node, -1 = to recompute
  Phase CurPhase = PHASE_SELECT_NODE;
  int Current = -1;
  uint64_t GraphVersion = 1, SentVersion = 0;
  mutable int PointsFor = -1;
  mutable uint64_t PointsVersion = 0;
  mutable llvm::SmallVector<SplitPoint, 16> Points;
};

} // namespace rl4real

#endif
