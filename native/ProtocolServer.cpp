//===- ProtocolServer.cpp - gRPC session server inside llc ----------------===//

#include "ProtocolServer.h"
#include "rl4real.grpc.pb.h"
#include <condition_variable>
#include <grpcpp/grpcpp.h>
#include <mutex>
#include <optional>

using namespace rl4real;

/// The hand-over between llc's thread and the RPC threads.
class ProtocolServer::Impl final : public RegAllocSession::Service {
public:
  grpc::Status Start(grpc::ServerContext *Ctx, const Hello *,
                     State *Reply) override {
    std::unique_lock<std::mutex> L(M);
    if (Started)
      return grpc::Status(grpc::FAILED_PRECONDITION,
                          "session already started");
    Started = true;
    return awaitState(L, Ctx, Reply);
  }

  grpc::Status Step(grpc::ServerContext *Ctx, const Action *A,
                    State *Reply) override {
    std::unique_lock<std::mutex> L(M);
    if (!Started)
      return grpc::Status(grpc::FAILED_PRECONDITION, "call Start first");
    if (Closed)
      return grpc::Status(grpc::UNAVAILABLE, "session closed");
    if (Incoming || !AwaitingAction)
      return grpc::Status(grpc::FAILED_PRECONDITION,
                          "the allocator is not waiting for an action");
    Incoming = *A;
    AwaitingAction = false;
    CV.notify_all();
    return awaitState(L, Ctx, Reply);
  }

  bool exchange(const State &S, Action &A, std::chrono::seconds Timeout) {
    std::unique_lock<std::mutex> L(M);
    if (Closed)
      return false;
    Outgoing = S;
    AwaitingAction = true;
    CV.notify_all();
    // A client that never connects is given ConnectTimeout, not Timeout.
    if (!Started && ConnectTimeout.count() > 0 &&
        !CV.wait_for(L, ConnectTimeout, [&] { return Started || Closed; })) {
      Closed = true;
      CV.notify_all();
      return false;
    }
    auto Deadline = std::chrono::steady_clock::now() + Timeout;
    if (!CV.wait_until(L, Deadline, [&] { return Incoming || Closed; }) ||
        Closed) {
      Closed = true;
      CV.notify_all();
      return false;
    }
    A = *Incoming;
    Incoming.reset();
    return true;
  }

  void publishLast(const State &S, std::chrono::seconds Linger) {
    std::unique_lock<std::mutex> L(M);
    if (Closed)
      return;
    Outgoing = S;
    AwaitingAction = false;
    CV.notify_all();
    CV.wait_for(L, Linger, [&] { return !Outgoing || Closed; });
    Closed = true;
    CV.notify_all();
  }

  bool closed() {
    std::lock_guard<std::mutex> L(M);
    return Closed;
  }

  std::unique_ptr<grpc::Server> Server;
  std::chrono::seconds ConnectTimeout{0};

private:
  grpc::Status awaitState(std::unique_lock<std::mutex> &L,
                          grpc::ServerContext *Ctx, State *Reply) {
    // Wake up now and then to notice a client that gave up.
    while (!Outgoing && !Closed) {
      CV.wait_for(L, std::chrono::milliseconds(200));
      if (Ctx->IsCancelled()) {
        Closed = true;
        CV.notify_all();
        return grpc::Status(grpc::CANCELLED, "client cancelled");
      }
    }
    if (!Outgoing)
      return grpc::Status(grpc::UNAVAILABLE, "session closed");
    *Reply = std::move(*Outgoing);
    Outgoing.reset();
    CV.notify_all();
    return grpc::Status::OK;
  }

  std::mutex M;
  std::condition_variable CV;
  std::optional<State> Outgoing;
  std::optional<Action> Incoming;
  bool AwaitingAction = false;
  bool Started = false;
  bool Closed = false;
};

ProtocolServer::ProtocolServer(std::unique_ptr<Impl> I) : I(std::move(I)) {}

ProtocolServer::~ProtocolServer() {
  if (I && I->Server) {
    I->Server->Shutdown(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(500));
    I->Server->Wait();
  }
}

std::unique_ptr<ProtocolServer>
ProtocolServer::start(const std::string &Address, std::string &Error,
                      std::chrono::seconds ConnectTimeout) {
  auto I = std::make_unique<Impl>();
  I->ConnectTimeout = ConnectTimeout;
  grpc::ServerBuilder Builder;
  int Port = 0;
  Builder.AddListeningPort(Address, grpc::InsecureServerCredentials(), &Port);
  Builder.RegisterService(I.get());
  I->Server = Builder.BuildAndStart();
  if (!I->Server) {
    Error = "cannot listen on " + Address;
    return nullptr;
  }
  return std::unique_ptr<ProtocolServer>(new ProtocolServer(std::move(I)));
}

bool ProtocolServer::exchange(const State &S, Action &A,
                              std::chrono::seconds Timeout) {
  return I->exchange(S, A, Timeout);
}

void ProtocolServer::finish(const State &S, std::chrono::seconds Linger) {
  I->publishLast(S, Linger);
}

bool ProtocolServer::closed() const { return I->closed(); }
