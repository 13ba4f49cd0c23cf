//===- PolicyModel.cpp - A trained policy's network, run in-process -------===//
//
// The native policy file and the gnn-scoring forward pass. Every product is
// an explicit fused multiply-add chain in input order, starting from zero,
// with the bias added last: the order onnxruntime's MLAS kernels use, so that
// the logits stay within a few units in the last place of the Python
// policy's (see docs/native-policy.md for what is and is not bit-exact).
//
//===----------------------------------------------------------------------===//

#include "PolicyModel.h"
#include "PolicyLayout.h"
#include "Schema.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SHA256.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

using namespace llvm;
using namespace rl4real;

namespace {

constexpr char Magic[] = "RL4ReAl-policy\n";
constexpr size_t MagicSize = sizeof(Magic) - 1;
constexpr unsigned FormatVersion = 1;
constexpr unsigned PriorityColumns = 3;

/// Acc[o] = fma(X[k], WT[k][o], Acc[o]) for k in order: one chain per output.
__attribute__((always_inline)) inline void
accumulateImpl(const float *WT, const float *X, unsigned In, unsigned Out,
               float *Acc) {
  for (unsigned K = 0; K < In; ++K) {
    float XK = X[K];
    const float *Row = WT + size_t(K) * Out;
    for (unsigned O = 0; O < Out; ++O)
      Acc[O] = std::fma(XK, Row[O], Acc[O]);
  }
}

#if defined(__x86_64__)
// The same code, vectorised with the FMA instructions when the CPU has them
// (the results are the same: an fma is exactly rounded either way).
__attribute__((target("avx2,fma"))) void
accumulateFma(const float *WT, const float *X, unsigned In, unsigned Out,
              float *Acc) {
  accumulateImpl(WT, X, In, Out, Acc);
}
const bool HasFma = __builtin_cpu_supports("fma");
#endif

void accumulate(const float *WT, const float *X, unsigned In, unsigned Out,
                float *Acc) {
#if defined(__x86_64__)
  if (HasFma)
    return accumulateFma(WT, X, In, Out, Acc);
#endif
  accumulateImpl(WT, X, In, Out, Acc);
}

/// The first index of the largest legal value (numpy's argmax after
/// np.where(mask, logits, -inf)), or -1.
int argmax(const std::vector<float> &Logits, const uint8_t *Mask,
           unsigned Size) {
  int Best = -1;
  for (unsigned I = 0; I < Size && I < Logits.size(); ++I)
    if (Mask[I] && (Best < 0 || Logits[I] > Logits[Best]))
      Best = int(I);
  return Best;
}

Error fail(StringRef Path, const Twine &What) {
  return createStringError(inconvertibleErrorCode(),
                           "rl4real: model " + Path + ": " + What);
}

} // namespace

std::string PolicyModel::layoutText() { return RL4REAL_LAYOUT_TEXT; }

std::string PolicyModel::layoutFingerprint() {
  std::string Text = layoutText();
  auto Hash = SHA256::hash(ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(Text.data()), Text.size()));
  return toHex(Hash, /*LowerCase=*/true);
}

Expected<std::unique_ptr<PolicyModel>> PolicyModel::load(StringRef Path) {
  auto Buffer = MemoryBuffer::getFile(Path, /*IsText=*/false,
                                      /*RequiresNullTerminator=*/false);
  if (!Buffer)
    return fail(Path, "cannot be read (" + Buffer.getError().message() +
                          "): export one with `rl4real export --format "
                          "native`");
  std::unique_ptr<PolicyModel> M(new PolicyModel());
  M->Path = Path.str();
  if (Error E = M->parse((*Buffer)->getBuffer()))
    return std::move(E);
  return std::move(M);
}

