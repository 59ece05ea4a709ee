#pragma once
// The command line: subcommands (run, validate, demo, target) and their dispatch.
namespace arrload::cli {

// Parses ARGV and runs the chosen subcommand; `arrload` without a subcommand is `arrload run`,
// so Locust command lines work with `locust` replaced by `arrload`. Returns the exit status.
int main(int argc, char** argv);

}  // namespace arrload::cli
