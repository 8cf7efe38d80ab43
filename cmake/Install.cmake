# `cmake --install` puts the runtime, its headers, the plugin, our google/api + google/rpc protos and
# the CMake package (find_package(cppgateway CONFIG) + cppgateway_generate) under the prefix.
include(CMakePackageConfigHelpers)

set(CPPGATEWAY_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cppgateway)

install(TARGETS cppgateway_runtime protoc-gen-cppgateway EXPORT cppgatewayTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY runtime/include/cppgateway DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The headers generated from our own protos (google/api/annotations.pb.h, google/rpc/status.pb.h,
# cppgateway/annotations.pb.h, ...).
install(DIRECTORY ${CPPGATEWAY_RUNTIME_PROTO_GEN_DIR}/google ${CPPGATEWAY_RUNTIME_PROTO_GEN_DIR}/cppgateway
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
install(DIRECTORY proto/google proto/cppgateway DESTINATION ${CMAKE_INSTALL_DATADIR}/cppgateway/proto)
install(EXPORT cppgatewayTargets NAMESPACE cppgateway:: DESTINATION ${CPPGATEWAY_CMAKE_DIR})

configure_package_config_file(cmake/cppgatewayConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/cppgatewayConfig.cmake
                              INSTALL_DESTINATION ${CPPGATEWAY_CMAKE_DIR}
                              PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cppgatewayConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cppgatewayConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/cppgatewayConfigVersion.cmake
              cmake/CppGateway.cmake cmake/Dependencies.cmake
        DESTINATION ${CPPGATEWAY_CMAKE_DIR})
