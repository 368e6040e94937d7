# install.cmake: `cmake --install BUILD --prefix P` lays out
#   P/bin/                 hss icscf scscf pcscf imsctl imsua (those that are built; OPTIONAL:
#                          a target left unbuilt on purpose, e.g. by the container build, is skipped)
#   P/etc/imscore/         the lab configuration files (config/*.conf)
#   P/var/lib/imscore/     the state directory (empty; one subdirectory per daemon at run time)
# Included at the end of the top-level CMakeLists.txt, after every target is declared.
include(GNUInstallDirs)

foreach(prog hss icscf scscf pcscf imsctl imsua)
    if(TARGET ${prog})
        install(TARGETS ${prog} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} OPTIONAL)
    endif()
endforeach()

file(GLOB IMSCORE_CONFIG_FILES ${CMAKE_SOURCE_DIR}/config/*.conf)
install(FILES ${IMSCORE_CONFIG_FILES} DESTINATION ${CMAKE_INSTALL_SYSCONFDIR}/imscore
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The state directory holds the HSS store (keys): owner only.
install(DIRECTORY DESTINATION ${CMAKE_INSTALL_LOCALSTATEDIR}/lib/imscore
        DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE)