Error PolicyModel::parse(StringRef Data) {
  if (!Data.starts_with(StringRef(Magic, MagicSize)) ||
      Data.size() < MagicSize + 4)
    return fail(Path, "is not an rl4real native policy (no RL4ReAl-policy "
                      "magic; `rl4real export --format native` writes one)");
  uint32_t HeaderSize =
      support::endian::read32le(Data.data() + MagicSize);
  size_t Start = MagicSize + 4;
  if (HeaderSize > Data.size() - Start)
    return fail(Path, "is corrupt (truncated header)");
  Expected<json::Value> Parsed = json::parse(Data.substr(Start, HeaderSize));
  if (!Parsed)
    return fail(Path, "is corrupt (header: " + toString(Parsed.takeError()) +
                          ")");
  const json::Object *H = Parsed->getAsObject();
  if (!H)
    return fail(Path, "is corrupt (header is not an object)");
  auto Int = [&](StringRef Key, int64_t &Out) -> Error {
    std::optional<int64_t> V = H->getInteger(Key);
    if (!V)
      return fail(Path, "is corrupt (header has no integer " + Key + ")");
    Out = *V;
    return Error::success();
  };
  int64_t Format = 0, Schema = 0, Nodes = 0, Edges = 0, Splits = 0,
          Colours = 0, HiddenV = 0, LayersV = 0, RegisterV = 0, DataSize = 0;
  for (auto [Key, Out] :
       {std::pair<StringRef, int64_t *>{"format_version", &Format},
        {"schema_version", &Schema}, {"max_nodes", &Nodes},
        {"max_edges", &Edges}, {"max_split_points", &Splits},
        {"num_colours", &Colours}, {"hidden", &HiddenV},
        {"layers", &LayersV}, {"register_dim", &RegisterV},
        {"data_size", &DataSize}})
    if (Error E = Int(Key, *Out))
      return E;
  if (Format != FormatVersion)
    return fail(Path, "has format version " + Twine(Format) +
                          ", this plugin reads version " +
                          Twine(FormatVersion) + ": export it again");
  std::optional<StringRef> Network = H->getString("network");
  if (!Network || *Network != "gnn-scoring")
    return fail(Path, "holds a " +
                          (Network ? Network->str() : std::string("?")) +
                          " network; the plugin runs gnn-scoring only");
  std::optional<StringRef> Fingerprint = H->getString("layout_fingerprint");
  if (Schema != schema::Version || !Fingerprint ||
      *Fingerprint != layoutFingerprint())
    return fail(Path,
                "was exported for another feature layout (schema version " +
                    Twine(Schema) + ", fingerprint " +
                    (Fingerprint ? *Fingerprint : StringRef("?")) +
                    "); this plugin has schema version " +
                    Twine(schema::Version) + ", fingerprint " +
                    layoutFingerprint() +
                    ": retrain or re-export it with this rl4real-gym");
  std::optional<StringRef> TargetV = H->getString("target");
  if (!TargetV)
    return fail(Path, "is corrupt (header has no target)");
  Target = TargetV->str();
  std::optional<bool> Prio = H->getBoolean("priority");
  std::optional<bool> Gate = H->getBoolean("spill_gate");
  std::optional<double> Low = H->getNumber("feature_low");
  std::optional<double> High = H->getNumber("feature_high");
  if (!Prio || !Gate || !Low || !High)
    return fail(Path, "is corrupt (header lacks priority, spill_gate or the "
                      "feature bounds)");
  if (Nodes <= 0 || Edges <= 0 || Splits <= 0 || Colours <= 0 ||
      HiddenV <= 0 || LayersV < 0 || RegisterV < 0 || Nodes > (1 << 20) ||
      HiddenV > 4096 || LayersV > 64)
    return fail(Path, "is corrupt (impossible sizes in its header)");
  MaxNodes = Nodes, MaxEdges = Edges, MaxSplitPoints = Splits;
  NumColours = Colours, Hidden = HiddenV, Layers = LayersV;
  RegisterDim = RegisterV, PriorityDim = *Prio ? PriorityColumns : 0;
  SpillGate = *Gate;
  FeatureLow = float(*Low), FeatureHigh = float(*High);
  if (RegisterDim && RegisterDim != schema::NumRegisterFeatures)
    return fail(Path, "has " + Twine(RegisterDim) +
                          " register features, the plugin " +
                          Twine(schema::NumRegisterFeatures));

  size_t Base = Start + HeaderSize;
  Base += (4 - Base % 4) % 4;
  if (Base > Data.size() || uint64_t(DataSize) != Data.size() - Base)
    return fail(Path, "is corrupt (its tensor data is " +
                          Twine(Data.size() > Base ? Data.size() - Base : 0) +
                          " bytes, the header says " + Twine(DataSize) + ")");
  const json::Array *Table = H->getArray("tensors");
  if (!Table)
    return fail(Path, "is corrupt (header has no tensor table)");
  std::map<std::string, std::vector<float>> All;
  std::map<std::string, std::vector<unsigned>> Shapes;
  for (const json::Value &V : *Table) {
    const json::Object *T = V.getAsObject();
    std::optional<StringRef> Name = T ? T->getString("name") : std::nullopt;
    std::optional<int64_t> Offset = T ? T->getInteger("offset") : std::nullopt;
    const json::Array *Shape = T ? T->getArray("shape") : nullptr;
    if (!Name || !Offset || !Shape)
      return fail(Path, "is corrupt (a tensor entry lacks name, offset or "
                        "shape)");
    uint64_t Count = 1;
    std::vector<unsigned> Dims;
    for (const json::Value &D : *Shape) {
      std::optional<int64_t> Dim = D.getAsInteger();
      if (!Dim || *Dim < 0 || *Dim > (1 << 24))
        return fail(Path, "is corrupt (tensor " + *Name + " has a bad shape)");
      Dims.push_back(unsigned(*Dim));
      Count *= uint64_t(*Dim);
    }
    if (*Offset < 0 || *Offset % 4 || uint64_t(*Offset) + 4 * Count >
                                          uint64_t(DataSize))
      return fail(Path, "is corrupt (tensor " + *Name +
                            " lies outside the data)");
    std::vector<float> Values(Count);
    const char *P = Data.data() + Base + *Offset;
    for (uint64_t I = 0; I < Count; ++I) {
      uint32_t Bits = support::endian::read32le(P + 4 * I);
      std::memcpy(&Values[I], &Bits, 4);
      if (!std::isfinite(Values[I]))
        return fail(Path, "is corrupt (tensor " + *Name +
                              " has a non-finite value)");
    }
    All[Name->str()] = std::move(Values);
    Shapes[Name->str()] = std::move(Dims);
  }
  // Check every shape against the hyper-parameters, then keep the tensors.
  auto Check = [&](const std::string &Name,
                   std::vector<unsigned> Shape) -> Error {
    auto It = Shapes.find(Name);
    if (It == Shapes.end())
      return fail(Path, "is corrupt (no tensor " + Name + ")");
    if (It->second != Shape)
      return fail(Path, "is corrupt (tensor " + Name +
                            " has the wrong shape for its hyper-parameters)");
    return Error::success();
  };
  unsigned Ctx = 3 * Hidden + 4 + 1;
  constexpr unsigned F = schema::NumNodeFeatures;
  if (Error E = Check("embed.weight", {Hidden, F}))
    return E;
  if (Error E = takeLinear(All, "embed", F, Hidden, true, Embed))
    return E;
  SelfLin.resize(Layers);
  NeighLin.resize(Layers);
  for (unsigned L = 0; L < Layers; ++L) {
    std::string Pre = "convs." + std::to_string(L);
    for (const char *Part : {".self", ".neigh"})
      if (Error E = Check(Pre + Part + ".weight", {Hidden, Hidden}))
        return E;
    if (Error E = takeLinear(All, Pre + ".self", Hidden, Hidden, true,
                             SelfLin[L]))
      return E;
    if (Error E = takeLinear(All, Pre + ".neigh", Hidden, Hidden, false,
                             NeighLin[L]))
      return E;
  }
  if (Error E = Check("task.weight", {2, Ctx}))
    return E;
  if (Error E = takeLinear(All, "task", Ctx, 2, true, Task))
    return E;
  if (Error E = Check("colour.weight", {NumColours + 1, Ctx}))
    return E;
  if (Error E = takeLinear(All, "colour", Ctx, NumColours + 1, true, Colour))
    return E;
  if (SpillGate) {
    if (Error E = Check("spill.weight", {1, Ctx}))
      return E;
    if (Error E = takeLinear(All, "spill", Ctx, 1, true, Spill))
      return E;
  }
  if (Error E = takeScorer(All, "node_score", Hidden + PriorityDim, NodeScore))
    return E;
  if (Error E = takeScorer(All, "split_score", schema::NumSplitFeatures,
                           SplitScore))
    return E;
  if (RegisterDim)
    if (Error E = takeScorer(All, "register_score", RegisterDim + PriorityDim,
                             RegisterScore))
      return E;
  return Error::success();
}

