//===- StateCodec.cpp - Decision state to protocol messages ---------------===//

#include "StateCodec.h"
#include <cstring>
#include <set>

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
  S.set_applied(Run.Applied);
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
  bool Whole = D.takeEdgeChanges(Dropped, Added) || !SentEdges;
  bool NewEdges = Whole || !Dropped.empty() || !Added.empty();
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
  if (Whole) {
    SentEdges = true;
    D.edges(Edges);
    G.set_has_edges(true);
    G.set_num_edges(int(Edges.size() / 2));
    G.set_edges(rawBytes(Edges));
  } else {
    if (!Dropped.empty())
      G.set_dropped_nodes(rawBytes(Dropped));
    if (!Added.empty())
      G.set_added_edges(rawBytes(Added));
  }
  if (Checking)
    mirrorEdges(Whole);
}

std::string StateCodec::check(DecisionState &D) {
  constexpr unsigned F = DecisionState::NumFeatures;
  unsigned N = D.numNodes();
  if (Status.size() != N)
    return "the codec knows " + std::to_string(Status.size()) +
           " nodes, the decision state has " + std::to_string(N);
  D.forgetCopyWeights();
  for (unsigned I = 0; I < N; ++I) {
    D.features(I, Row.data());
    for (unsigned C = 0; C < F; ++C)
      if (std::memcmp(&Row[C], &Rows[size_t(I) * F + C], sizeof(float)))
        return "node " + std::to_string(I) + ": feature column " +
               std::to_string(C) + " was sent as " +
               std::to_string(Rows[size_t(I) * F + C]) + ", is " +
               std::to_string(Row[C]);
    if (Status[I] != int8_t(D.status(I)) || Colour[I] != D.colour(I))
      return "node " + std::to_string(I) + ": stale status or colour";
  }
  // The edge set a client rebuilds from the deltas, against the real one.
  D.edges(Edges);
  std::set<std::pair<int32_t, int32_t>> Real;
  for (size_t I = 0; I + 1 < Edges.size(); I += 2)
    Real.insert({Edges[I], Edges[I + 1]});
  if (Real != Mirror)
    return "the edges sent as deltas add up to " +
           std::to_string(Mirror.size()) + " edges, the graph has " +
           std::to_string(Real.size());
  return "";
}

void StateCodec::mirrorEdges(bool Whole) {
  if (Whole) {
    Mirror.clear();
    for (size_t I = 0; I + 1 < Edges.size(); I += 2)
      Mirror.insert({Edges[I], Edges[I + 1]});
    return;
  }
  if (!Dropped.empty()) {
    std::set<int32_t> Gone(Dropped.begin(), Dropped.end());
    for (auto It = Mirror.begin(); It != Mirror.end();)
      It = Gone.count(It->first) || Gone.count(It->second) ? Mirror.erase(It)
                                                           : std::next(It);
  }
  for (size_t I = 0; I + 1 < Added.size(); I += 2)
    Mirror.insert({Added[I], Added[I + 1]});
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
