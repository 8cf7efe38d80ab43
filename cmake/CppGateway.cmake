# cppgateway_generate(<target> PROTOS <file.proto>... [IMPORT_DIRS <dir>...] [OPENAPI]
#                     [OPTIONS <plugin option>...])
#
# Runs protoc on each proto with the C++, gRPC C++ and cppgateway generators, adds the generated
# sources to <target>, puts them on its include path (`#include "foo/v1/foo.gw.h"`) and links
# cppgateway::runtime. google/api/annotations.proto, cppgateway/annotations.proto and the protobuf
# well-known types are on the import path without any flag.
#
# OPENAPI also writes each proto's OpenAPI 3.1 document, <stem>.openapi.json beside the generated
# code (.yaml with OPTIONS openapi_format=yaml); the target's CPPGATEWAY_OPENAPI_DOCUMENTS
# property lists their paths. OPTIONS are further plugin options (generate_unbound_methods=true,
# grpc_api_configuration=<file.yaml>, relative to the current source directory, ...).
#
# Works in the source tree (add_subdirectory) and after `cmake --install` (find_package(cppgateway)).

# Runs protoc with the given plugins' outputs for PROTOS; sets <out_var> to the generated sources
# (and documents). KINDS: any of pb, grpc, gw; OPTIONS: the cppgateway plugin's options.
function(_cppgateway_protoc out_var)
  cmake_parse_arguments(ARG "" "OUT_DIR" "PROTOS;IMPORT_DIRS;KINDS;OPTIONS" ${ARGN})
  set(import_flags)
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    get_filename_component(dir "${dir}" ABSOLUTE)
    list(APPEND import_flags "-I${dir}")
  endforeach()
  list(APPEND import_flags "-I${CPPGATEWAY_PROTO_DIR}")
  foreach(dir IN LISTS Protobuf_INCLUDE_DIRS)
    list(APPEND import_flags "-I${dir}")
  endforeach()

  set(generator_flags)
  set(generator_deps)
  if("pb" IN_LIST ARG_KINDS)
    list(APPEND generator_flags "--cpp_out=${ARG_OUT_DIR}")
  endif()
  if("grpc" IN_LIST ARG_KINDS)
    list(APPEND generator_flags "--grpc_out=${ARG_OUT_DIR}"
         "--plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>")
    list(APPEND generator_deps gRPC::grpc_cpp_plugin)
  endif()
  set(document_suffix)
  if("gw" IN_LIST ARG_KINDS)
    # A configuration file is read by protoc from the build directory, and is an input.
    set(plugin_options)
    foreach(option IN LISTS ARG_OPTIONS)
      if(option MATCHES "^grpc_api_configuration=(.*)$")
        get_filename_component(config "${CMAKE_MATCH_1}" ABSOLUTE)
        set(option "grpc_api_configuration=${config}")
        list(APPEND generator_deps "${config}")
      endif()
      list(APPEND plugin_options "${option}")
    endforeach()
    if("openapi" IN_LIST plugin_options)
      set(document_suffix ".openapi.json")
      if("openapi_format=yaml" IN_LIST plugin_options)
        set(document_suffix ".openapi.yaml")
      endif()
    endif()
    list(JOIN plugin_options "," plugin_parameter)
    list(APPEND generator_flags "--cppgateway_out=${plugin_parameter}:${ARG_OUT_DIR}"
         "--plugin=protoc-gen-cppgateway=$<TARGET_FILE:cppgateway::protoc-gen-cppgateway>")
    list(APPEND generator_deps cppgateway::protoc-gen-cppgateway)
  endif()

  set(sources)
  foreach(proto IN LISTS ARG_PROTOS)
    get_filename_component(proto_abs "${proto}" ABSOLUTE)
    # The proto's name as protoc sees it: relative to the first import dir that holds it.
    set(proto_rel)
    foreach(dir IN LISTS ARG_IMPORT_DIRS CPPGATEWAY_PROTO_DIR)
      get_filename_component(dir "${dir}" ABSOLUTE)
      file(RELATIVE_PATH rel "${dir}" "${proto_abs}")
      if(NOT rel MATCHES "^\\.\\./")
        set(proto_rel "${rel}")
        break()
      endif()
    endforeach()
    if(NOT proto_rel)
      message(FATAL_ERROR "cppgateway_generate: ${proto} is not under any of IMPORT_DIRS (${ARG_IMPORT_DIRS})")
    endif()
    string(REGEX REPLACE "\\.proto$" "" stem "${proto_rel}")
    set(outputs)
    if("pb" IN_LIST ARG_KINDS)
      list(APPEND outputs "${ARG_OUT_DIR}/${stem}.pb.cc" "${ARG_OUT_DIR}/${stem}.pb.h")
    endif()
    if("grpc" IN_LIST ARG_KINDS)
      list(APPEND outputs "${ARG_OUT_DIR}/${stem}.grpc.pb.cc" "${ARG_OUT_DIR}/${stem}.grpc.pb.h")
    endif()
    if("gw" IN_LIST ARG_KINDS)
      list(APPEND outputs "${ARG_OUT_DIR}/${stem}.gw.cc" "${ARG_OUT_DIR}/${stem}.gw.h")
      if(document_suffix)
        list(APPEND outputs "${ARG_OUT_DIR}/${stem}${document_suffix}")
      endif()
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND ${CMAKE_COMMAND} -E make_directory "${ARG_OUT_DIR}"
      COMMAND protobuf::protoc ${import_flags} ${generator_flags} "${proto_abs}"
      DEPENDS "${proto_abs}" protobuf::protoc ${generator_deps}
      COMMENT "cppgateway: generating ${proto_rel} (${ARG_KINDS})"
      VERBATIM)
    list(APPEND sources ${outputs})
  endforeach()
  set(${out_var} ${sources} PARENT_SCOPE)
endfunction()

function(cppgateway_generate target)
  cmake_parse_arguments(ARG "OPENAPI" "" "PROTOS;IMPORT_DIRS;OPTIONS" ${ARGN})
  if(NOT ARG_PROTOS)
    message(FATAL_ERROR "cppgateway_generate(${target}): PROTOS is required")
  endif()
  if(NOT ARG_IMPORT_DIRS)
    set(ARG_IMPORT_DIRS "${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/cppgateway_gen/${target}")
  set(options ${ARG_OPTIONS})
  if(options MATCHES "(^|;)openapi_merge=")
    message(FATAL_ERROR "cppgateway_generate(${target}): openapi_merge needs one protoc run for all "
                        "files, and this function runs protoc once per proto: run protoc (or buf "
                        "generate) yourself for a merged document")
  endif()
  if(ARG_OPENAPI AND NOT "openapi" IN_LIST options)
    list(PREPEND options openapi)
  endif()
  _cppgateway_protoc(sources OUT_DIR "${out_dir}" PROTOS ${ARG_PROTOS} IMPORT_DIRS ${ARG_IMPORT_DIRS}
                     KINDS pb grpc gw OPTIONS ${options})
  # The documents are outputs of the target's generation step, as its sources are.
  target_sources(${target} PRIVATE ${sources})
  set(documents ${sources})
  list(FILTER documents INCLUDE REGEX "\\.openapi\\.(json|yaml)$")
  set_property(TARGET ${target} APPEND PROPERTY CPPGATEWAY_OPENAPI_DOCUMENTS ${documents})
  target_include_directories(${target} PUBLIC "$<BUILD_INTERFACE:${out_dir}>")
  target_link_libraries(${target} PUBLIC cppgateway::runtime)
endfunction()