Error PolicyModel::takeLinear(
    const std::map<std::string, std::vector<float>> &All,
    const std::string &Name, unsigned In, unsigned Out, bool HasBias,
    Linear &L) {
  auto W = All.find(Name + ".weight");
  if (W == All.end() || W->second.size() != size_t(In) * Out)
    return fail(Path, "is corrupt (tensor " + Name + ".weight)");
  L.In = In, L.Out = Out;
  L.WT.assign(size_t(In) * Out, 0);
  for (unsigned O = 0; O < Out; ++O)
    for (unsigned K = 0; K < In; ++K)
      L.WT[size_t(K) * Out + O] = W->second[size_t(O) * In + K];
  L.Bias.assign(Out, 0);
  if (HasBias) {
    auto B = All.find(Name + ".bias");
    if (B == All.end() || B->second.size() != Out)
      return fail(Path, "is corrupt (tensor " + Name + ".bias)");
    L.Bias = B->second;
  }
  return Error::success();
}

Error PolicyModel::takeScorer(
    const std::map<std::string, std::vector<float>> &All,
    const std::string &Name, unsigned ItemDim, PairScorer &S) {
  unsigned Ctx = 3 * Hidden + 4 + 1;
  auto W0 = All.find(Name + ".0.weight");
  auto B0 = All.find(Name + ".0.bias");
  auto W2 = All.find(Name + ".2.weight");
  auto B2 = All.find(Name + ".2.bias");
  if (W0 == All.end() || B0 == All.end() || W2 == All.end() ||
      B2 == All.end())
    return fail(Path, "is corrupt (no tensors of " + Name + ")");
  unsigned Width = B0->second.size();
  if (W0->second.size() != size_t(Width) * (ItemDim + Ctx) ||
      W2->second.size() != Width || B2->second.size() != 1)
    return fail(Path, "is corrupt (tensors of " + Name +
                          " have the wrong shapes for its hyper-parameters)");
  S.ItemDim = ItemDim, S.Width = Width;
  S.ItemWT.assign(size_t(ItemDim) * Width, 0);
  S.Context.In = Ctx, S.Context.Out = Width;
  S.Context.WT.assign(size_t(Ctx) * Width, 0);
  const std::vector<float> &W = W0->second;
  for (unsigned O = 0; O < Width; ++O) {
    for (unsigned K = 0; K < ItemDim; ++K)
      S.ItemWT[size_t(K) * Width + O] = W[size_t(O) * (ItemDim + Ctx) + K];
    for (unsigned K = 0; K < Ctx; ++K)
      S.Context.WT[size_t(K) * Width + O] =
          W[size_t(O) * (ItemDim + Ctx) + ItemDim + K];
  }
  S.Context.Bias = B0->second;
  S.OutW = W2->second;
  S.OutBias = B2->second[0];
  return Error::success();
}

