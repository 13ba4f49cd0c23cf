//===- StateCodec.h - Decision state to protocol messages --------*- C++ -*-===//
//
// The one place where the allocator's plain C++ view (DecisionState and the
// pass's running figures) becomes protocol messages, and protocol actions
// become decisions. After the first State of a function, a State carries only
// the node rows that differ from the ones last sent and the edge list only
// when the edge set changed: a decision touches a node and its neighbours,
// so most of the graph never travels twice. The register features of the
// colour phase describe one node's choices and travel whole.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_STATECODEC_H
#define RL4REAL_STATECODEC_H

#include "AllocationCost.h"
#include "DecisionState.h"
#include "rl4real.pb.h"
#include <string>
#include <vector>

namespace rl4real {

/// Counters of one function's allocation, kept by the pass.
struct RunFigures {
  unsigned Splits = 0, Spilled = 0, Evictions = 0, AgentDecisions = 0,
           HeuristicDecisions = 0, Steps = 0;
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
    SentEdges = 0;
  }

  /// Encodes the decision state as a delta against the last State encoded.
  void encode(DecisionState &D, const std::string &Function,
              const RunFigures &Run, State &S);
  /// Adds the measured figures of the finished function.
  static void addFinal(const AllocationFigures &F, State &S);
  /// Adds the colour table and target triple (first State of a process).
  static void addTarget(const std::vector<std::string> &Colours,
                        const std::string &Triple, State &S);

  static Decision decode(const Action &A) {
    return Decision{unsigned(A.kind()), A.value()};
  }

private:
  std::vector<float> Rows, Row, Registers;
  std::vector<int8_t> Status;
  std::vector<int32_t> Colour;
  std::vector<float> Weight;
  std::vector<int32_t> Edges;
  std::vector<unsigned> Candidates;
  uint64_t SentEdges = 0;
};

} // namespace rl4real

#endif
