//===- StateCodec.cpp - Decision state to protocol messages ---------------===//

#include "StateCodec.h"
#include <cstring>

using namespace rl4real;

template <typename T> static std::string rawBytes(const std::vector<T> &V) {
  return std::string(reinterpret_cast<const char *>(V.data()),
                     V.size() * sizeof(T));
}

template <typename T> static void append(std::string &Out, const T &V) {
  Out.append(reinterpret_cast<const char *>(&V), sizeof(T));
}

void StateCodec::encode(DecisionState &D, const std::string &Function,
                        const RunFigures &Run, State &S) {
  constexpr unsigned F = DecisionState::NumFeatures;
  S.set_function_name(Function);
  S.set_step(Run.Steps);
  S.set_last_weight(Run.LastWeight);
  S.set_last_split_weight(Run.LastSplitWeight);
  Figures &Fig = *S.mutable_figures();
  Fig.set_splits(Run.Splits);
  Fig.set_spilled_vregs(Run.Spilled);
  Fig.set_evictions(Run.Evictions);
  Fig.set_agent_decisions(Run.AgentDecisions);
  Fig.set_heuristic_decisions(Run.HeuristicDecisions);
  S.set_phase(int(D.phase()));
  S.set_current_node(D.current());
  S.set_mask(rawBytes(D.mask()));
  std::vector<float> Split;
  D.splitFeatures(Split);
  if (!Split.empty()) {
    S.set_split_features(rawBytes(Split));
    S.set_num_split_features(DecisionState::NumSplitFeatures);
  }
  D.registerFeatures(Registers);
  if (!Registers.empty()) {
    S.set_register_features(rawBytes(Registers));
    S.set_num_register_features(DecisionState::NumRegisterFeatures);
  }

  // Rows that differ from the last ones sent (all rows the first time),
  // looking only at the rows the decision state says may have changed.
  unsigned N = D.numNodes(), Known = Status.size();
  Rows.resize(size_t(N) * F);
  Status.resize(N, -1);
  Colour.resize(N);
  Weight.resize(N);
  Row.resize(F);
  Candidates.clear();
  D.takeChangedRows(Candidates);
  std::string Index, Feat, Stat, Col, Wt;
  for (unsigned I : Candidates) {
    D.features(I, Row.data());
    int8_t St = int8_t(D.status(I));
    int32_t C = D.colour(I);
    float W = D.weight(I);
    float *Old = &Rows[size_t(I) * F];
    bool Same = I < Known && St == Status[I] && C == Colour[I] &&
                std::memcmp(&W, &Weight[I], sizeof(float)) == 0 &&
                std::memcmp(Old, Row.data(), F * sizeof(float)) == 0;
    if (Same)
      continue;
    std::memcpy(Old, Row.data(), F * sizeof(float));
    Status[I] = St;
    Colour[I] = C;
    Weight[I] = W;
    append(Index, int32_t(I));
    Feat.append(reinterpret_cast<const char *>(Row.data()), F * sizeof(float));
    append(Stat, St);
    append(Col, C);
    append(Wt, W);
  }
  bool NewEdges = SentEdges != D.edgeVersion();
  if (Index.empty() && !NewEdges && N == Known)
    return;
  Graph &G = *S.mutable_graph();
  G.set_version(D.graphVersion());
  G.set_num_nodes(int(N));
  G.set_num_features(int(F));
  G.set_rows(std::move(Index));
  G.set_node_features(std::move(Feat));
  G.set_node_status(std::move(Stat));
  G.set_node_colour(std::move(Col));
  G.set_node_weight(std::move(Wt));
  if (NewEdges) {
    SentEdges = D.edgeVersion();
    D.edges(Edges);
    G.set_has_edges(true);
    G.set_num_edges(int(Edges.size() / 2));
    G.set_edges(rawBytes(Edges));
  }
}

void StateCodec::addFinal(const AllocationFigures &F, State &S) {
  Figures &Out = *S.mutable_figures();
  Out.set_weighted_cost(F.weighted());
  Out.set_reload_cost(F.ReloadCost);
  Out.set_spill_cost(F.SpillCost);
  Out.set_copy_cost(F.CopyCost);
  Out.set_reloads(F.Reloads);
  Out.set_spills(F.Spills);
  Out.set_folded_reloads(F.FoldedReloads);
  Out.set_folded_spills(F.FoldedSpills);
  Out.set_copies(F.Copies);
}

void StateCodec::addTarget(const std::vector<std::string> &Colours,
                           const std::string &Triple, State &S) {
  for (const std::string &Name : Colours)
    S.add_colours(Name);
  S.set_target(Triple);
}
