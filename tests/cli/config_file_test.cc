#include "cli/config_file.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace arrload::cli {
namespace {

std::string write_temp(const std::string& text) {
  auto path =
      std::filesystem::temp_directory_path() /
      ("arrload_conf_" + std::to_string(::getpid()) + "_" + std::to_string(std::rand()) + ".conf");
  std::ofstream(path) << text;
  return path.string();
}

TEST(ConfigFile, TurnsLocustConfIntoTokens) {
  std::string path = write_temp(
      "# comment\n[locust]\nusers = 30\nspawn-rate = 5\nheadless = true\n"
      "only_summary = false\nhost = \"http://localhost:8088\"\n");
  std::vector<std::string> expected = {"--users",    "30",     "--spawn-rate",         "5",
                                       "--headless", "--host", "http://localhost:8088"};
  EXPECT_EQ(config_file_tokens(path), expected);
  std::filesystem::remove(path);
}

TEST(ConfigFile, EnvironmentWinsOverTheFile) {
  std::string path = write_temp("users = 30\nrun-time = 1m\n");
  ::setenv("ARRLOAD_USERS", "7", 1);
  std::vector<std::string> expected = {"--run-time", "1m"};
  EXPECT_EQ(config_file_tokens(path), expected);
  ::unsetenv("ARRLOAD_USERS");
  std::filesystem::remove(path);
}

TEST(ConfigFile, ReportsTheBadLine) {
  std::string path = write_temp("users = 3\nthis line is wrong\n");
  try {
    config_file_tokens(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":2:"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
  EXPECT_THROW(config_file_tokens("/nonexistent/arrload.conf"), std::runtime_error);
}

TEST(ConfigFile, LocustOnlyKeysWarnUnknownKeysFail) {
  const KnownOption known = [](const std::string& key) {
    return key == "users" || key == "web-login";
  };
  std::string path = write_temp("users = 3\n# Locust's\nequal-weights = true\nweb-auth = a:b\n");
  std::vector<std::string> warnings;
  std::vector<std::string> expected = {"--users", "3", "--web-login", "a:b"};
  EXPECT_EQ(config_file_tokens(path, known, &warnings), expected);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0],
            path + ":3: 'equal-weights' is a Locust option arrload does not take; ignored");
  std::filesystem::remove(path);

  path = write_temp("users = 3\nusres = 4\n");
  try {
    config_file_tokens(path, known, &warnings);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ":2: unknown option 'usres' (arrload run --help lists the options)");
  }
  std::filesystem::remove(path);
}

TEST(ConfigFile, JsonWithAFileNameSaysJsonFile) {
  std::string path = write_temp("json = out.json\n");
  try {
    config_file_tokens(path);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":1: json is Locust's flag now"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("'json-file = out.json'"), std::string::npos);
  }
  std::filesystem::remove(path);
  path = write_temp("json = true\n");
  EXPECT_EQ(config_file_tokens(path), std::vector<std::string>{"--json"});
  std::filesystem::remove(path);
}

TEST(ConfigFile, DefaultFilesAreLocusts) {
  const char* home = std::getenv("HOME");
  const std::string saved = home ? home : "";
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(default_config_files(),
            (std::vector<std::string>{"/home/someone/.locust.conf", "locust.conf"}));
  ::unsetenv("HOME");
  EXPECT_EQ(default_config_files(), (std::vector<std::string>{"locust.conf"}));
  if (home) ::setenv("HOME", saved.c_str(), 1);
  EXPECT_TRUE(is_locust_only("tls-cert"));
  EXPECT_FALSE(is_locust_only("users"));
}

TEST(ConfigFile, LocustEnvNames) {
  EXPECT_EQ(locust_env_names({"spawn-rate"}), std::vector<std::string>{"LOCUST_SPAWN_RATE"});
  EXPECT_EQ(locust_env_names({"web-login"}),
            (std::vector<std::string>{"LOCUST_WEB_AUTH", "LOCUST_WEB_LOGIN"}));
  EXPECT_EQ(locust_env_names({"stop-timeout"}), std::vector<std::string>{"LOCUST_STOP_TIMEOUT"});
}

TEST(ConfigFile, LocustOnlyOptionsAreDroppedFromTheCommandLine) {
  std::vector<std::string> args = {"run",
                                   "-f",
                                   "x.yaml",
                                   "--equal-weights",
                                   "-u",
                                   "3",
                                   "--tls-cert",
                                   "c.pem",
                                   "--tls-key=k.pem",
                                   "--headless",
                                   "--skip-log-setup"};
  const KnownOption known = [](const std::string& key) { return key == "headless"; };
  const std::vector<std::string> dropped = drop_locust_only(args, known);
  EXPECT_EQ(dropped, (std::vector<std::string>{"--equal-weights", "--tls-cert c.pem",
                                               "--tls-key=k.pem", "--skip-log-setup"}));
  EXPECT_EQ(args, (std::vector<std::string>{"run", "-f", "x.yaml", "-u", "3", "--headless"}));
}

TEST(ConfigFile, EnvName) { EXPECT_EQ(env_name("spawn-rate"), "ARRLOAD_SPAWN_RATE"); }

}  // namespace
}  // namespace arrload::cli
