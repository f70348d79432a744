# Writes what is generated from the binaries themselves, so it cannot drift from them:
#   cforg.1, cforg-emulator.1 (man pages) and the bash, zsh and fish completions of cforg.
#   cmake -DCFORG=... -DEMULATOR=... -DVERSION=... -DOUT=... -P generate_docs.cmake
# cforg renders its own CLI11 tree (`cforg reference --format man`, `cforg completion SHELL`);
# the emulator, which shares no code with cforg on purpose, gets its --help wrapped in roff.
foreach(var CFORG EMULATOR VERSION OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "generate_docs.cmake: -D${var}=... is missing")
  endif()
endforeach()
file(MAKE_DIRECTORY ${OUT}/man1 ${OUT}/completions)

function(run_to_file file)
  execute_process(COMMAND ${ARGN} OUTPUT_FILE ${file} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} failed (${rc}): ${err}")
  endif()
endfunction()

run_to_file(${OUT}/man1/cforg.1 ${CFORG} reference --format man)
run_to_file(${OUT}/completions/cforg.bash ${CFORG} completion bash)
run_to_file(${OUT}/completions/_cforg ${CFORG} completion zsh)
run_to_file(${OUT}/completions/cforg.fish ${CFORG} completion fish)

execute_process(COMMAND ${EMULATOR} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EMULATOR} --help failed (${rc})")
endif()
# roff: backslashes and hyphens escaped, no line may start with a request character; the
# usage line names the build folder's binary: the installed one is on PATH.
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "Usage: [^\n ]*cforg\\\\-emulator" "Usage: cforg\\\\-emulator" help "${help}")
string(REGEX REPLACE "\n([.'])" "\n\\\\&\\1" help "${help}")
# The first line (the description) is in NAME already. Not REGEX "^...": CMake re-anchors ^
# after each match, which would remove every line.
string(FIND "${help}" "\n" first_newline)
math(EXPR body_start "${first_newline} + 1")
string(SUBSTRING "${help}" ${body_start} -1 body)
file(WRITE ${OUT}/man1/cforg-emulator.1
".\\\" Generated from `cforg-emulator --help` by cmake/generate_docs.cmake.
.TH CFORG\\-EMULATOR 1 \"\" \"cforg ${VERSION}\" \"User Commands\"
.SH NAME
cforg\\-emulator \\- a local emulator of the Cloudflare Organizations API
.SH SYNOPSIS
.B cforg\\-emulator
\\fB\\-\\-port\\fR \\fIPORT\\fR [\\fIOPTIONS\\fR]
.SH DESCRIPTION
A local HTTP emulator of the Cloudflare Organizations API, for trying \\fBcforg\\fR(1) without an
account and for its tests. It prints \\fIlistening on URL\\fR first; point
\\fBCLOUDFLARE_BASE_URL\\fR at that URL.
.SH OPTIONS
.nf
${body}.fi
.SH SEE ALSO
\\fBcforg\\fR(1); docs/EMULATOR.md in the source.
")
