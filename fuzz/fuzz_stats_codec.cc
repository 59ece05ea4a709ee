// The stats encoding (src/stats/codec.h), as a master decodes a worker's delta or snapshot.
// What decodes must re-encode to bytes that decode and encode to the same bytes (the codec's
// exactness contract). The first byte picks the decoder; a lean delta is merged into an
// Aggregator as the master merges one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stats/aggregator.h"
#include "stats/codec.h"

namespace {

using namespace arrload::stats;

template <typename T, typename Decode, typename Encode>
void check(std::string_view bytes, Decode decode, Encode encode) {
  Decoded<T> d = decode(bytes);
  if (!d) {
    if (d.error.empty()) std::abort();  // a refusal must say why
    return;
  }
  const std::string once = encode(*d.value);
  Decoded<T> again = decode(once);
  if (!again || encode(*again.value) != once) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      check<Delta>(
          bytes, [](std::string_view b) { return decode_delta(b); },
          [](const Delta& d) { return encode_delta(d); });
      break;
    case 1:
      check<Snapshot>(
          bytes, [](std::string_view b) { return decode_snapshot(b); },
          [](const Snapshot& s) { return encode_snapshot(s); });
      break;
    default: {
      Decoded<LeanDelta> d = decode_delta_lean(bytes);
      if (!d) {
        if (d.error.empty()) std::abort();
        break;
      }
      Aggregator aggregator(0, 1.7e9);  // where a master merges a worker's delta
      aggregator.absorb(*d.value);
      aggregator.tick();
      break;
    }
  }
  return 0;
}
