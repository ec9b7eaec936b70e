#include "common/utf8.h"

#include "gtest/gtest.h"

namespace kaartnet {
namespace {

TEST(Utf8Test, ValidAndInvalid) {
  EXPECT_TRUE(IsValidUtf8("Geïnteresseerd in café, ­€ 😀"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_TRUE(IsValidUtf8("\xEF\xBF\xBD"));  // U+FFFD itself
}

TEST(Utf8Test, CountsCodePoints) {
  EXPECT_EQ(CodePointCount("café"), 4u);
  EXPECT_EQ(CodePointCount(""), 0u);
}

TEST(Utf8Test, ControlCharacters) {
  EXPECT_FALSE(HasControlCharacter("twee\nregels", /*allow_newline=*/true));
  EXPECT_TRUE(HasControlCharacter("twee\nregels", /*allow_newline=*/false));
  EXPECT_TRUE(HasControlCharacter("tab\there", true));
  EXPECT_TRUE(HasControlCharacter("c1 \xC2\x85 next line", true));
  EXPECT_FALSE(HasControlCharacter("gewone tekst", false));
}

}  // namespace
}  // namespace kaartnet