void PolicyModel::apply(const Linear &L, const float *X, unsigned NumRows,
                        float *Y, bool AddBias) const {
  for (unsigned R = 0; R < NumRows; ++R) {
    float *Out = Y + size_t(R) * L.Out;
    std::fill(Out, Out + L.Out, 0.0f);
    accumulate(L.WT.data(), X + size_t(R) * L.In, L.In, L.Out, Out);
    if (AddBias)
      for (unsigned O = 0; O < L.Out; ++O)
        Out[O] = Out[O] + L.Bias[O];
  }
}

void PolicyModel::embed(const PolicyObservation &Obs) {
  unsigned N = NumNodes = Obs.NumNodes;
  size_t Size = size_t(N) * Hidden;
  H.resize(Size);
  Next.resize(Size);
  Total.resize(Size);
  Degree.assign(N, 0.0f);
  apply(Embed, Obs.Features, N, H.data(), true);
  for (unsigned I = 0; I < N; ++I) {
    float Mask = Obs.NodeMask[I] ? 1.0f : 0.0f;
    for (unsigned J = 0; J < Hidden; ++J)
      H[size_t(I) * Hidden + J] = std::max(H[size_t(I) * Hidden + J], 0.0f) * Mask;
  }
  for (unsigned E = 0; E < Obs.NumEdges; ++E) {
    Degree[Obs.Edges[2 * E]] += 1.0f;
    Degree[Obs.Edges[2 * E + 1]] += 1.0f;
  }
  std::vector<float> Neigh(Size), Part(Hidden);
  for (unsigned L = 0; L < Layers; ++L) {
    // The neighbour sum in the order of the env's scatter-add: each edge
    // (i, j) adds h_j to i, then each edge adds h_i to j.
    std::fill(Total.begin(), Total.end(), 0.0f);
    for (int Pass = 0; Pass < 2; ++Pass)
      for (unsigned E = 0; E < Obs.NumEdges; ++E) {
        unsigned To = Obs.Edges[2 * E + Pass], From = Obs.Edges[2 * E + 1 - Pass];
        float *T = &Total[size_t(To) * Hidden];
        const float *S = &H[size_t(From) * Hidden];
        for (unsigned J = 0; J < Hidden; ++J)
          T[J] = T[J] + S[J];
      }
    for (unsigned I = 0; I < N; ++I) {
      float D = std::max(Degree[I], 1.0f);
      for (unsigned J = 0; J < Hidden; ++J)
        Neigh[size_t(I) * Hidden + J] = Total[size_t(I) * Hidden + J] / D;
    }
    apply(SelfLin[L], H.data(), N, Next.data(), true);
    for (unsigned I = 0; I < N; ++I) {
      std::fill(Part.begin(), Part.end(), 0.0f);
      accumulate(NeighLin[L].WT.data(), &Neigh[size_t(I) * Hidden], Hidden,
                 Hidden, Part.data());
      float Mask = Obs.NodeMask[I] ? 1.0f : 0.0f;
      for (unsigned J = 0; J < Hidden; ++J) {
        float &Out = Next[size_t(I) * Hidden + J];
        Out = std::max(Out + Part[J], 0.0f) * Mask + H[size_t(I) * Hidden + J];
      }
    }
    std::swap(H, Next);
  }
}

