# The dependencies, all from Debian 12's apt (scripts/install-deps.sh). Shared by the build tree and by
# the installed package's config file, so both find them the same way.
include(CMakeFindDependencyMacro)

# Inside find_package(cppgateway) a missing dependency makes cppgateway "not found" (find_dependency
# forwards QUIET and REQUIRED); in the build tree every dependency is required.
macro(_cppgateway_find_dependency)
  if(CMAKE_FIND_PACKAGE_NAME)
    find_dependency(${ARGN})
  else()
    find_package(${ARGN} REQUIRED)
  endif()
endmacro()

_cppgateway_find_dependency(Threads)
# Debian ships no CMake config for protobuf: CMake's FindProtobuf gives protobuf::libprotobuf,
# protobuf::libprotoc, protobuf::protoc and Protobuf_INCLUDE_DIRS (the well-known types' protos).
_cppgateway_find_dependency(Protobuf)
_cppgateway_find_dependency(gRPC CONFIG)
_cppgateway_find_dependency(nlohmann_json)
# gzip answers and request bodies (zlib1g-dev, which grpc needs too).
_cppgateway_find_dependency(ZLIB)
# Boost.Beast's HTTP/1.1 parser, header-only. The runtime includes it privately, but the link
# interface of a static runtime still names Boost::headers, so the installed package finds it too.
# Debian ships BoostConfig.cmake; CONFIG skips CMake's FindBoost module, which newer CMake drops.
_cppgateway_find_dependency(Boost 1.81 CONFIG)
