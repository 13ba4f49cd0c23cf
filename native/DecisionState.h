//===- DecisionState.h - What the agent sees and may do ----------*- C++ -*-===//
//
// The agent's view of one function's allocation: a node per virtual register
// of a supported class (the colour table's), its features, the interference
// edges between live nodes, the hierarchical phase (select node -> select
// task -> colour/spill or split) and the legal choices in each phase. In the
// colour phase it also describes every register as a choice for the current
// node: the copies it removes, whether it is an unused callee-saved register,
// its rank in the allocation order and how many pending neighbours it takes
// a register from. It only observes the allocation; the pass applies the
// decisions.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_DECISIONSTATE_H
#define RL4REAL_DECISIONSTATE_H

#include "AllocContext.h"
#include "ColourTable.h"
#include "LiveRangeSplitter.h"
#include "Schema.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include <vector>

namespace rl4real {

enum class NodeStatus : int8_t { Pending = 0, Assigned = 1, Spilled = 2, Gone = 3 };

struct DecisionLimits {
  unsigned MaxNodes = schema::DefaultMaxNodes;
  unsigned MaxEdges = schema::DefaultMaxEdges;
  unsigned MaxSplitPoints = schema::DefaultMaxSplitPoints;
  unsigned MaxSplitsPerNode = schema::DefaultMaxSplitsPerNode;
};

/// A phase of the decision hierarchy (schema::phase).
using Phase = unsigned;

class DecisionState {
public:
  static constexpr unsigned NumFeatures = schema::NumNodeFeatures;
  static constexpr unsigned NumSplitFeatures = schema::NumSplitFeatures;
  static constexpr unsigned NumRegisterFeatures = schema::NumRegisterFeatures;
  /// Columns that depend on the interval alone (schema::nf order).
  static constexpr unsigned NumStaticFeatures = 10;

  DecisionState(AllocContext &Ctx, const ColourTable &Colours,
                const LiveRangeSplitter &Splitter, DecisionLimits Limits);

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
  /// Copy is about to be erased: the nodes at its ends see new copy weights.
  void copyErased(const llvm::MachineInstr &Copy);
  /// Recomputes a node's features and edges after its interval changed.
  void refresh(llvm::Register Reg);
  /// Reg, which is not a node, was given PhysReg: the nodes it overlaps lose
  /// the colours overlapping PhysReg.
  void otherAssigned(llvm::Register Reg, llvm::MCRegister PhysReg);
  /// Reg, which is not a node, gave its register back: the nodes it overlaps
  /// may have more free.
  void otherUnassigned(llvm::Register Reg);
  /// Checks that every free-register count kept incrementally equals a fresh
  /// computation; returns a description of the first difference, or "".
  std::string checkFreeRegisters() const;
  /// The same for the select-node mask's cache of selectable nodes.
  std::string checkSelectable() const;
  /// The same for the count of assigned neighbours of every node.
  std::string checkAssignedNeighbours() const;
  /// Forgets the cached copy weights, so that the next features are computed
  /// afresh (for self-checks).
  void forgetCopyWeights() {
    for (Node &Nd : Nodes)
      Nd.FixedCopyWeight = -1;
  }

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

