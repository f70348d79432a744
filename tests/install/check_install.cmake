# `cmake --install` into a temporary prefix puts every file where it belongs (run by ctest;
# scripts/package-test checks the .deb the same way, installed for real).
#   cmake -DBUILD_DIR=... -DPREFIX=... -P check_install.cmake
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${PREFIX}
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${err}")
endif()
load_cache(${BUILD_DIR} READ_WITH_PREFIX cache_ CFORG_ZSH_COMPLETION_DIR)
set(missing "")
foreach(f bin/cforg bin/cforg-emulator share/man/man1/cforg.1 share/man/man1/cforg-emulator.1
          share/bash-completion/completions/cforg ${cache_CFORG_ZSH_COMPLETION_DIR}/_cforg
          share/fish/vendor_completions.d/cforg.fish share/doc/cforg/GUIDE.md
          share/doc/cforg/CLI.md share/doc/cforg/examples/basic/cforg.yaml)
  if(NOT EXISTS ${PREFIX}/${f})
    list(APPEND missing ${f})
  endif()
endforeach()
file(REMOVE_RECURSE ${PREFIX})
if(missing)
  message(FATAL_ERROR "cmake --install did not install: ${missing}")
endif()
message(STATUS "cmake --install put every file in place")
