# cmake -D REDOCLY=<redocly> -D CONFIG=<redocly.yaml> -D WORK_DIR=<dir> -D DIRS="<dir>|..." -P this
#
# Validates every OpenAPI document under DIRS (generated ones, *.openapi.json / .yaml, and the
# golden expectations, *.openapi.json.expected / .yaml.expected) with Redocly's linter, one run for
# all. Fails, rather than skips, without the linter: scripts/install-node-tools.sh installs it.

foreach(var REDOCLY CONFIG WORK_DIR DIRS)
  if(NOT ${var})
    message(FATAL_ERROR "run_openapi_lint.cmake: -D ${var}=... is required")
  endif()
endforeach()
if(NOT EXISTS "${REDOCLY}")
  message(FATAL_ERROR "the OpenAPI validator is missing (${REDOCLY}): run scripts/install-node-tools.sh")
endif()

string(REPLACE "|" ";" DIRS "${DIRS}")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
set(documents)
set(count 0)
foreach(dir IN LISTS DIRS)
  file(GLOB_RECURSE found "${dir}/*.openapi.json" "${dir}/*.openapi.yaml"
                          "${dir}/*.openapi.json.expected" "${dir}/*.openapi.yaml.expected")
  foreach(document IN LISTS found)
    # Under a name the linter reads by its extension, numbered: names repeat across folders.
    string(REGEX MATCH "\\.(json|yaml)(\\.expected)?$" suffix "${document}")
    string(REGEX REPLACE "\\.expected$" "" suffix "${suffix}")
    get_filename_component(name "${document}" NAME)
    string(REGEX REPLACE "\\.openapi\\..*$" "" name "${name}")
    math(EXPR count "${count} + 1")
    set(copy "${WORK_DIR}/${count}_${name}${suffix}")
    file(COPY_FILE "${document}" "${copy}")
    list(APPEND documents "${copy}")
  endforeach()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "no OpenAPI document found under ${DIRS}")
endif()

execute_process(COMMAND "${REDOCLY}" lint --config "${CONFIG}" ${documents}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "redocly lint found problems in the ${count} documents:\n${output}")
endif()
message(STATUS "redocly lint: ${count} documents valid")
