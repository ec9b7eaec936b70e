// UTF-8 checks used by validation and text analysis.
#ifndef KAARTNET_COMMON_UTF8_H_
#define KAARTNET_COMMON_UTF8_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace kaartnet {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(absl::string_view text);

// Number of code points; only meaningful for valid UTF-8.
size_t CodePointCount(absl::string_view text);

// True when `text` contains a control character (C0, DEL or C1), other than
// '\n' when `allow_newline`.
bool HasControlCharacter(absl::string_view text, bool allow_newline);

// Decodes the code point at text[*pos] and advances *pos; returns U+FFFD and
// advances one byte on malformed input.
uint32_t NextCodePoint(absl::string_view text, size_t* pos);

}  // namespace kaartnet

#endif  // KAARTNET_COMMON_UTF8_H_
