//===- PolicyDecider.h - A trained policy decides in-process -----*- C++ -*-===//
//
// Turns the decision state into the observation the Python env builds from
// the same state (rl4real_gym/envs/spaces.py build_observation: the rows and
// edges the protocol would have sent, in the order a client rebuilds them,
// clipped to the model's bounds, cut to its sizes) and asks the PolicyModel
// for the phase's choice. It keeps the rows and edges between decisions, as
// a client does, and recomputes the network's trunk only when they changed
// (the select-task and colour decisions of a node see the graph of its
// select-node decision).
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_POLICYDECIDER_H
#define RL4REAL_POLICYDECIDER_H

#include "DecisionState.h"
#include "PolicyModel.h"
#include "llvm/Support/raw_ostream.h"
#include <memory>
#include "llvm/TargetParser/Triple.h"
#include <vector>

namespace rl4real {

class PolicyDecider {
public:
  explicit PolicyDecider(PolicyModel &Model) : Model(Model) {}

  /// A new function: everything is sent afresh.
  void startFunction();
  /// The model's choice in D's current phase: an index into D.mask(), or -1
  /// when the phase has no legal choice.
  int decide(DecisionState &D);
  /// How many times the trunk was computed (for the summary).
  unsigned trunkRuns() const { return TrunkRuns; }

  /// The model of -rl4real-model, loaded once per process; null without the
  /// option or when the file cannot be used: then LoadError says why, naming
  /// the file, and the pass reports it as a compiler error (llc and clang
  /// exit non-zero and write no output): never a silent fallback.
  static PolicyModel *processModel(std::string &LoadError);
  /// Why the model cannot decide for this target and colour table ("" when
  /// it can).
  std::string checkTarget(const llvm::Triple &T, unsigned NumColours);
  /// Records an applied decision (and writes it to -rl4real-decisions-output).
  void record(llvm::StringRef Function, unsigned Phase, int Choice);

  /// What the policy and the heuristic decided, for the one-line summary.
  struct Counts {
    unsigned Functions = 0, PolicyDecisions = 0, OversizeFunctions = 0,
             DeferredRegs = 0, OtherClassRegs = 0;
  } Stats;
  /// The one-line summary (-rl4real-summary) on stderr.
  void printSummary(unsigned HeuristicDecisions) const;

private:
  PolicyModel &Model;
  bool Fresh = true;
  std::vector<float> Rows;     // the rows as sent, clipped
  std::vector<int8_t> Status;  // as sent
  std::vector<uint8_t> NodeMask;
  std::vector<int32_t> Edges;  // as a client rebuilds them
  std::vector<int32_t> ObsEdges, Dropped, Added, Whole;
  std::vector<unsigned> Candidates, ChangedRows;
  std::vector<float> Row, Split, Registers;
  unsigned TrunkRuns = 0;
  bool TargetChecked = false;
  std::unique_ptr<llvm::raw_fd_ostream> DecisionLog;
};

} // namespace rl4real

#endif