void PolicyModel::buildContext(const PolicyObservation &Obs) {
  unsigned N = NumNodes;
  Context.assign(3 * Hidden + 4 + 1, 0.0f);
  float Count = 0;
  for (unsigned I = 0; I < N; ++I)
    Count += Obs.NodeMask[I] ? 1.0f : 0.0f;
  Count = std::max(Count, 1.0f);
  for (unsigned J = 0; J < Hidden; ++J) {
    float Sum = 0, Max = -1e4f;
    for (unsigned I = 0; I < N; ++I) {
      float V = H[size_t(I) * Hidden + J];
      Sum = Sum + V;
      Max = std::max(Max, Obs.NodeMask[I] ? V : V - 1e4f);
    }
    Context[J] = Sum / Count;
    Context[Hidden + J] = std::max(Max, 0.0f);
  }
  if (Obs.Current >= 0 && unsigned(Obs.Current) < N)
    std::copy_n(&H[size_t(Obs.Current) * Hidden], Hidden, &Context[2 * Hidden]);
  Context[3 * Hidden + std::min(Obs.Phase, 3u)] = 1.0f;
  Context[3 * Hidden + 4] = Obs.Current >= 0 ? 1.0f : 0.0f;
}

void PolicyModel::prepareScorer(PairScorer &S) const {
  S.ContextPart.resize(S.Width);
  apply(S.Context, Context.data(), 1, S.ContextPart.data(), true);
}

