//===- FrameChannel.h - Framed protobuf messages on a socket -----*- C++ -*-===//
//
// The transport between an allocation process and its Python driver: a
// connected unix stream socket carrying frames of a 4-byte little-endian
// length and a serialized protobuf message, plus file descriptors passed as
// SCM_RIGHTS. It uses no threads, so it keeps working in a fork(2) child;
// gRPC, which it replaces, does not survive fork.
//
//===----------------------------------------------------------------------===//

#ifndef RL4REAL_FRAMECHANNEL_H
#define RL4REAL_FRAMECHANNEL_H

#include <chrono>
#include <string>

namespace google {
namespace protobuf {
class MessageLite;
} // namespace protobuf
} // namespace google

namespace rl4real {

class FrameChannel {
public:
  enum class Status { Ok, Closed, TimedOut, Malformed };

  /// Takes ownership of the connected socket Fd.
  explicit FrameChannel(int Fd) : Fd(Fd) {}
  ~FrameChannel();
  FrameChannel(const FrameChannel &) = delete;
  FrameChannel &operator=(const FrameChannel &) = delete;

  /// Sends one frame, with PassedFd attached as SCM_RIGHTS when it is not -1
  /// (the caller keeps its copy); false if the peer is gone.
  bool send(const google::protobuf::MessageLite &M, int PassedFd = -1);
  /// Waits up to Timeout for one frame and parses it into M.
  Status receive(google::protobuf::MessageLite &M,
                 std::chrono::milliseconds Timeout);

  int fd() const { return Fd; }
  /// Closes the socket (a fork child that does not serve this peer).
  void abandon();
  /// Serves another peer from now on: closes the socket and takes NewFd.
  void reset(int NewFd) {
    abandon();
    Fd = NewFd;
  }

private:
  bool writeAll(const char *Data, size_t Size, int PassedFd);
  Status readAll(char *Data, size_t Size,
                 std::chrono::steady_clock::time_point Deadline,
                 std::chrono::microseconds Spin);

  int Fd;
  std::string Buffer;
  // How long the last frame took to arrive. If it was below SpinWhenWaitBelow
  // (a peer that answers in microseconds, not one that runs a network between
  // frames), the next wait polls the socket for SpinFactor times as long
  // (at least MinSpin) before sleeping, yielding the core between polls.
  std::chrono::microseconds LastWait{0};
  static constexpr std::chrono::microseconds MinSpin{100};
  static constexpr std::chrono::microseconds SpinWhenWaitBelow{700};
  static constexpr unsigned SpinFactor = 2;
};

} // namespace rl4real

#endif
