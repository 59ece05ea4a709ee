#pragma once
// Load shapes over time: which stage of a scenario::Shape is in force at a given moment, and a
// shape's timeline compressed for smoke tests (--time-scale).
#include <chrono>
#include <optional>

#include "scenario/model.h"

namespace arrload::engine {

// The stage in force ELAPSED after the start (stage i covers [start_i, start_i + duration_i));
// nullopt once the last stage has ended, which ends the run.
std::optional<std::size_t> stage_at(const scenario::Shape& shape,
                                    std::chrono::microseconds elapsed);

// SHAPE with every stage's duration multiplied by FACTOR (> 0) and its spawn rate divided by it,
// so ramps keep their place on the compressed timeline. Durations stay at least 1 ms.
scenario::Shape scale_shape(scenario::Shape shape, double factor);

}  // namespace arrload::engine
