# Helpers shared by every component's CMakeLists.txt.

# kaartnet_library(<name> SRCS ... DEPS ...)
# Defines static library kaartnet_<name> with alias kaartnet::<name>.
function(kaartnet_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_library(kaartnet_${name} STATIC ${ARG_SRCS})
  add_library(kaartnet::${name} ALIAS kaartnet_${name})
  target_include_directories(kaartnet_${name} PUBLIC ${PROJECT_SOURCE_DIR}
                                                     ${PROJECT_BINARY_DIR})
  target_compile_options(kaartnet_${name} PRIVATE ${KAARTNET_WARNINGS})
  target_link_libraries(kaartnet_${name} PUBLIC ${ARG_DEPS})
endfunction()

# kaartnet_test(<name> SRCS ... DEPS ...)
# A GoogleTest binary registered with CTest; test cases are discovered when
# ctest runs (not at build time, so sanitizer builds stay cheap to build).
function(kaartnet_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_compile_options(${name} PRIVATE ${KAARTNET_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
    ENVIRONMENT "KAARTNET_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()

# kaartnet_embed(<target> <namespace> <symbol> <file>)
# Compiles <file> into <target> as `absl::string_view <namespace>::<symbol>()`.
function(kaartnet_embed target ns symbol file)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DNS=${ns} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${out})
  # One large literal each: nothing to share with a unity batch.
  set_source_files_properties(${out} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endfunction()
