# Writes OUT, a C++ source defining `absl::string_view NS::SYMBOL()` with the
# bytes of IN. Run with cmake -P at build time.
file(READ "${IN}" content HEX)
string(LENGTH "${content}" hex_len)
math(EXPR byte_len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${content}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}" "// Generated from ${IN}; do not edit.\n#include \"absl/strings/string_view.h\"\nnamespace ${NS} {\nnamespace {\nconst unsigned char kData[] = {\n${bytes}0};\n}  // namespace\nabsl::string_view ${SYMBOL}() {\n  return absl::string_view(reinterpret_cast<const char*>(kData), ${byte_len});\n}\n}  // namespace ${NS}\n")
