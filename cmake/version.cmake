# Writes OUTPUT (generated/version.cc) from INPUT (src/cli/version.cc.in) with VERSION and the git
# commit of SOURCE_DIR. Run by the arrload_version target at every build; configure_file leaves
# OUTPUT untouched when the text is the same, so only a new commit recompiles it.
# -DARRLOAD_GIT_COMMIT=... at configure time overrides git (e.g. a build from a source tarball).
if(COMMIT_OVERRIDE)
  set(ARRLOAD_GIT_COMMIT "${COMMIT_OVERRIDE}")
else()
  set(ARRLOAD_GIT_COMMIT "unknown")
  find_program(GIT_EXECUTABLE git)
  if(GIT_EXECUTABLE)
    execute_process(COMMAND ${GIT_EXECUTABLE} -C ${SOURCE_DIR} rev-parse --short=12 HEAD
                    OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE status ERROR_QUIET)
    if(status EQUAL 0 AND commit)
      set(ARRLOAD_GIT_COMMIT "${commit}")
      # Tracked files only: build directories and scratch files do not make a build "dirty".
      execute_process(COMMAND ${GIT_EXECUTABLE} --no-optional-locks -C ${SOURCE_DIR} status
                              --porcelain --untracked-files=no
                      OUTPUT_VARIABLE changes OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
      if(changes)
        string(APPEND ARRLOAD_GIT_COMMIT "-dirty")
      endif()
    endif()
  endif()
endif()
set(ARRLOAD_VERSION_STRING "${VERSION}")
configure_file(${INPUT} ${OUTPUT} @ONLY)
