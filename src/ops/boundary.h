// The one error type at the ops boundary (operations.h): what a stage throws for people leaves
// an operation as Error with the same message, so that a caller catches Error (ConfigError for
// an invalid config) and nothing of the stages below.
#pragma once

#include <utility>

#include "cforg/ops/options.h"
#include "cforg/plan/export.h"
#include "cforg/plan/plan_file.h"
#include "cforg/state/state.h"

namespace cforg::ops {

// Returns f(). state::StateError (a held lock included), plan::PlanFileError and
// plan::ExportError become Error with the same message; Error and ConfigError pass as they
// are, and so does anything else, which is a bug.
template <typename F>
decltype(auto) translating_stage_errors(F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (const state::StateError& e) {
    throw Error(e.what());
  } catch (const plan::PlanFileError& e) {
    throw Error(e.what());
  } catch (const plan::ExportError& e) {
    throw Error(e.what());
  }
}

}  // namespace cforg::ops
