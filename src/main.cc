// arrload: a Locust-compatible load-testing engine. main only hands over to the command line.
#include "cli/app.h"

int main(int argc, char** argv) { return arrload::cli::main(argc, argv); }
