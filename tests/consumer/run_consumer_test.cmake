# cmake -D BUILD_DIR=... -D CONSUMER_SOURCE_DIR=... -D WORK_DIR=... [-D BUILD_TYPE=...]
#       [-D SANITIZE=ON] -P this
#
# Installs the cppgateway build in BUILD_DIR into a scratch prefix, checks the installed layout,
# then configures, builds and runs the consumer project against that prefix alone.

foreach(var BUILD_DIR CONSUMER_SOURCE_DIR WORK_DIR)
  if(NOT ${var})
    message(FATAL_ERROR "run_consumer_test.cmake: -D ${var}=... is required")
  endif()
endforeach()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Debug)
endif()

set(prefix "${WORK_DIR}/prefix")
set(consumer_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")

# Runs a command; stops the test with its output when it fails.
function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${step} failed (${result}):\n${output}")
  endif()
  message(STATUS "${step}: ok")
  set(last_output "${output}" PARENT_SCOPE)
endfunction()

run("install" ${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

foreach(file
    lib/libcppgateway.a
    include/cppgateway/gateway.h
    include/cppgateway/server.h
    include/google/api/annotations.pb.h
    include/google/api/http.pb.h
    include/google/rpc/status.pb.h
    include/cppgateway/annotations.pb.h
    bin/protoc-gen-cppgateway
    share/cppgateway/proto/google/api/annotations.proto
    share/cppgateway/proto/google/api/http.proto
    share/cppgateway/proto/google/rpc/status.proto
    share/cppgateway/proto/cppgateway/annotations.proto
    lib/cmake/cppgateway/cppgatewayConfig.cmake
    lib/cmake/cppgateway/cppgatewayConfigVersion.cmake
    lib/cmake/cppgateway/cppgatewayTargets.cmake
    lib/cmake/cppgateway/CppGateway.cmake)
  if(NOT EXISTS "${prefix}/${file}")
    message(FATAL_ERROR "the installed package lacks ${file}")
  endif()
endforeach()

# A sanitized libcppgateway.a links only into a sanitized program.
set(sanitize_flags)
if(SANITIZE)
  set(sanitize_flags -D "CMAKE_CXX_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer"
                     -D "CMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
endif()

# Only the scratch prefix: no package registry, so the build tree cannot stand in for the install.
run("configure the consumer" ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${consumer_build}"
    -D CMAKE_BUILD_TYPE=${BUILD_TYPE}
    -D CMAKE_PREFIX_PATH=${prefix}
    -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    ${sanitize_flags})
run("build the consumer" ${CMAKE_COMMAND} --build "${consumer_build}" -j2)
# OPENAPI wrote the document beside the generated code, with the installed success_code option.
set(document "${consumer_build}/cppgateway_gen/consumer/greeter/v1/greeter.openapi.json")
if(NOT EXISTS "${document}")
  message(FATAL_ERROR "cppgateway_generate(... OPENAPI) wrote no ${document}")
endif()
file(READ "${document}" document_text)
if(NOT document_text MATCHES "\"operationId\": \"Greeter_SayHello\"" OR
   NOT document_text MATCHES "\"202\": {")
  message(FATAL_ERROR "${document} lacks Greeter_SayHello and its 202 answer:\n${document_text}")
endif()
run("run the consumer" "${consumer_build}/consumer")
message("${last_output}")
