#include "engine/shape.h"

#include <algorithm>
#include <cmath>

namespace arrload::engine {

std::optional<std::size_t> stage_at(const scenario::Shape& shape,
                                    std::chrono::microseconds elapsed) {
  std::chrono::microseconds end{0};
  for (std::size_t i = 0; i < shape.stages.size(); ++i) {
    end += shape.stages[i].duration;
    if (elapsed < end) return i;
  }
  return std::nullopt;
}

scenario::Shape scale_shape(scenario::Shape shape, double factor) {
  for (scenario::ShapeStage& s : shape.stages) {
    const double us = static_cast<double>(s.duration.count()) * factor;
    s.duration = std::chrono::microseconds(std::max<std::int64_t>(1000, std::llround(us)));
    s.spawn_rate = std::min(1e6, s.spawn_rate / factor);
  }
  return shape;
}

}  // namespace arrload::engine
