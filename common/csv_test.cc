#include "common/csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace kaartnet {
namespace {

using ::testing::ElementsAre;

TEST(CsvTest, ParsesQuotedFieldsWithCommasQuotesAndNewlines) {
  auto rows =
      ParseCsv("a,\"b, c\",\"say \"\"hi\"\"\"\n\"two\nlines\",x,\r\nlast,,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_THAT((*rows)[0].fields, ElementsAre("a", "b, c", "say \"hi\""));
  EXPECT_THAT((*rows)[1].fields, ElementsAre("two\nlines", "x", ""));
  EXPECT_EQ((*rows)[1].line, 2);
  EXPECT_THAT((*rows)[2].fields, ElementsAre("last", "", ""));
  EXPECT_EQ((*rows)[2].line, 4);
}

TEST(CsvTest, LastLineWithoutNewlineAndBlankLines) {
  auto rows = ParseCsv("h1,h2\n\n1,2");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_THAT((*rows)[1].fields, ElementsAre("1", "2"));
  EXPECT_EQ((*rows)[1].line, 3);
}

TEST(CsvTest, RefusesBrokenQuoting) {
  EXPECT_FALSE(ParseCsv("a,\"open\n").ok());
  EXPECT_FALSE(ParseCsv("a,b\"c\n").ok());
  EXPECT_FALSE(ParseCsv("\"a\"b,c\n").ok());
}

TEST(CsvTest, EscapeRoundTrips) {
  std::vector<std::string> fields = {"plain", "com,ma", "quo\"te", "new\nline",
                                     ""};
  auto rows = ParseCsv(CsvLine(fields));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].fields, fields);
}

TEST(CsvTest, SpreadsheetLineSeparatesWithSemicolonsAndDefusesFormulas) {
  EXPECT_EQ(SpreadsheetLine({"Heerlen", "a;b", "zeg \"hoi\"", ""}),
            "Heerlen;\"a;b\";\"zeg \"\"hoi\"\"\";\r\n");
  // A phone number or a hostile cell stays text in the spreadsheet.
  EXPECT_EQ(SpreadsheetLine(
                {"+31 45 123 4567", "=HYPERLINK(\"x\")", "@SUM", "-1", "a=b"}),
            "'+31 45 123 4567;\"'=HYPERLINK(\"\"x\"\")\";'@SUM;'-1;a=b\r\n");
}

}  // namespace
}  // namespace kaartnet
