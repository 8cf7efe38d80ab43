# The dependencies, all from Debian 12's apt (scripts/install-deps.sh). Shared by the build tree and by
# the installed package's config file, so both find them the same way.
include(CMakeFindDependencyMacro)
find_dependency(Threads)
# Debian ships no CMake config for protobuf: CMake's FindProtobuf gives protobuf::libprotobuf,
# protobuf::libprotoc and protobuf::protoc.
find_dependency(Protobuf)
find_dependency(gRPC CONFIG)
# cpp-httplib is a compiled library on Debian; its compile definitions (OpenSSL, zlib, brotli support)
# change class layouts, so they come with the imported target and must not be dropped.
find_dependency(PkgConfig)
if(NOT TARGET PkgConfig::HTTPLIB)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib)
endif()
find_dependency(nlohmann_json)
