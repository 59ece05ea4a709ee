// The Locust master's stub: read back by Locust's own locustfile loader (Debian python3-locust).
#include "cluster/locustfile.h"

#include <cstdio>
#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "integration/harness.h"
#include "scenario/loader.h"

namespace arrload::cluster {
namespace {

const char* kScenario = R"(
users:
  - name: Pinger
    weight: 3
    tasks:
      - {name: ping, tags: [health, read], request: GET /ping}
      - {name: plain, request: GET /ping}
  - name: Admin-User
    fixed_count: 1
    tasks:
      - name: library
        tags: [browsing]
        tasks:
          - GET /a
          - {name: w, tags: [write], request: POST /b}
          - {interrupt: true}
  - name: Quiet
    weight: 0
    tasks:
      - GET /q
)";

// What Locust makes of FILE: one line per class, "name weight fixed_count tag|tag;tag ...".
std::string locust_reads(const std::string& file) {
  const std::string cmd =
      "/usr/bin/python3 -c \"import sys\n"
      "from locust.main import load_locustfile\n"
      "for name, c in sorted(load_locustfile(sys.argv[1])[1].items()):\n"
      "    tags = ';'.join(sorted('|'.join(sorted(getattr(t, 'locust_tag_set', ()))) "
      "for t in c.tasks))\n"
      "    print(name, c.__name__, c.weight, c.fixed_count, tags)\" " +
      file + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), ::pclose);
  std::string out;
  char buf[4096];
  while (pipe && std::fgets(buf, sizeof buf, pipe.get()) != nullptr) out += buf;
  return out;
}

TEST(LocustfileTest, LocustLoadsTheStubWithTheScenariosClassesWeightsAndTags) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/locust"))
      << "scripts/install-deps.sh test installs python3-locust";
  const scenario::Suite suite =
      scenario::load_suite_from_strings({{"mixed.yaml", kScenario}}, "mixed.yaml");
  const std::string stub = locustfile_stub(suite, "mixed.yaml");
  EXPECT_NE(stub.find("arrload run -f mixed.yaml --worker"), std::string::npos) << stub;
  testing::TempDir dir;
  const std::string file = dir.write("locustfile.py", stub);
  EXPECT_EQ(locust_reads(file),
            "Admin-User Admin-User 1 1 browsing;browsing|write\n"
            "Pinger Pinger 3 0 ;health|read\n"
            "Quiet Quiet 0 0 \n")
      << stub;
}

}  // namespace
}  // namespace arrload::cluster
