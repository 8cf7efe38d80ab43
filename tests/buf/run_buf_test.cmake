# cmake -D BUF=... -D REDOCLY=... -D REDOCLY_CONFIG=... -D SOURCE_DIR=tests/buf -D PROTO_DIR=...
#       -D WORK_DIR=... -D PLUGIN_DIR=... -D GRPC_PLUGIN_DIR=... -D PROTOC_DIR=... -D BUILD_DIR=...
#       -D CHECK=<cppgateway_buf_check> -P this
#
# Lays out a buf workspace as a user would (tests/buf/proto, buf.yaml, buf.gen.yaml and
# cppgateway's protos as a second module), runs `buf generate` with the freshly built plugin on the
# PATH, validates the OpenAPI document it wrote, then builds and runs cppgateway_buf_check from the
# generated code. Fails, rather than skips, without buf: scripts/install-node-tools.sh installs it.

foreach(var BUF REDOCLY REDOCLY_CONFIG SOURCE_DIR PROTO_DIR WORK_DIR PLUGIN_DIR GRPC_PLUGIN_DIR
            PROTOC_DIR BUILD_DIR CHECK)
  if(NOT ${var})
    message(FATAL_ERROR "run_buf_test.cmake: -D ${var}=... is required")
  endif()
endforeach()
foreach(tool BUF REDOCLY)
  if(NOT EXISTS "${${tool}}")
    message(FATAL_ERROR "${${tool}} is missing: run scripts/install-node-tools.sh")
  endif()
endforeach()

function(run step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output WORKING_DIRECTORY "${WORK_DIR}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${step} failed (${result}):\n${output}")
  endif()
  message(STATUS "${step}: ok ${output}")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
file(COPY "${SOURCE_DIR}/proto" "${SOURCE_DIR}/buf.yaml" "${SOURCE_DIR}/buf.gen.yaml"
     DESTINATION "${WORK_DIR}")
file(COPY "${PROTO_DIR}/" DESTINATION "${WORK_DIR}/cppgateway_proto")

# buf finds local plugins and protoc (for protoc_builtin) on the PATH; its cache stays here.
run("buf generate" ${CMAKE_COMMAND} -E env
    "PATH=${PLUGIN_DIR}:${GRPC_PLUGIN_DIR}:${PROTOC_DIR}:$ENV{PATH}"
    "BUF_CACHE_DIR=${WORK_DIR}/cache"
    "${BUF}" generate)
foreach(file shop.pb.h shop.pb.cc shop.grpc.pb.h shop.grpc.pb.cc shop.gw.h shop.gw.cc
             shop.openapi.json)
  if(NOT EXISTS "${WORK_DIR}/gen/shop/v1/${file}")
    message(FATAL_ERROR "buf generate wrote no gen/shop/v1/${file}")
  endif()
endforeach()
run("redocly lint" "${REDOCLY}" lint --config "${REDOCLY_CONFIG}" gen/shop/v1/shop.openapi.json)
run("build what buf generated" ${CMAKE_COMMAND} --build "${BUILD_DIR}" --target cppgateway_buf_check)
run("serve it" "${CHECK}")
