# Writes OUTPUT (arrload.1, troff) from TEMPLATE and the --help text of BINARY and of each of its
# subcommands, so the manual page lists exactly the options of the binary it ships with.
# Usage: cmake -DBINARY=... -DTEMPLATE=... -DOUTPUT=... -DVERSION=... -DDOCDIR=... -P manpage.cmake

# The help text of BINARY ARGS, as lines safe inside a troff .nf block.
function(help_text out)
  execute_process(COMMAND ${BINARY} ${ARGN} OUTPUT_VARIABLE text RESULT_VARIABLE status
                  ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${BINARY} ${ARGN} failed (${status}): ${err}")
  endif()
  string(STRIP "${text}" text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  # A line starting with . or ' would be read as a troff request.
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

help_text(HELP_MAIN --help)
help_text(HELP_RUN run --help)
help_text(HELP_VALIDATE validate --help)
help_text(HELP_PROFILES profiles --help)
help_text(HELP_DEMO demo --help)
help_text(HELP_TARGET target --help)
help_text(HELP_COMPARE compare --help)
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
