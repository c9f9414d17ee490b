#pragma once

#include <chrono>
#include <thread>

namespace sluice::testing {

// Polls `condition` until it holds or `timeout` passes; returns whether it held. For waiting on
// other threads in tests, never for measuring speed.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace sluice::testing