float PolicyModel::score(const PairScorer &S, const float *Item) const {
  float Acc[512];
  unsigned W = std::min(S.Width, 512u);
  std::fill(Acc, Acc + W, 0.0f);
  accumulate(S.ItemWT.data(), Item, S.ItemDim, W, Acc);
  float Out = 0;
  for (unsigned O = 0; O < W; ++O)
    Out = std::fma(std::tanh(Acc[O] + S.ContextPart[O]), S.OutW[O], Out);
  return Out + S.OutBias;
}

void PolicyModel::priority(const std::vector<const float *> &Keys,
                           unsigned Stride, const uint8_t *Legal,
                           unsigned Count, float *Out) const {
  std::vector<unsigned> Order;
  for (unsigned I = 0; I < Count; ++I)
    if (Legal[I])
      Order.push_back(I);
  // Larger keys first, lexicographically; then the lower index.
  std::stable_sort(Order.begin(), Order.end(), [&](unsigned A, unsigned B) {
    for (const float *K : Keys) {
      float KA = K[size_t(A) * Stride], KB = K[size_t(B) * Stride];
      if (KA != KB)
        return KA > KB;
    }
    return false;
  });
  std::fill(Out, Out + size_t(Count) * PriorityColumns, 0.0f);
  float Best = -1e9f;
  for (unsigned I : Order)
    Best = std::max(Best, Keys[0][size_t(I) * Stride]);
  for (unsigned Pos = 0; Pos < Order.size(); ++Pos) {
    unsigned I = Order[Pos];
    // Items with equal keys share no position: each is after the ones with
    // a lower index, as in the Python code's pairwise comparison.
    float *Row = Out + size_t(I) * PriorityColumns;
    Row[0] = Pos == 0 ? 1.0f : 0.0f;
    Row[1] = std::log(1.0f + float(Pos));
    Row[2] = std::max(Best - Keys[0][size_t(I) * Stride], 0.0f);
  }
}

