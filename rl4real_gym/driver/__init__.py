"""The driver: runs the rl4real allocator (rl4real-server episodes, or llc with the
plugin) and turns the protocol into numpy.

Nothing above this package knows about protobuf or processes.
"""

from rl4real_gym.driver.session import LlcSession, ServerSession, Session, SessionLimits
from rl4real_gym.driver.state import (
    NUM_NODE_FEATURES,
    NUM_SPLIT_FEATURES,
    ActionKind,
    AllocationFigures,
    DecisionState,
    GraphView,
    NodeStatus,
    Phase,
)

__all__ = [
    "NUM_NODE_FEATURES",
    "NUM_SPLIT_FEATURES",
    "ActionKind",
    "AllocationFigures",
    "DecisionState",
    "GraphView",
    "LlcSession",
    "NodeStatus",
    "Phase",
    "ServerSession",
    "Session",
    "SessionLimits",
]
