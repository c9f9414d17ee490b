#include "runtime/herder.h"

namespace sluice::runtime {

const char* state_name(State state) {
  switch (state) {
    case State::kUnassigned: return "UNASSIGNED";
    case State::kRunning: return "RUNNING";
    case State::kPaused: return "PAUSED";
    case State::kStopped: return "STOPPED";
    case State::kFailed: return "FAILED";
    case State::kRestarting: return "RESTARTING";
  }
  return "UNASSIGNED";
}

const char* target_state_name(TargetState state) {
  switch (state) {
    case TargetState::kStarted: return "STARTED";
    case TargetState::kPaused: return "PAUSED";
    case TargetState::kStopped: return "STOPPED";
  }
  return "STARTED";
}

const char* connector_type_name(ConnectorType type) {
  switch (type) {
    case ConnectorType::kSource: return "source";
    case ConnectorType::kSink: return "sink";
    case ConnectorType::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace sluice::runtime