int PolicyModel::decide(const PolicyObservation &Obs) {
  constexpr unsigned F = schema::NumNodeFeatures;
  constexpr unsigned RF = schema::NumRegisterFeatures;
  constexpr unsigned SF = schema::NumSplitFeatures;
  buildContext(Obs);
  std::vector<float> Logits;
  switch (Obs.Phase) {
  case 0: { // select node: score every legal node
    unsigned N = std::min(NumNodes, Obs.MaskSize);
    Logits.assign(N, 0.0f);
    Prio.assign(size_t(N) * PriorityColumns, 0.0f);
    if (PriorityDim)
      priority({Obs.Features + schema::nf::LogSpillWeight}, F, Obs.Mask, N,
               Prio.data());
    prepareScorer(NodeScore);
    Item.resize(Hidden + PriorityDim);
    for (unsigned I = 0; I < N; ++I) {
      if (!Obs.Mask[I])
        continue;
      std::copy_n(&H[size_t(I) * Hidden], Hidden, Item.begin());
      std::copy_n(&Prio[size_t(I) * PriorityColumns], PriorityDim,
                  Item.begin() + Hidden);
      Logits[I] = score(NodeScore, Item.data());
    }
    return argmax(Logits, Obs.Mask, N);
  }
  case 1: {
    Logits.resize(2);
    apply(Task, Context.data(), 1, Logits.data(), true);
    return argmax(Logits, Obs.Mask, std::min(2u, Obs.MaskSize));
  }
  case 2: {
    unsigned C = NumColours, Size = std::min(C + 1, Obs.MaskSize);
    Logits.resize(C + 1);
    apply(Colour, Context.data(), 1, Logits.data(), true);
    if (RegisterDim) {
      std::vector<float> Regs(size_t(C + 1) * RF, 0.0f);
      if (Obs.RegisterFeatures)
        std::copy_n(Obs.RegisterFeatures, Regs.size(), Regs.begin());
      Prio.assign(size_t(C + 1) * PriorityColumns, 0.0f);
      if (PriorityDim) {
        // Keys: copy weight, hint, then the allocation order (earlier first;
        // registers outside it last).
        std::vector<float> Rank(C);
        for (unsigned I = 0; I < C; ++I) {
          float R = Regs[size_t(I) * RF + schema::rf::OrderRank];
          Rank[I] = -(R > 0 ? R : 2.0f);
        }
        std::vector<uint8_t> Free(C, 0);
        std::copy_n(Obs.Mask, std::min(C, Obs.MaskSize), Free.begin());
        std::vector<float> RankRows(size_t(C) * RF, 0.0f);
        for (unsigned I = 0; I < C; ++I)
          RankRows[size_t(I) * RF] = Rank[I];
        priority({&Regs[schema::rf::LogCopyWeight], &Regs[schema::rf::Hint],
                  RankRows.data()},
                 RF, Free.data(), C, Prio.data());
      }
      prepareScorer(RegisterScore);
      Item.resize(RF + PriorityDim);
      for (unsigned I = 0; I < Size; ++I) {
        if (!Obs.Mask[I] && !SpillGate)
          continue;
        std::copy_n(&Regs[size_t(I) * RF], RF, Item.begin());
        std::copy_n(&Prio[size_t(I) * PriorityColumns], PriorityDim,
                    Item.begin() + RF);
        Logits[I] = Logits[I] + score(RegisterScore, Item.data());
      }
    }
    if (SpillGate) {
      float Z = 0;
      apply(Spill, Context.data(), 1, &Z, true);
      float Max = -1e4f;
      bool AnyFree = false;
      for (unsigned I = 0; I < C; ++I)
        if (I < Obs.MaskSize && Obs.Mask[I]) {
          Max = std::max(Max, Logits[I]);
          AnyFree = true;
        }
      float Norm = 0;
      if (AnyFree) {
        float Sum = 0;
        for (unsigned I = 0; I < C; ++I)
          Sum += std::exp((I < Obs.MaskSize && Obs.Mask[I] ? Logits[I] : -1e4f) -
                          Max);
        Norm = Max + std::log(Sum);
      }
      auto Softplus = [](float X) {
        return X > 20 ? X : std::log1p(std::exp(X));
      };
      for (unsigned I = 0; I < C; ++I)
        Logits[I] = Logits[I] - Norm - Softplus(Z);
      Logits[C] = -Softplus(-Z);
    }
    return argmax(Logits, Obs.Mask, Size);
  }
  case 3: {
    unsigned U = std::min(MaxSplitPoints, Obs.MaskSize);
    Logits.assign(U, 0.0f);
    prepareScorer(SplitScore);
    std::vector<float> Zero(SF, 0.0f);
    for (unsigned J = 0; J < U; ++J)
      if (Obs.Mask[J])
        Logits[J] = score(SplitScore, J < Obs.NumSplitPoints
                                          ? Obs.SplitFeatures + size_t(J) * SF
                                          : Zero.data());
    return argmax(Logits, Obs.Mask, U);
  }
  default:
    return -1;
  }
}
