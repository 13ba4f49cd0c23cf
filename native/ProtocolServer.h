//===- ProtocolServer.h - gRPC session server inside llc ---------*- C++ -*-===//
//
// Serves one decision session per llc process on a unix-domain socket. The
// allocator (on llc's thread) publishes a State and blocks until the client's
// next Action arrives; the client's Step RPC hands the Action over and blocks
// until the allocator publishes the next State. So every decision is one
// round trip, and llc never runs ahead of the client.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_PROTOCOLSERVER_H
#define RL4REAL_PROTOCOLSERVER_H

#include "rl4real.pb.h"
#include <chrono>
#include <memory>
#include <string>

namespace rl4real {

class ProtocolServer {
public:
  /// Starts listening on Address (e.g. "unix:/tmp/x/s.sock"). On failure
  /// returns nullptr and sets Error. A client that has not connected
  /// (called Start) within ConnectTimeout of the first exchange is taken as
  /// gone (0: no limit but the exchange's own).
  static std::unique_ptr<ProtocolServer>
  start(const std::string &Address, std::string &Error,
        std::chrono::seconds ConnectTimeout = std::chrono::seconds(60));
  ~ProtocolServer();

  /// Publishes S and waits for the client's reply. Returns false if the
  /// client went away or did not answer within Timeout; the session is then
  /// closed and the caller must finish without it.
  bool exchange(const State &S, Action &A, std::chrono::seconds Timeout);

  /// Publishes the last State (no reply expected), waits up to Linger for the
  /// client to take it, then shuts the server down.
  void finish(const State &S, std::chrono::seconds Linger);

  bool closed() const;

  class Impl;

private:
  explicit ProtocolServer(std::unique_ptr<Impl> I);
  std::unique_ptr<Impl> I;
};

} // namespace rl4real

#endif
