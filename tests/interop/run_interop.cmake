# Runs one step of the TypeScript SDK interop test (cmake -P, so it needs nothing but CMake to
# report that node or npm is missing).
#   -DACTION=setup  -DSOURCE_DIR=... -DMODULES_DIR=...   npm ci into MODULES_DIR when needed
#   -DACTION=test   ... -DEMULATOR=... -DSUITE=main|settings -DDELETE_RESPONSE=empty|envelope
#                   run sdk_interop.mjs
cmake_minimum_required(VERSION 3.25)

set(hint "Install Node.js (>= 20) and npm: scripts/setup does it (Debian packages nodejs npm); \
CI must have them. This test fails rather than skips without them.")
find_program(NODE node)
if(NOT NODE)
  message(FATAL_ERROR "Interop.TypeScriptSdk: `node` is not on PATH. ${hint}")
endif()

set(lock ${SOURCE_DIR}/package-lock.json)
set(stamp ${MODULES_DIR}/node_modules/.cforg-interop-lock)

if(ACTION STREQUAL "setup")
  find_program(NPM npm)
  if(NOT NPM)
    message(FATAL_ERROR "Interop.TypeScriptSdk: `npm` is not on PATH. ${hint}")
  endif()
  file(SHA256 ${lock} want)
  set(have "")
  if(EXISTS ${stamp} AND EXISTS ${MODULES_DIR}/node_modules/cloudflare/package.json)
    file(READ ${stamp} have)
  endif()
  if(have STREQUAL want)
    message(STATUS "SDK already installed from this package-lock.json in ${MODULES_DIR}")
    return()
  endif()
  file(MAKE_DIRECTORY ${MODULES_DIR})
  file(COPY ${SOURCE_DIR}/package.json ${lock} DESTINATION ${MODULES_DIR})
  execute_process(COMMAND ${NPM} ci --no-audit --no-fund --ignore-scripts
                  WORKING_DIRECTORY ${MODULES_DIR} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Interop.TypeScriptSdk: `npm ci` failed (${rc}) in ${MODULES_DIR}")
  endif()
  file(WRITE ${stamp} ${want})
elseif(ACTION STREQUAL "test")
  if(NOT EXISTS ${MODULES_DIR}/node_modules/cloudflare/package.json)
    message(FATAL_ERROR "Interop.TypeScriptSdk: the SDK is not installed in ${MODULES_DIR}: \
run the Interop.TypeScriptSdk.Setup test first (ctest -R Interop does)")
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env CFORG_EMULATOR_BIN=${EMULATOR}
            CFORG_INTEROP_NODE_MODULES=${MODULES_DIR}/node_modules
            ${NODE} --test-reporter=spec ${SOURCE_DIR}/sdk_interop.mjs
            --suite ${SUITE} --delete-response ${DELETE_RESPONSE}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "Interop.TypeScriptSdk: the SDK interop suite failed (exit ${rc})")
  endif()
else()
  message(FATAL_ERROR "run_interop.cmake: ACTION must be setup or test")
endif()
