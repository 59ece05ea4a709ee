#include "cli/run_inspect.h"

#include <gtest/gtest.h>

#include "cli/locust_json.h"
#include "scenario/loader.h"

namespace arrload::cli {
namespace {

// The locustfile Locust 2.12.1 printed the expected outputs below for:
//   class Browse(TaskSet): @task(2) a; @task stop (self.interrupt())
//   class Web(HttpUser): weight = 3; tasks = {Browse: 1}; @task(3) index
//   class Api(HttpUser): @task ping
const char* kWebAndApi = R"(
host: http://127.0.0.1:1
users:
  - name: Web
    weight: 3
    tasks:
      - name: Browse
        tasks:
          - {name: a, weight: 2, request: GET /a}
          - {name: stop, interrupt: true}
      - {name: index, weight: 3, request: GET /}
  - name: Api
    tasks:
      - {name: ping, request: GET /ping}
)";

scenario::Suite web_and_api() {
  return scenario::load_suite_from_strings({{"web.yaml", kWebAndApi}}, "web.yaml");
}

TEST(RunInspect, TaskRatioTextIsLocusts) {
  const scenario::Suite suite = web_and_api();
  // `locust -f lf.py --show-task-ratio`, byte for byte.
  const std::string locust =
      "\n Task ratio per User class\n"
      "--------------------------------------------------------------------------------\n"
      " 75.0       Web                                               \n"
      "   25.0       Browse                                          \n"
      "     66.7       a                                             \n"
      "     33.3       stop                                          \n"
      "   75.0       index                                           \n"
      " 25.0       Api                                               \n"
      "   100.0      ping                                            \n"
      "\n Total task ratio\n"
      "--------------------------------------------------------------------------------\n"
      " 75.0       Web                                               \n"
      "   18.8       Browse                                          \n"
      "     12.5       a                                             \n"
      "     6.2        stop                                          \n"
      "   56.2       index                                           \n"
      " 25.0       Api                                               \n"
      "   25.0       ping                                            \n";
  EXPECT_EQ(task_ratio_text(suite, class_shares(suite, 0)), locust);
}

TEST(RunInspect, TaskRatioJsonIsLocusts) {
  const scenario::Suite suite = web_and_api();
  // `locust -f lf.py --show-task-ratio-json`, byte for byte.
  const std::string locust =
      "{\n    \"per_class\": {\n        \"Web\": {\n            \"ratio\": 0.75,\n            "
      "\"tasks\": {\n                \"Browse\": {\n                    \"ratio\": 0.25,\n        "
      "            \"tasks\": {\n                        \"a\": {\n                            "
      "\"ratio\": 0.6666666666666666\n                        },\n                        "
      "\"stop\": {\n                            \"ratio\": 0.3333333333333333\n                "
      "        }\n                    }\n                },\n                \"index\": {\n     "
      "               \"ratio\": 0.75\n                }\n            }\n        },\n        "
      "\"Api\": {\n            \"ratio\": 0.25,\n            \"tasks\": {\n                "
      "\"ping\": {\n                    \"ratio\": 1.0\n                }\n            }\n       "
      " }\n    },\n    \"total\": {\n        \"Web\": {\n            \"ratio\": 0.75,\n          "
      "  \"tasks\": {\n                \"Browse\": {\n                    \"ratio\": 0.1875,\n  "
      "                  \"tasks\": {\n                        \"a\": {\n                      "
      "      \"ratio\": 0.125\n                        },\n                        \"stop\": {\n "
      "                           \"ratio\": 0.0625\n                        }\n               "
      "     }\n                },\n                \"index\": {\n                    \"ratio\": "
      "0.5625\n                }\n            }\n        },\n        \"Api\": {\n            "
      "\"ratio\": 0.25,\n            \"tasks\": {\n                \"ping\": {\n                "
      "    \"ratio\": 0.25\n                }\n            }\n        }\n    }\n}\n";
  EXPECT_EQ(task_ratio_json(suite, class_shares(suite, 0)), locust);
}

TEST(RunInspect, ClassSharesFollowLocustsCounting) {
  const scenario::Suite suite = web_and_api();
  EXPECT_EQ(class_shares(suite, 0), (std::vector<double>{0.75, 0.25}));  // the weights' sum: 4
  // -u 3: round(2.25) = 2 and round(0.75) = 1 users.
  EXPECT_EQ(class_shares(suite, 3), (std::vector<double>{2.0 / 3, 1.0 / 3}));
  // -u 2: round(1.5) = 2 (halves to even) and round(0.5) = 0.
  EXPECT_EQ(class_shares(suite, 2), (std::vector<double>{1.0, 0.0}));
}

TEST(RunInspect, ListsAndSelectsClasses) {
  scenario::Suite suite = web_and_api();
  EXPECT_EQ(class_list(suite), "Available Users:\n    Web\n    Api\n");
  auto error = select_classes(suite, {"Api", "Nope", "Other"});
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("no user class 'Nope', 'Other' (its classes: Web, Api"), std::string::npos)
      << *error;
  EXPECT_EQ(suite.classes.size(), 2u);  // unchanged after an error
  EXPECT_FALSE(select_classes(suite, {"Api"}));
  ASSERT_EQ(suite.classes.size(), 1u);
  EXPECT_EQ(suite.classes[0].name, "Api");
}

TEST(RunInspect, PythonLocustfilesAreRecognised) {
  EXPECT_TRUE(python_locustfile_error("locustfile.py"));
  EXPECT_NE(python_locustfile_error("x/locustfile.py")->find("docs/coming-from-locust.md"),
            std::string::npos);
  EXPECT_FALSE(python_locustfile_error("scenario.yaml"));
  EXPECT_FALSE(python_locustfile_error("scenarios/autoarr"));
}

TEST(LocustJson, WritesWhatPythonsJsonDumpsWrites) {
  using cluster::Array;
  using cluster::Map;
  using cluster::Value;
  EXPECT_EQ(python_json(Value(Array{})), "[]");
  EXPECT_EQ(python_json(Value(Map{})), "{}");
  EXPECT_EQ(python_json(Value(Map{{"a", 1.0}, {"b", Value()}, {"c", 0.1}, {Value(7), "x\"y"}})),
            "{\n    \"a\": 1.0,\n    \"b\": null,\n    \"c\": 0.1,\n    \"7\": \"x\\\"y\"\n}");
  EXPECT_EQ(python_json(Value(Array{Value(Map{{"k", Array{}}}), 3})),
            "[\n    {\n        \"k\": []\n    },\n    3\n]");
  EXPECT_EQ(python_json(Value(1796641985.3563502)), "1796641985.3563502");
  EXPECT_EQ(python_json(Value(243.01381999976002)), "243.01381999976002");
}

}  // namespace
}  // namespace arrload::cli
