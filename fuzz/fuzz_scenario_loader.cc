// The scenario loader (src/scenario/loader.h): YAML text to a Suite, through
// load_suite_from_string, as `arrload run FILE` loads a file. Environment references in the text
// see an empty environment but for two variables, so runs are reproducible.
//
// yaml-cpp itself is not instrumented (a Debian library): coverage guides the fuzzer through
// the loader's own code, which is what decides what a hostile file can do.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenario/loader.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  setenv("ARRLOAD_FUZZ_HOST", "http://127.0.0.1:8088", 1);
  setenv("ARRLOAD_FUZZ_EMPTY", "", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const arrload::scenario::Suite suite =
        arrload::scenario::load_suite_from_string(text, "fuzz.yaml");
    (void)suite;
  } catch (const arrload::scenario::ScenarioError&) {
    // Refused with FILE:LINE: FIELD: message, as bad input must be.
  }
  return 0;
}
