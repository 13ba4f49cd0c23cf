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
#if defined(__x86_64__)
#include <immintrin.h>
#endif

using namespace llvm;
using namespace rl4real;

namespace {

constexpr char Magic[] = "RL4ReAl-policy\n";
constexpr size_t MagicSize = sizeof(Magic) - 1;
constexpr unsigned FormatVersion = 1;
constexpr unsigned PriorityColumns = 3;

/// Acc[o] = fma(X[k], WT[k][o], Acc[o]) for k in order: one chain per
/// output. Outputs go in blocks of Block, whose accumulators stay in
/// registers across the k loop; the order of each chain is the same.
template <unsigned Block>
__attribute__((always_inline)) inline void
accumulateBlock(const float *__restrict WT, const float *__restrict X,
                unsigned In, unsigned Out, float *__restrict Acc) {
  float A[Block];
  for (unsigned O = 0; O < Block; ++O)
    A[O] = Acc[O];
  for (unsigned K = 0; K < In; ++K) {
    float XK = X[K];
    const float *Row = WT + size_t(K) * Out;
    for (unsigned O = 0; O < Block; ++O)
      A[O] = std::fma(XK, Row[O], A[O]);
  }
  for (unsigned O = 0; O < Block; ++O)
    Acc[O] = A[O];
}

__attribute__((always_inline)) inline void
accumulateImpl(const float *WT, const float *X, unsigned In, unsigned Out,
               float *Acc) {
  unsigned O = 0;
  for (; O + 32 <= Out; O += 32)
    accumulateBlock<32>(WT + O, X, In, Out, Acc + O);
  for (; O + 8 <= Out; O += 8)
    accumulateBlock<8>(WT + O, X, In, Out, Acc + O);
  for (; O < Out; ++O)
    accumulateBlock<1>(WT + O, X, In, Out, Acc + O);
}

#if defined(__x86_64__)
// The same code, vectorised with the FMA instructions when the CPU has them
// (the results are the same: an fma is exactly rounded either way).
__attribute__((target("avx2,fma"))) void
accumulateFma(const float *WT, const float *X, unsigned In, unsigned Out,
              float *Acc) {
  accumulateImpl(WT, X, In, Out, Acc);
}
const bool HasFma =
    __builtin_cpu_supports("fma") && __builtin_cpu_supports("avx2");
#endif

void accumulate(const float *WT, const float *X, unsigned In, unsigned Out,
                float *Acc) {
#if defined(__x86_64__)
  if (HasFma)
    return accumulateFma(WT, X, In, Out, Acc);
#endif
  accumulateImpl(WT, X, In, Out, Acc);
}

/// T[j] = T[j] + S[j] (plain adds, vectorised where the CPU allows).
__attribute__((always_inline)) inline void
addRowImpl(float *__restrict T, const float *__restrict S, unsigned N) {
  for (unsigned J = 0; J < N; ++J)
    T[J] = T[J] + S[J];
}
#if defined(__x86_64__)
__attribute__((target("avx2"))) void addRowAvx2(float *__restrict T,
                                                const float *__restrict S,
                                                unsigned N) {
  addRowImpl(T, S, N);
}
#endif
void addRow(float *__restrict T, const float *__restrict S, unsigned N) {
#if defined(__x86_64__)
  if (HasFma)
    return addRowAvx2(T, S, N);
#endif
  addRowImpl(T, S, N);
}

/// X[j] = tanh(X[j]): glibc's vector tanhf (libmvec, 8 lanes) on x86-64
/// CPUs with AVX2, else the scalar one (both within a few ulp of tanh, as
/// onnxruntime's own approximation is).
#if defined(__x86_64__) && defined(__GLIBC__)
extern "C" __m256 _ZGVdN8v_tanhf(__m256);
__attribute__((target("avx2,fma"))) void tanhRowAvx2(float *X, unsigned N) {
  unsigned J = 0;
  for (; J + 8 <= N; J += 8)
    _mm256_storeu_ps(X + J, _ZGVdN8v_tanhf(_mm256_loadu_ps(X + J)));
  for (; J < N; ++J)
    X[J] = std::tanh(X[J]);
}
#endif
void tanhRow(float *X, unsigned N) {
#if defined(__x86_64__) && defined(__GLIBC__)
  if (HasFma)
    return tanhRowAvx2(X, N);
#endif
  for (unsigned J = 0; J < N; ++J)
    X[J] = std::tanh(X[J]);
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
  if (Width == 0 || Width > MaxWidth)
    return fail(Path, "is corrupt (" + Name + " is " + Twine(Width) +
                          " wide; the plugin runs up to " + Twine(MaxWidth) +
                          ")");
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

void PolicyModel::buildAdjacency(const PolicyObservation &Obs) {
  unsigned N = NumNodes;
  AdjStart.assign(N + 1, 0);
  for (unsigned E = 0; E < Obs.NumEdges; ++E) {
    ++AdjStart[Obs.Edges[2 * E] + 1];
    ++AdjStart[Obs.Edges[2 * E + 1] + 1];
  }
  for (unsigned I = 0; I < N; ++I)
    AdjStart[I + 1] += AdjStart[I];
  Adj.resize(AdjStart[N]);
  std::vector<unsigned> Fill(AdjStart.begin(), AdjStart.end() - 1);
  for (int Pass = 0; Pass < 2; ++Pass)
    for (unsigned E = 0; E < Obs.NumEdges; ++E)
      Adj[Fill[Obs.Edges[2 * E + Pass]]++] = Obs.Edges[2 * E + 1 - Pass];
}

void PolicyModel::computeRow(const PolicyObservation &Obs, unsigned L,
                             unsigned I) {
  float Mask = Obs.NodeMask[I] ? 1.0f : 0.0f;
  float *Out = &Layer[L + 1][size_t(I) * Hidden];
  if (L == 0) {
    apply(Embed, Obs.Features + size_t(I) * schema::NumNodeFeatures, 1, Out,
          true);
    for (unsigned J = 0; J < Hidden; ++J)
      Out[J] = std::max(Out[J], 0.0f) * Mask;
    return;
  }
  // h' = relu(W_self h + b + W_neigh mean of the neighbours' h) * mask + h
  const std::vector<float> &In = Layer[L];
  Sum.assign(Hidden, 0.0f);
  for (unsigned K = AdjStart[I]; K < AdjStart[I + 1]; ++K)
    addRow(Sum.data(), &In[size_t(Adj[K]) * Hidden], Hidden);
  float Degree = std::max(float(AdjStart[I + 1] - AdjStart[I]), 1.0f);
  for (unsigned J = 0; J < Hidden; ++J)
    Sum[J] = Sum[J] / Degree;
  const float *Own = &In[size_t(I) * Hidden];
  apply(SelfLin[L - 1], Own, 1, Out, true);
  Part.assign(Hidden, 0.0f);
  accumulate(NeighLin[L - 1].WT.data(), Sum.data(), Hidden, Hidden,
             Part.data());
  for (unsigned J = 0; J < Hidden; ++J)
    Out[J] = std::max(Out[J] + Part[J], 0.0f) * Mask + Own[J];
}

void PolicyModel::embed(const PolicyObservation &Obs,
                        const std::vector<unsigned> *ChangedRows,
                        bool EdgesChanged) {
  unsigned Old = NumNodes, N = NumNodes = Obs.NumNodes;
  bool Full = !ChangedRows || N < Old || Layer.size() != Layers + 2;
  if (Full)
    NodeItemValid.assign(N, 0);
  Layer.resize(Layers + 2);
  for (std::vector<float> &M : Layer)
    M.resize(size_t(N) * Hidden, 0.0f);
  // Layer[0] is unused: row I of layer L + 1 reads the features (L = 0) or
  // Layer[L]; Layer[Layers + 1] is the last convolution's output.
  Dirty.assign(N, Full ? 1 : 0);
  if (EdgesChanged || Full) {
    std::swap(OldAdjStart, AdjStart);
    std::swap(OldAdj, Adj);
    buildAdjacency(Obs);
    // A node whose neighbours (or their order) changed has a new sum from
    // the first convolution on.
    if (!Full)
      for (unsigned I = 0; I < N; ++I) {
        bool Same = I < Old && OldAdjStart[I + 1] - OldAdjStart[I] ==
                                   AdjStart[I + 1] - AdjStart[I];
        for (unsigned K = 0; Same && K < AdjStart[I + 1] - AdjStart[I]; ++K)
          Same = OldAdj[OldAdjStart[I] + K] == Adj[AdjStart[I] + K];
        if (!Same)
          Dirty[I] = 2; // dirty from layer 1 on
      }
  }
  if (!Full) {
    for (unsigned I : *ChangedRows)
      if (I < N)
        Dirty[I] = 1;
    for (unsigned I = Old; I < N; ++I)
      Dirty[I] = 1;
  }
  for (unsigned L = 0; L <= Layers; ++L) {
    // Rows of layer L + 1 to compute: dirty ones (level 1 always, level 2
    // from layer 1 on); then the dirt spreads one hop for the next layer.
    for (unsigned I = 0; I < N; ++I)
      if (Dirty[I] == 1 || (Dirty[I] == 2 && L > 0)) {
        computeRow(Obs, L, I);
        ++RowsComputed;
        if (L == Layers && I < NodeItemValid.size())
          NodeItemValid[I] = 0; // its embedding changed
      }
    RowsFull += N;
    if (L < Layers) {
      NextDirty = Dirty;
      for (unsigned I = 0; I < N; ++I)
        if (Dirty[I] == 1 || (Dirty[I] == 2 && L > 0))
          for (unsigned K = AdjStart[I]; K < AdjStart[I + 1]; ++K)
            NextDirty[Adj[K]] = 1;
      for (unsigned I = 0; I < N; ++I)
        if (NextDirty[I] == 2)
          NextDirty[I] = 1; // from the next layer on, a plain dirty row
      std::swap(Dirty, NextDirty);
    }
  }
  H = Layer[Layers + 1].data();
  PooledValid = false;
}

void PolicyModel::buildContext(const PolicyObservation &Obs) {
  unsigned N = NumNodes;
  Context.assign(3 * Hidden + 4 + 1, 0.0f);
  if (!PooledValid) {
    // The mean and max over the nodes change only with the embeddings.
    Pooled.assign(2 * Hidden, 0.0f);
    float Count = 0;
    for (unsigned I = 0; I < N; ++I)
      Count += Obs.NodeMask[I] ? 1.0f : 0.0f;
    Count = std::max(Count, 1.0f);
    std::vector<float> Max(Hidden, -1e4f);
    for (unsigned I = 0; I < N; ++I) {
      const float *Row = &H[size_t(I) * Hidden];
      bool Present = Obs.NodeMask[I];
      for (unsigned J = 0; J < Hidden; ++J) {
        Pooled[J] = Pooled[J] + Row[J];
        Max[J] = std::max(Max[J], Present ? Row[J] : Row[J] - 1e4f);
      }
    }
    for (unsigned J = 0; J < Hidden; ++J) {
      Pooled[J] = Pooled[J] / Count;
      Pooled[Hidden + J] = std::max(Max[J], 0.0f);
    }
    PooledValid = true;
  }
  std::copy(Pooled.begin(), Pooled.end(), Context.begin());
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
  float Acc[MaxWidth];
  unsigned W = S.Width;
  std::fill(Acc, Acc + W, 0.0f);
  accumulate(S.ItemWT.data(), Item, S.ItemDim, W, Acc);
  return finishScore(S, Acc);
}

float PolicyModel::finishScore(const PairScorer &S, float *Acc) const {
  unsigned W = S.Width;
  for (unsigned O = 0; O < W; ++O)
    Acc[O] = Acc[O] + S.ContextPart[O];
  tanhRow(Acc, W);
  float Out = 0;
  for (unsigned O = 0; O < W; ++O)
    Out = std::fma(Acc[O], S.OutW[O], Out);
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
    // The embedding's share of a node's item product is kept until the
    // node's embedding changes; the priority columns continue the same
    // chains of multiply-adds, so the sums are those of one product.
    unsigned W = NodeScore.Width;
    NodeItem.resize(size_t(NumNodes) * W);
    NodeItemValid.resize(NumNodes, 0);
    float Acc[MaxWidth];
    for (unsigned I = 0; I < N; ++I) {
      if (!Obs.Mask[I])
        continue;
      float *Cached = &NodeItem[size_t(I) * W];
      if (!NodeItemValid[I]) {
        std::fill(Cached, Cached + W, 0.0f);
        accumulate(NodeScore.ItemWT.data(), &H[size_t(I) * Hidden], Hidden, W,
                   Cached);
        NodeItemValid[I] = 1;
      }
      std::copy_n(Cached, W, Acc);
      accumulate(NodeScore.ItemWT.data() + size_t(Hidden) * W,
                 &Prio[size_t(I) * PriorityColumns], PriorityDim, W, Acc);
      Logits[I] = finishScore(NodeScore, Acc);
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
        // Keys: the copy value (copy weight removed now less what it takes
        // from pending neighbours), the hint, then the allocation order
        // (earlier first; registers outside it last).
        std::vector<uint8_t> Free(C, 0);
        std::copy_n(Obs.Mask, std::min(C, Obs.MaskSize), Free.begin());
        std::vector<float> ValueRows(size_t(C) * RF, 0.0f);
        std::vector<float> RankRows(size_t(C) * RF, 0.0f);
        for (unsigned I = 0; I < C; ++I) {
          const float *Row = &Regs[size_t(I) * RF];
          ValueRows[size_t(I) * RF] =
              std::exp(Row[schema::rf::LogCopyWeight]) -
              std::exp(Row[schema::rf::LogNeighbourCopyWeight]); // as the ONNX graph
          float R = Row[schema::rf::OrderRank];
          RankRows[size_t(I) * RF] = -(R > 0 ? R : 2.0f);
        }
        priority({ValueRows.data(), &Regs[schema::rf::Hint], RankRows.data()},
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
