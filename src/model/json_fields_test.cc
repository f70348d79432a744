// The checked-field reader every document reader is built on, and the parse-error wording.
#include "cforg/model/json_fields.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/model/json_parse.h"
#include "cforg/model/organization.h"

namespace cforg {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// What reading `j` with `read` throws, as "what()"; "" when it does not throw.
template <typename Read>
std::string error_of(const json& j, Read read) {
  try {
    JsonAt at(j, "state/cforg.state.json", "organizations.eu");
    read(at);
  } catch (const JsonFieldError& e) {
    return e.what();
  }
  return "";
}

TEST(JsonFields, ReadsRequiredOptionalAndNullableMembers) {
  json j = {{"id", "a1"},    {"n", 7},    {"flag", true}, {"none", nullptr},
            {"list", {"x"}}, {"neg", -3}, {"x", 0.5},     {"map", {{"k", 1}}}};
  JsonAt at(j, "f");
  JsonObject o(at, UnknownFields::refuse);
  EXPECT_EQ(o.required<std::string>("id"), "a1");
  EXPECT_EQ(o.required<std::uint64_t>("n"), 7u);
  EXPECT_EQ(o.required<std::uint32_t>("n"), 7u);
  EXPECT_TRUE(o.required<bool>("flag"));
  EXPECT_EQ(o.required<std::optional<std::string>>("none"), std::nullopt);
  EXPECT_EQ(o.required<std::vector<std::string>>("list"), std::vector<std::string>{"x"});
  EXPECT_EQ(o.required<int>("neg"), -3);
  EXPECT_EQ(o.required<double>("x"), 0.5);
  EXPECT_EQ((o.required<std::map<std::string, int>>("map")),
            (std::map<std::string, int>{{"k", 1}}));
  EXPECT_EQ(o.optional<std::string>("absent"), std::nullopt);
  EXPECT_EQ(o.optional<bool>("also_absent", true), true);
  EXPECT_NO_THROW(o.done());
}

TEST(JsonFields, AMissingMemberIsNamedWithItsPathAndSource) {
  EXPECT_EQ(error_of(json::object(),
                     [](const JsonAt& at) {
                       JsonObject o(at, UnknownFields::refuse);
                       o.required<std::string>("id");
                     }),
            "state/cforg.state.json: organizations.eu.id: missing");
}

TEST(JsonFields, AMistypedMemberSaysWhatWasExpectedAndFound) {
  auto read_id = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<std::string>("id");
  };
  EXPECT_EQ(error_of({{"id", 5}}, read_id),
            "state/cforg.state.json: organizations.eu.id: expected a string, found number");
  auto read_flag = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<bool>("f");
  };
  EXPECT_THAT(error_of({{"f", "no"}}, read_flag),
              HasSubstr("eu.f: expected true or false, found string"));
  auto read_serial = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<std::uint64_t>("serial");
  };
  EXPECT_THAT(error_of({{"serial", -1}}, read_serial),
              HasSubstr("eu.serial: expected a non-negative integer, found number"));
  EXPECT_THAT(error_of({{"serial", 7.0}}, read_serial),
              HasSubstr("eu.serial: expected a non-negative integer, found number"));
  EXPECT_THAT(error_of({{"serial", "7"}}, read_serial), HasSubstr("found string"));
  auto read_int = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<int>("pid");
  };
  EXPECT_THAT(error_of({{"pid", 1.5}}, read_int),
              HasSubstr("eu.pid: expected an integer, found number"));
  auto read_double = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<double>("s");
  };
  EXPECT_THAT(error_of({{"s", "1"}}, read_double),
              HasSubstr("eu.s: expected a number, found string"));
}

TEST(JsonFields, ANumberOutOfTheTypesRangeIsRefusedNotNarrowed) {
  auto read_u32 = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<std::uint32_t>("requests");
  };
  EXPECT_THAT(error_of({{"requests", std::uint64_t{1} << 32}}, read_u32),
              HasSubstr("eu.requests: 4294967296 is out of range (at most 4294967295)"));
  auto read_int = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<int>("pid");
  };
  EXPECT_THAT(error_of({{"pid", std::int64_t{1} << 40}}, read_int),
              HasSubstr("eu.pid: 1099511627776 is out of range"));
  EXPECT_THAT(error_of({{"pid", -(std::int64_t{1} << 40)}}, read_int),
              HasSubstr("is out of range"));
  EXPECT_THAT(error_of({{"pid", std::numeric_limits<std::uint64_t>::max()}}, read_int),
              HasSubstr("18446744073709551615 is out of range"));
}

TEST(JsonFields, ANonObjectIsRefusedWhereAnObjectIsRead) {
  EXPECT_EQ(error_of(json::array(), [](const JsonAt& at) { JsonObject(at, UnknownFields::allow); }),
            "state/cforg.state.json: organizations.eu: expected an object, found array");
}

