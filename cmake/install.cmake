# `cmake --install` and CPack: the binaries, the man pages and the shell completions, all in
# GNUInstallDirs places under CMAKE_INSTALL_PREFIX. The man pages and completions are generated
# from the built binaries (cmake/generate_docs.cmake), so they describe exactly what is
# installed. scripts/package-test builds the .deb, installs it and runs the demo with it.
include(GNUInstallDirs)

set(cforg_generated ${PROJECT_BINARY_DIR}/generated)
set(cforg_generated_files
    ${cforg_generated}/man1/cforg.1 ${cforg_generated}/man1/cforg-emulator.1
    ${cforg_generated}/completions/cforg.bash ${cforg_generated}/completions/_cforg
    ${cforg_generated}/completions/cforg.fish)
add_custom_command(
  OUTPUT ${cforg_generated_files}
  COMMAND ${CMAKE_COMMAND} -DCFORG=$<TARGET_FILE:cforg> -DEMULATOR=$<TARGET_FILE:cforg-emulator>
          -DVERSION=${PROJECT_VERSION} -DOUT=${cforg_generated}
          -P ${PROJECT_SOURCE_DIR}/cmake/generate_docs.cmake
  DEPENDS cforg cforg-emulator ${PROJECT_SOURCE_DIR}/cmake/generate_docs.cmake
  COMMENT "Generating the man pages and shell completions from cforg's command tree"
  VERBATIM)
add_custom_target(cforg_docs ALL DEPENDS ${cforg_generated_files})

# Where each shell looks. zsh: site-functions is on the default $fpath of a zsh built with this
# prefix (/usr/local/share/zsh/site-functions); Debian's zsh reads packages' completions from
# /usr/share/zsh/vendor-completions instead, so a /usr install (the .deb) goes there.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(cforg_zsh_default ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
else()
  set(cforg_zsh_default ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
endif()
set(CFORG_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    CACHE STRING "bash completions, relative to the prefix")
set(CFORG_ZSH_COMPLETION_DIR ${cforg_zsh_default} CACHE STRING "zsh completions (an $fpath folder)")
set(CFORG_FISH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d
    CACHE STRING "fish completions")

install(TARGETS cforg cforg-emulator RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${cforg_generated}/man1/cforg.1 ${cforg_generated}/man1/cforg-emulator.1
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
# bash-completion loads completions/NAME when NAME is first completed: no extension.
install(FILES ${cforg_generated}/completions/cforg.bash DESTINATION ${CFORG_BASH_COMPLETION_DIR}
        RENAME cforg)
install(FILES ${cforg_generated}/completions/_cforg DESTINATION ${CFORG_ZSH_COMPLETION_DIR})
install(FILES ${cforg_generated}/completions/cforg.fish DESTINATION ${CFORG_FISH_COMPLETION_DIR})
install(FILES README.md docs/GUIDE.md docs/CLI.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# CPack: a .deb whose dependencies dpkg-shlibdeps reads from the binaries (libcurl4, libpq5,
# libyaml-cpp0.7, ...), so it installs on a fresh Debian 12 with apt-get install ./cforg_*.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cforg)
set(CPACK_PACKAGE_VENDOR "cforg")
set(CPACK_PACKAGE_CONTACT "cforg maintainers <cforg@example.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Cloudflare organizations as code, and a local emulator of their API")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Describe Cloudflare organizations in YAML; cforg plans and applies the changes through\n the Cloudflare Organizations API within its rate budget. cforg-emulator is a local\n emulator of that API, to try it without an account.")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # cforg_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo's debug info would triple the package
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
include(CPack)
