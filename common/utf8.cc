#include "common/utf8.h"

namespace kaartnet {

uint32_t NextCodePoint(absl::string_view text, size_t* pos) {
  const size_t i = *pos;
  const unsigned char c = text[i];
  auto cont = [&](size_t k) {
    return i + k < text.size() &&
           (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
  };
  auto byte = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(text[i + k]) &
                                 0x3F);
  };
  if (c < 0x80) {
    *pos = i + 1;
    return c;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *pos = i + 2;
    return ((c & 0x1F) << 6) | byte(1);
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    const uint32_t cp = ((c & 0x0F) << 12) | (byte(1) << 6) | byte(2);
    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
      *pos = i + 3;
      return cp;
    }
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    const uint32_t cp =
        ((c & 0x07) << 18) | (byte(1) << 12) | (byte(2) << 6) | byte(3);
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      *pos = i + 4;
      return cp;
    }
  }
  *pos = i + 1;
  return 0xFFFD;
}

bool IsValidUtf8(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t start = pos;
    const uint32_t cp = NextCodePoint(text, &pos);
    if (cp == 0xFFFD) {
      // A literal U+FFFD is three bytes EF BF BD; anything else is an error.
      if (pos - start != 3) return false;
    }
  }
  return true;
}

size_t CodePointCount(absl::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool HasControlCharacter(absl::string_view text, bool allow_newline) {
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t cp = NextCodePoint(text, &pos);
    if (cp == '\n' && allow_newline) continue;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;
  }
  return false;
}

}  // namespace kaartnet
