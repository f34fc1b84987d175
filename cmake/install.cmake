# SPDX-License-Identifier: BSD-3-Clause
# cmake --install: the alvh command, libalvh (shared and static), include/alvh.h,
# the CMake package (alvhConfig.cmake, target alvh::alvh), alvh.pc, the Python
# package that `alvh report` runs, and the licence.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS alvh RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS alvh_shared EXPORT alvhTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS alvh_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/alvh.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT alvhTargets NAMESPACE alvh:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alvh)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/alvhConfig.cmake.in
  ${PROJECT_BINARY_DIR}/alvhConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alvh)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/alvhConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/alvhConfig.cmake ${PROJECT_BINARY_DIR}/alvhConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/alvh)

# pkg-config: the static archive needs what the engine links (pkg-config --static).
set(ALVH_PC_PRIVATE "-lhdf5_hl -lhdf5 -lfyaml -lz -lgomp -lm") # -lz: io/h5_trial.c
if(MPI_C_FOUND)
  string(APPEND ALVH_PC_PRIVATE " ${MPI_C_LIB_NAMES_FLAGS}")
  foreach(lib ${MPI_C_LIBRARIES})
    string(APPEND ALVH_PC_PRIVATE " ${lib}")
  endforeach()
endif()
set(dirs "")
foreach(lib ${HDF5_C_LIBRARIES} ${HDF5_HL_LIBRARIES})
  get_filename_component(dir ${lib} DIRECTORY)
  list(APPEND dirs ${dir})
endforeach()
list(REMOVE_DUPLICATES dirs)
foreach(dir ${dirs})
  string(APPEND ALVH_PC_LIBDIRS " -L${dir}")
endforeach()
# relocatable: the prefix is found from the .pc file's own directory
file(RELATIVE_PATH ALVH_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(${PROJECT_SOURCE_DIR}/cmake/alvh.pc.in ${PROJECT_BINARY_DIR}/alvh.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/alvh.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/python/alvh DESTINATION ${CMAKE_INSTALL_DATADIR}/alvh/python
        PATTERN __pycache__ EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
