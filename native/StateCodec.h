//===- StateCodec.h - Decision state to protocol messages --------*- C++ -*-===//
//
// The one place where the allocator's plain C++ view (DecisionState and the
// pass's running figures) becomes protocol messages, and protocol actions
// become decisions. After the first State of a function, a State carries only
// the node rows that differ from the ones last sent and, when the edge set
// changed, which nodes lost their edges and which edges appeared: a decision
// touches a node and its neighbours, so most of the graph never travels
// twice. The register features of the
// colour phase describe one node's choices and travel whole.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_STATECODEC_H
#define RL4REAL_STATECODEC_H

#include "AllocationCost.h"
#include "DecisionState.h"
#include "rl4real.pb.h"
#include <set>
#include <string>
#include <vector>

namespace rl4real {

/// Counters of one function's allocation, kept by the pass.
struct RunFigures {
  unsigned Splits = 0, Spilled = 0, Evictions = 0, AgentDecisions = 0,
           HeuristicDecisions = 0, Steps = 0;
  // Decisions of the client's last Action (it and its plan) applied.
  unsigned Applied = 0;
  double LastWeight = 0, LastSplitWeight = 0;
};

/// A decision as the allocator sees it.
struct Decision {
  unsigned Kind = 0; // schema::action
  int Value = 0;
};

class StateCodec {
public:
  /// Forgets what was sent: the next State of a function carries everything.
  void startFunction() {
    Rows.clear();
    Status.clear();
    Colour.clear();
    Weight.clear();
    SentEdges = false;
  }

  /// Keeps a copy of the edge set as a client rebuilds it from the deltas,
  /// for check() (testing: -rl4real-self-check).
  void setChecking(bool On) { Checking = On; }
  /// Compares what was sent (rows, status, colours; the edge set if
  /// checking) with a fresh computation; returns the first difference, or "".
  std::string check(DecisionState &D);

  /// Encodes the decision state as a delta against the last State encoded.
  void encode(DecisionState &D, const std::string &Function,
              const RunFigures &Run, State &S);
  /// Adds the measured figures of the finished function.
  static void addFinal(const AllocationFigures &F, State &S);
  /// Adds the colour table and target triple (first State of a process).
  static void addTarget(const std::vector<std::string> &Colours,
                        const std::string &Triple, State &S);

  /// The decisions of an Action: itself, then its plan.
  static void decode(const Action &A, std::vector<Decision> &Out) {
    Out.clear();
    Out.push_back(Decision{unsigned(A.kind()), A.value()});
    for (const Action &Then : A.then())
      Out.push_back(Decision{unsigned(Then.kind()), Then.value()});
  }

private:
  std::vector<float> Rows, Row, Registers;
  std::vector<int8_t> Status;
  std::vector<int32_t> Colour;
  std::vector<float> Weight;
  std::vector<int32_t> Edges, Dropped, Added;
  std::vector<unsigned> Candidates;
  bool SentEdges = false, Checking = false;
  std::set<std::pair<int32_t, int32_t>> Mirror;
  void mirrorEdges(bool Whole);
};

} // namespace rl4real

#endif