  // What the agent sees ---------------------------------------------------
  /// The legal choices of the current phase (see schema.json "phases").
  std::vector<uint8_t> mask() const;
  /// Node N's feature row (NumFeatures values, schema::nf columns).
  void features(unsigned N, float *Row);
  int colour(unsigned N) const { return Nodes[N].Colour; }
  float weight(unsigned N) const;
  /// Changes whenever anything in a node's row may have changed.
  uint64_t graphVersion() const { return GraphVersion; }
  /// Appends the nodes whose row (features, status, colour, weight) may have
  /// changed since the last call, and forgets them: all nodes after a change
  /// that can touch any row (a spill, a split, an eviction).
  void takeChangedRows(std::vector<unsigned> &Out);
  /// The edges between live nodes, each pair once (i < j), flattened.
  void edges(std::vector<int32_t> &Out) const;
  /// How the edge set changed since the last call, and forgets it. Returns
  /// true when it must be sent whole (a new function's first state);
  /// otherwise replaces Dropped with the nodes that lost all their edges and
  /// Added with the edges that appeared after that (pairs i < j, flattened):
  /// removing every edge of a dropped node, then adding Added, turns the
  /// previous edge set into the current one.
  bool takeEdgeChanges(std::vector<int32_t> &Dropped,
                       std::vector<int32_t> &Added);
  /// SPLIT phase: NumSplitFeatures values per split point of the current node.
  void splitFeatures(std::vector<float> &Out) const;
  /// COLOUR phase: NumRegisterFeatures values (schema::rf columns) per colour
  /// of the table for the current node, then a row of zeros for spill; empty
  /// in the other phases.
  void registerFeatures(std::vector<float> &Out);

private:
  /// A copy between Reg and a register that already has its physical
  /// register: Reg's operand's subregister index, the other end's final
  /// physical register and the copy's block frequency.
  struct FixedCopy {
    unsigned OwnSubReg;
    llvm::MCRegister Other;
    double Freq;
  };
  struct Node {
    llvm::Register Reg;
    NodeStatus Status = NodeStatus::Pending;
    int Colour = -1;
    unsigned Splits = 0;
    float Static[NumStaticFeatures] = {}; // the interval's own columns
    // The weight of the copies whose other end is fixed; < 0 = to recompute
    // (a copy partner got or gave back a register, the interval changed).
    double FixedCopyWeight = -1;
    // Its fixed copies (fixedCopies), valid while FixedCopyWeight >= 0.
    llvm::SmallVector<FixedCopy, 2> Fixed;
  };
  void computeStatic(Node &N) const;
  /// Calls Visit once for each copy of Reg other than identity copies, with
  /// Reg's operand and the other end's.
  void forEachCopy(
      llvm::Register Reg,
      llvm::function_ref<void(const llvm::MachineInstr &,
                              const llvm::MachineOperand &Own,
                              const llvm::MachineOperand &Other)>
          Visit) const;
  /// Reg's copies whose other end is fixed (physical, or an assigned virtual
  /// register). Identity copies and copies to unassigned registers are left
  /// out: they are charged when the other end gets its register.
  void fixedCopies(llvm::Register Reg,
                   llvm::SmallVectorImpl<FixedCopy> &Out) const;
  /// A copy between Reg and a pending node's whole register.
  struct PendingCopy {
    unsigned OwnSubReg; // Reg's side
    double Freq;
  };
  /// Reg's copies to pending nodes (freeRegisters brings their free masks up
  /// to date).
  void pendingCopies(
      llvm::Register Reg,
      llvm::SmallVectorImpl<std::pair<unsigned, PendingCopy>> &Out);
  /// Touches the nodes that share a copy with Reg: their fixed copies change
  /// when Reg gets or gives back a register.
  void touchCopyPartners(llvm::Register Reg);
  double fixedCopyWeight(unsigned N);
  /// Node N's fixed copies, from the cache kept with fixedCopyWeight.
  const llvm::SmallVectorImpl<FixedCopy> &cachedFixedCopies(unsigned N) {
    fixedCopyWeight(N);
    return Nodes[N].Fixed;
  }
  /// Whether some callee-saved register overlapping Colour is still unused in
  /// the function (neither in the MIR nor assigned to anything).
  bool calleeSavedUnused(unsigned Colour) const;
  bool live(unsigned N) const {
    return Nodes[N].Status == NodeStatus::Pending ||
           Nodes[N].Status == NodeStatus::Assigned;
  }
  void dropEdges(unsigned N);
  void connect(unsigned N);
  void changed() { ++GraphVersion; }
  void edgeAdded(unsigned N, unsigned M);
  /// Nodes to look at again: each once, or all of them.
  struct TouchSet {
    std::vector<uint8_t> Flag;
    std::vector<unsigned> List;
    bool All = true;
    void touch(unsigned N) {
      if (All)
        return;
      if (N >= Flag.size())
        Flag.resize(N + 1, 0);
      if (!Flag[N]) {
        Flag[N] = 1;
        List.push_back(N);
      }
    }
    /// Appends the touched nodes among the first Size to Out and forgets them.
    void take(unsigned Size, std::vector<unsigned> &Out) {
      if (All)
        for (unsigned N = 0; N < Size; ++N)
          Out.push_back(N);
      // Nodes touched before All was set are in List too: their flags must
      // be cleared either way, or later touches of them would be lost.
      for (unsigned N : List) {
        Flag[N] = 0;
        if (!All && N < Size)
          Out.push_back(N);
      }
      All = false;
      List.clear();
    }
  };
  /// Row N (and whether N is selectable) must be recomputed.
  void touch(unsigned N) {
    TouchedRows.touch(N);
    TouchedSel.touch(N);
  }
  void touchAll() { TouchedRows.All = TouchedSel.All = true; }
  /// Brings the selectable cache up to date with the touched nodes.
  void refreshSelectable() const;
  /// Registers of N's class free for it now (cached until invalidated).
  unsigned freeRegisters(unsigned N);
  void invalidateFree(unsigned N);
  /// N's neighbour was just assigned Colour: the colours overlapping it are
  /// no longer free for N.
  void takeFree(unsigned N, int Colour);
  void invalidateAllFree();

  AllocContext &Ctx;
  const ColourTable &Colours;
  const LiveRangeSplitter &Splitter;
  DecisionLimits Limits;
  std::vector<Node> Nodes;
  // Per colour, the callee-saved registers it overlaps (the function's list:
  // MachineRegisterInfo::getCalleeSavedRegs).
  std::vector<llvm::SmallVector<llvm::MCPhysReg, 2>> CalleeSavedOf;
  llvm::DenseMap<llvm::Register, unsigned> NodeOf;
  std::vector<llvm::DenseSet<unsigned>> Adj;
  // Per node, how many of its neighbours are assigned (kept by setStatus and
  // the edge changes: a feature column, and iterating Adj costs).
  std::vector<unsigned> AssignedNeighbours;
  unsigned NumEdges = 0;
  // Per node, the colours free for it (colourMask without the spill entry)
  // and how many, kept up to date by assignments; empty = to recompute.
  std::vector<std::vector<uint8_t>> FreeMask;
  std::vector<int> FreeRegs;
  // Rows touched since the codec last asked, and since the selectable cache
  // was last refreshed.
  TouchSet TouchedRows;
  mutable TouchSet TouchedSel;
  mutable std::vector<unsigned> SelScratch;
  mutable std::vector<uint8_t> SelectableCache;
  Phase CurPhase = schema::phase::SelectNode;
  int Current = -1;
  uint64_t GraphVersion = 1;
  // The edge changes takeEdgeChanges has not handed out yet.
  bool EdgesWhole = true;
  std::vector<int32_t> DroppedLog, AddedLog;
  mutable int PointsFor = -1;
  mutable uint64_t PointsVersion = 0;
  mutable llvm::SmallVector<SplitPoint, 16> Points;
};

} // namespace rl4real

#endif
