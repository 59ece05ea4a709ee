# `make install` and `make package`: the binary, its manual page (generated from its --help) and
# the documentation; CPack turns the same install rules into a .deb whose Depends are the Debian
# runtime packages of the shared libraries the binary links (dpkg-shlibdeps).
include(GNUInstallDirs)

set(ARRLOAD_MAN_PAGE ${PROJECT_BINARY_DIR}/man/arrload.1)
add_custom_command(
  OUTPUT ${ARRLOAD_MAN_PAGE}.gz
  COMMAND ${CMAKE_COMMAND} -DBINARY=$<TARGET_FILE:arrload>
          -DTEMPLATE=${PROJECT_SOURCE_DIR}/cmake/arrload.1.in -DOUTPUT=${ARRLOAD_MAN_PAGE}
          -DVERSION=${PROJECT_VERSION}
          -DDOCDIR=${CMAKE_INSTALL_DOCDIR} -P ${PROJECT_SOURCE_DIR}/cmake/manpage.cmake
  # -n: no name or time stamp in the archive, so the package is the same for the same binary.
  COMMAND gzip -9nf ${ARRLOAD_MAN_PAGE}
  DEPENDS arrload ${PROJECT_SOURCE_DIR}/cmake/arrload.1.in ${PROJECT_SOURCE_DIR}/cmake/manpage.cmake
  COMMENT "Generating the manual page from arrload --help"
  VERBATIM)
add_custom_target(arrload_man ALL DEPENDS ${ARRLOAD_MAN_PAGE}.gz)

install(TARGETS arrload RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${ARRLOAD_MAN_PAGE}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md CONTRIBUTING.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md")
install(DIRECTORY scenarios/autoarr DESTINATION ${CMAKE_INSTALL_DOCDIR}/scenarios)
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME arrload)
set(CPACK_PACKAGE_VENDOR "arrload")
set(CPACK_PACKAGE_CONTACT "arrload maintainers <maintainers@users.noreply.b-seed-15fdf714.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Locust-style load testing at native speed")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "Runs Locust-style load tests described by YAML scenarios (user classes, weighted and tagged "
    "tasks, spawn rate, load shapes, WebSocket users) from one native binary, and judges them "
    "against performance budgets with an exit status CI can gate on. Includes the AutoArr suite "
    "and an embedded AutoArr API target to run it against (arrload demo).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