TEST(JsonFields, ElementsOfArraysAndMapsAreNamedByIndexAndKey) {
  auto read_list = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<std::vector<std::string>>("files");
  };
  EXPECT_THAT(error_of({{"files", {"a", 1}}}, read_list),
              HasSubstr("organizations.eu.files[1]: expected a string, found number"));
  EXPECT_THAT(error_of({{"files", "a"}}, read_list),
              HasSubstr("eu.files: expected an array, found string"));
  auto read_set = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<std::set<std::string>>("keys");
  };
  EXPECT_THAT(error_of({{"keys", {"a", false}}}, read_set),
              HasSubstr("eu.keys[1]: expected a string"));
  auto read_map = [](const JsonAt& at) {
    JsonObject(at, UnknownFields::refuse).required<std::map<std::string, bool>>("protection");
  };
  EXPECT_THAT(error_of({{"protection", {{"web", 1}}}}, read_map),
              HasSubstr("eu.protection.web: expected true or false, found number"));
  EXPECT_THAT(error_of({{"protection", {1}}}, read_map),
              HasSubstr("eu.protection: expected an object"));
  // Nested objects: the path grows member by member.
  EXPECT_EQ(error_of({{"parent", {{"id", {}}}}},
                     [](const JsonAt& at) {
                       JsonObject o(at, UnknownFields::refuse);
                       JsonObject parent(o.at("parent"), UnknownFields::refuse);
                       parent.required<std::string>("id");
                     }),
            "state/cforg.state.json: organizations.eu.parent.id: expected a string, found null");
}

TEST(JsonFields, UnknownMembersAreRefusedNamingTheKnownOnesOrAllowed) {
  json j = {{"id", "a"}, {"colour", "red"}};
  auto read = [](UnknownFields unknown) {
    return [unknown](const JsonAt& at) {
      JsonObject o(at, unknown);
      o.required<std::string>("id");
      o.optional<bool>("pending");
      o.done();
    };
  };
  EXPECT_EQ(error_of(j, read(UnknownFields::refuse)),
            "state/cforg.state.json: organizations.eu.colour: unknown field (the known ones: id, "
            "pending)");
  EXPECT_EQ(error_of(j, read(UnknownFields::allow)), "");
  // A member read twice still leaves room for only one: the unknown one is found.
  EXPECT_THAT(error_of(j,
                       [](const JsonAt& at) {
                         JsonObject o(at, UnknownFields::refuse);
                         o.required<std::string>("id");
                         o.required<std::string>("id");
                         o.done();
                       }),
              HasSubstr("colour: unknown field"));
}

TEST(JsonFields, AKeyFromTheFileIsShownPrintably) {
  json j = {{"k\x1b[2J", 1}};
  std::string what = error_of(j, [](const JsonAt& at) {
    JsonObject o(at, UnknownFields::refuse);
    o.done();
  });
  EXPECT_THAT(what, HasSubstr("unknown field"));
  EXPECT_EQ(what.find('\x1b'), std::string::npos) << what;
}

TEST(JsonFields, FailNamesTheMemberAndRaiseChoosesTheErrorType) {
  struct Custom : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  json j = {{"key", ""}};
  JsonAt at(j, "j:2", "", [](const JsonFieldError& e) { throw Custom(e.what()); });
  JsonObject o(at, UnknownFields::refuse);
  EXPECT_EQ(o.path("key"), "key");
  try {
    o.fail("key", "is empty");
    ADD_FAILURE() << "returned";
  } catch (const Custom& e) {
    EXPECT_STREQ(e.what(), "j:2: key: is empty");
  }
  // The error without its source, for a caller that words the source itself.
  try {
    JsonObject(JsonAt(j, "j:1"), UnknownFields::refuse).required<int>("key");
  } catch (const JsonFieldError& e) {
    EXPECT_EQ(e.field_problem(), "key: expected an integer, found string");
    EXPECT_EQ(e.source(), "j:1");
    EXPECT_EQ(e.path(), "key");
  }
}

TEST(JsonFields, AProfileNeedsItsFiveStringsAndRoundTrips) {
  Profile p{"Acme", "ops@acme.example", "+1", "1 Main St", "{}"};
  json j = p;
  EXPECT_EQ(j, profile_to_json(p));
  EXPECT_EQ(profile_from_json(j), p);
  j["extra"] = 1;  // the API may add fields
  EXPECT_EQ(profile_from_json(j), p);
  j.erase("business_email");
  try {
    profile_from_json(j);
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "profile.business_email: missing");
  }
  EXPECT_THROW(profile_from_json(json::array()), std::invalid_argument);
  j = p;
  j["business_name"] = 1;
  EXPECT_THROW(profile_from_json(j), JsonFieldError);
}

TEST(JsonParseMessage, ASyntaxErrorIsPlacedByLineAndColumnAndShownPrintably) {
  std::string text = "{\n  \"a\": 1,\n  \"b\" \"x\"\n}\n";
  JsonParse p = parse_json_checked(text);
  ASSERT_TRUE(p.syntax_error);
  EXPECT_EQ(p.located("s.json", text), "s.json:3:9");
  EXPECT_THAT(p.message(), ::testing::StartsWith("syntax error while parsing object"));
  EXPECT_THAT(p.message(), ::testing::Not(HasSubstr("json.exception")));
  // A part of a larger text (a journal line): lines count from the top of the text.
  std::string journal = "{\"h\":1}\n{\"op\" 1}\n";
  JsonParse line = parse_json_checked(std::string_view(journal).substr(8, 9));
  EXPECT_EQ(line.located("j", journal, 8), "j:2:7");
  // The bytes it quotes are made printable.
  JsonParse raw = parse_json_checked("{\"a\": \"\xff\x1b[2J");
  EXPECT_EQ(raw.message().find('\x1b'), std::string::npos);
  EXPECT_EQ(raw.message().find('\xff'), std::string::npos);
  // Other problems have no place.
  JsonParse twice = parse_json_checked("{\"a\":1,\"a\":2}");
  EXPECT_EQ(twice.located("s.json", "{\"a\":1,\"a\":2}"), "s.json");
  EXPECT_EQ(twice.message(), "an object has the key \"a\" twice");
}

}  // namespace
}  // namespace cforg
