#pragma once

// message_if_thrown(): what a call throws, for CHECKs on error messages and exception types.
#include <exception>
#include <string>
#include <typeinfo>

namespace sluice::testing {

// what() of the exception `f` throws when its type is exactly E; otherwise text no test expects.
template <class E, class F>
std::string message_if_thrown(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    if (typeid(e) != typeid(E)) return std::string("<wrong exception type ") + typeid(e).name() + "> " + e.what();
    return e.what();
  }
  return "<nothing thrown>";
}

}  // namespace sluice::testing
