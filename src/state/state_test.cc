// The state value and its JSON form.
#include "cforg/state/state.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <set>

#include "state_test_support.h"

namespace cforg::state {
namespace {

using ::testing::HasSubstr;
using testing::make_org;
using testing::org_id;

const std::string kRootId = "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8";

Profile acme_profile() {
  return {"Acme Inc", "ops@acme.example", "+1 555 0100", "1 Main St, Springfield", "{\"cc\":42}"};
}

// Four kinds of entry: a root with a profile, a child of a managed parent, a child of a parent
// managed elsewhere, and a create whose outcome is unknown.
State sample_state() {
  State s;
  s.lineage = "6f1c2a4e-0000-4000-8000-000000000001";
  s.serial = 7;
  OrgState root = make_org(kRootId, "Acme");
  root.spec.profile = acme_profile();
  root.spec.prevent_destroy = true;
  root.meta = nlohmann::json{{"flags", {{"account_creation", true}}}, {"managed_by", "cforg"}};
  s.orgs["root"] = root;
  s.orgs["platform"] = make_org(org_id(1), "Acme Platform", kRootId, "root");
  s.orgs["partner"] = make_org(org_id(2), "Partner Team", org_id(0xfff));
  OrgState pending;
  pending.spec.name = "Acme Data";
  pending.spec.parent = ParentRef::id(kRootId);
  pending.parent_key = "root";
  pending.pending_create = true;
  s.orgs["data"] = pending;
  return s;
}

const char* kSampleText = R"({
  "format_version": 1,
  "lineage": "6f1c2a4e-0000-4000-8000-000000000001",
  "organizations": {
    "data": {
      "create_time": "",
      "id": "",
      "meta": null,
      "name": "Acme Data",
      "parent": {
        "id": "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8",
        "key": "root"
      },
      "pending_create": true,
      "prevent_destroy": false,
      "profile": null
    },
    "partner": {
      "create_time": "2026-11-29T18:11:19.117Z",
      "id": "g0000000000000000000000000000002",
      "meta": {
        "managed_by": "cforg"
      },
      "name": "Partner Team",
      "parent": {
        "id": "g0000000000000000000000000004095"
      },
      "prevent_destroy": false,
      "profile": null
    },
    "platform": {
      "create_time": "2026-11-29T18:11:19.117Z",
      "id": "g0000000000000000000000000000001",
      "meta": {
        "managed_by": "cforg"
      },
      "name": "Acme Platform",
      "parent": {
        "id": "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8",
        "key": "root"
      },
      "prevent_destroy": false,
      "profile": null
    },
    "root": {
      "create_time": "2026-11-29T18:11:19.117Z",
      "id": "a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8",
      "meta": {
        "flags": {
          "account_creation": true
        },
        "managed_by": "cforg"
      },
      "name": "Acme",
      "parent": null,
      "prevent_destroy": true,
      "profile": {
        "business_address": "1 Main St, Springfield",
        "business_email": "ops@acme.example",
        "business_name": "Acme Inc",
        "business_phone": "+1 555 0100",
        "external_metadata": "{\"cc\":42}"
      }
    }
  },
  "serial": 7
}
)";

TEST(StateJson, ExactShape) {
  EXPECT_EQ(state_to_text(sample_state()), kSampleText);
}

TEST(StateJson, TextIsThePrettyDumpByteForByte) {
  // The file is written without building the document; it must read exactly as dump(2).
  State s = sample_state();
  OrgState odd =
      make_org(org_id(9), "Quote \" back\\slash \t \x01 \u00dcnic\u00f8de \u2713", kRootId, "root");
  odd.meta = nlohmann::json{{"empty", nlohmann::json::object()},
                            {"list", {1, 2.5, nullptr, nlohmann::json::array(), "x\ny"}},
                            {"nested", {{"deeper", {{"k", false}}}}}};
  odd.spec.profile = acme_profile();
  s.orgs["k\u00e9y \"odd\""] = odd;
  OrgState empty_meta = make_org(org_id(10), "Empty meta");
  empty_meta.meta = nlohmann::json::object();
  s.orgs["empty-meta"] = empty_meta;
  EXPECT_EQ(state_to_text(s), to_json(s).dump(2) + "\n");
  State none;
  none.lineage = "l";
  EXPECT_EQ(state_to_text(none), to_json(none).dump(2) + "\n");
}

TEST(StateJson, TextRefusesInvalidUtf8) {
  State s;
  s.orgs["bad"] = make_org(org_id(1), "bad \xff name");
  EXPECT_THROW(state_to_text(s), StateError);
}

TEST(StateJson, RoundTrip) {
  State s = sample_state();
  EXPECT_EQ(state_from_text(state_to_text(s), "f"), s);
  EXPECT_EQ(from_json(to_json(s), "f"), s);
  State empty;
  EXPECT_EQ(state_from_text(state_to_text(empty), "f"), empty);
}

TEST(StateJson, OrgRoundTrip) {
  State s = sample_state();
  for (const auto& [key, org] : s.orgs) {
    EXPECT_EQ(org_from_json(org_to_json(org), "f"), org) << key;
  }
  EXPECT_FALSE(org_to_json(s.orgs["root"]).contains("pending_create"));
  EXPECT_FALSE(org_to_json(s.orgs["partner"])["parent"].contains("key"));
}

// Parses the sample after `edit` and expects a StateError whose message holds every part.
void expect_rejected(const std::function<void(nlohmann::json&)>& edit,
                     const std::vector<std::string>& parts) {
  nlohmann::json j = to_json(sample_state());
  edit(j);
  try {
    from_json(j, "state/cforg.state.json");
    ADD_FAILURE() << "accepted: " << j.dump();
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("state/cforg.state.json: "));
    for (const auto& part : parts) EXPECT_THAT(e.what(), HasSubstr(part));
  }
}

TEST(StateJson, RejectsInvalidContent) {
  auto orgs_of = [](nlohmann::json& j) -> nlohmann::json& { return j["organizations"]; };
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["id"] = "01 23"; },
                  {"organizations.root.id", "not an organization id", "contains a space"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["id"] = std::string(129, 'a'); },
                  {"organizations.root.id", "at most 128"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["id"] = ""; },
                  {"organizations.root.id", "only a pending_create entry"});
  expect_rejected([&](auto& j) { orgs_of(j)["data"]["id"] = "x\ny"; }, {"organizations.data.id"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["name"] = 5; },
                  {"organizations.root.name", "expected a string, found number"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"].erase("prevent_destroy"); },
                  {"organizations.root.prevent_destroy", "missing"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["prevent_destroy"] = "no"; },
                  {"organizations.root.prevent_destroy"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["colour"] = "red"; },
                  {"organizations.root.colour", "unknown field"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["profile"].erase("business_email"); },
                  {"organizations.root.profile.business_email: missing"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["profile"]["business_phone"] = 1; },
                  {"organizations.root.profile.business_phone: expected a string, found number"});
  expect_rejected([&](auto& j) { orgs_of(j)["root"]["meta"] = 3; }, {"organizations.root.meta"});
  expect_rejected([&](auto& j) { orgs_of(j)["platform"]["parent"] = "root"; },
                  {"organizations.platform.parent", "expected an object"});
  expect_rejected([&](auto& j) { orgs_of(j)["platform"]["parent"]["id"] = "no pe"; },
                  {"organizations.platform.parent.id"});
  expect_rejected([&](auto& j) { orgs_of(j)["platform"]["parent"]["key"] = "partner"; },
                  {"organizations.platform.parent.key", "does not hold the parent id"});
  expect_rejected([&](auto& j) { orgs_of(j)["partner"]["id"] = orgs_of(j)["platform"]["id"]; },
                  {"also the id of organizations."});
  expect_rejected([&](auto& j) { j["serial"] = -1; }, {"serial", "non-negative integer"});
  expect_rejected([&](auto& j) { j.erase("lineage"); }, {"lineage: missing"});
  expect_rejected([&](auto& j) { j["organizations"] = nlohmann::json::array(); },
                  {"organizations"});
  expect_rejected([&](auto& j) { j["extra"] = 1; }, {"extra: unknown field"});
  expect_rejected([&](auto& j) { j = nlohmann::json::array(); }, {"expected an object"});
}

TEST(StateJson, RejectsImpossibleTrees) {
  auto orgs_of = [](nlohmann::json& j) -> nlohmann::json& { return j["organizations"]; };
  // A parent that is the org itself.
  expect_rejected(
      [&](auto& j) {
        orgs_of(j)["partner"]["parent"] = {{"id", orgs_of(j)["partner"]["id"]}, {"key", "partner"}};
      },
      {"organizations.partner.parent", "is the organization itself"});
  // Two orgs each other's parent.
  expect_rejected(
      [&](auto& j) {
        orgs_of(j)["root"]["parent"] = {{"id", orgs_of(j)["platform"]["id"]}, {"key", "platform"}};
      },
      {"lead back to it (a cycle)"});
  expect_rejected([&](auto& j) { orgs_of(j)[std::string(10000, 'k')] = orgs_of(j)["partner"]; },
                  {"the key is 10000 bytes long, more than the 1024"});
}

// A syntax error quotes what nlohmann last read: escape sequences and invalid UTF-8 in the file
// must not reach the terminal raw.
TEST(StateJson, ASyntaxErrorQuotesTheFilesBytesPrintably) {
  try {
    state_from_text("{\"lineage\": \"\xff\x1b[2J", "s.json");
    ADD_FAILURE() << "accepted";
  } catch (const StateError& e) {
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("s.json:1:"));
    EXPECT_EQ(what.find('\x1b'), std::string::npos) << what;
    EXPECT_EQ(what.find('\xff'), std::string::npos) << what;
  }
}

TEST(StateJson, TextRefusesDuplicateKeysHugeNumbersAndDeepNesting) {
  std::string text = state_to_text(sample_state());
  // The same org twice: nlohmann alone would keep the second silently.
  std::string twice = text;
  twice.insert(twice.find("\"lineage\""), "\"serial\": 1,\n  ");
  try {
    state_from_text(twice, "s.json");
    ADD_FAILURE() << "accepted a key twice";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("s.json: invalid JSON: an object has the key \"serial\" twice"));
  }
  std::string huge = text;
  huge.replace(huge.find("\"serial\": 7"), 11, "\"serial\": 1e400");
  try {
    state_from_text(huge, "s.json");
    ADD_FAILURE() << "accepted 1e400";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.json:"));
    EXPECT_THAT(e.what(), HasSubstr("invalid JSON"));
  }
  try {
    state_from_text(std::string(100000, '['), "s.json");
    ADD_FAILURE() << "accepted deep nesting";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("nested deeper than 64 levels"));
  }
}

TEST(StateValue, TheSerialNeverWrapsToZero) {
  State s = sample_state();
  EXPECT_EQ(next_serial(s, "s.json"), 8u);
  s.serial = std::numeric_limits<std::uint64_t>::max();
  try {
    next_serial(s, "s.json");
    ADD_FAILURE() << "wrapped";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("is the largest there is"));
  }
}

// The state knows parents by id: a config key in an OrgState is a bug upstream, and saving it
// would write a parent that no load could read back.
TEST(StateValue, ValidateRefusesAParentThatIsAConfigKey) {
  State s = sample_state();
  s.orgs["platform"].spec.parent = ParentRef::key("root");
  s.orgs["platform"].parent_key = "";
  try {
    validate(s, "s.json");
    ADD_FAILURE() << "a key parent passed";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.json: organizations.platform.parent: is the config key"));
  }
}

TEST(StateJson, UnknownFormatVersionSaysWhatToDo) {
  for (nlohmann::json version : {nlohmann::json(2), nlohmann::json(0), nlohmann::json("1")}) {
    expect_rejected(
        [&](auto& j) { j["format_version"] = version; },
        {"unknown format_version " + version.dump(), "reads format_version 1", "upgrade cforg"});
  }
  expect_rejected([](auto& j) { j.erase("format_version"); }, {"format_version: missing"});
}

TEST(StateJson, SyntaxErrorNamesFileLineAndColumn) {
  std::string text = "{\n  \"format_version\": 1,\n  \"lineage\" \"x\"\n}\n";
  try {
    state_from_text(text, "dir/s.json");
    ADD_FAILURE() << "accepted";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("dir/s.json:3:15: invalid JSON"));
  }
  try {
    state_from_text("{\"format_version\": 1,", "s.json");
    ADD_FAILURE() << "accepted";
  } catch (const StateError& e) {
    EXPECT_THAT(e.what(), HasSubstr("s.json:1:22: invalid JSON"));
  }
}

TEST(StateValue, FromRemoteKeepsLocalFields) {
  Organization remote;
  remote.id = org_id(5);
  remote.spec = {"Five", ParentRef::id(kRootId), acme_profile()};
  remote.create_time = "2026-01-01T00:00:00Z";
  remote.meta = {{"flags", nlohmann::json::object()}};
  OrgState fresh = from_remote(remote);
  EXPECT_EQ(fresh.id, org_id(5));
  EXPECT_EQ(fresh.spec.name, "Five");
  EXPECT_EQ(fresh.spec.parent, ParentRef::id(kRootId));
  EXPECT_EQ(fresh.parent_key, "");
  EXPECT_EQ(fresh.spec.profile, acme_profile());
  EXPECT_EQ(fresh.meta, remote.meta);
  EXPECT_FALSE(fresh.spec.prevent_destroy);

  OrgState previous = make_org(org_id(5), "Old", kRootId, "root");
  previous.spec.prevent_destroy = true;
  previous.pending_create = true;
  OrgState kept = from_remote(remote, &previous);
  EXPECT_TRUE(kept.spec.prevent_destroy);
  EXPECT_EQ(kept.parent_key, "root");
  EXPECT_FALSE(kept.pending_create);

  remote.spec.parent =
      ParentRef::from_api_id(org_id(9));  // moved: the old key names the wrong parent
  OrgState moved = from_remote(remote, &previous);
  EXPECT_EQ(moved.spec.parent, ParentRef::id(org_id(9)));
  EXPECT_EQ(moved.parent_key, "");
}

TEST(StateValue, FromRemoteKeepsTheLastProfileOnlyWhenTheAnswerOmitsIt) {
  OrgState previous = make_org(org_id(5), "Five", kRootId, "root");
  previous.spec.profile = acme_profile();
  Organization remote;
  remote.id = org_id(5);
  remote.spec = {"Five", ParentRef::id(kRootId), std::nullopt};

  // GET and the list may leave `profile` out: that says nothing about it.
  remote.profile_known = false;
  EXPECT_EQ(from_remote(remote, &previous).spec.profile, acme_profile());
  EXPECT_EQ(from_remote(remote).spec.profile, std::nullopt) << "nothing known before either";

  // An answer that carries no profile (`profile: null`, GET .../profile's 404) says there is
  // none: what was known before is cleared.
  remote.profile_known = true;
  EXPECT_EQ(from_remote(remote, &previous).spec.profile, std::nullopt);

  Profile other = acme_profile();
  other.business_phone = "+1 555 0199";
  remote.spec.profile = other;
  EXPECT_EQ(from_remote(remote, &previous).spec.profile, other);
}

TEST(StateValue, KeyOfAndRelink) {
  State s = sample_state();
  ASSERT_NE(s.key_of(kRootId), nullptr);
  EXPECT_EQ(*s.key_of(kRootId), "root");
  EXPECT_EQ(s.key_of(org_id(77)), nullptr);
  EXPECT_EQ(s.key_of(""), nullptr);  // the pending entry has no id

  s.orgs["platform"].parent_key = "";
  s.orgs["partner"].parent_key = "stale";
  s.orgs["moved"] = make_org(org_id(3), "Moved", org_id(2));
  s.relink_parents();
  EXPECT_EQ(s.orgs["platform"].parent_key, "root");
  EXPECT_EQ(s.orgs["partner"].parent_key, "");
  EXPECT_EQ(s.orgs["moved"].parent_key, "partner");
  EXPECT_EQ(s.orgs["root"].parent_key, "");
  s.orgs.erase("root");
  s.relink_parents();
  EXPECT_EQ(s.orgs["platform"].spec.parent, ParentRef::id(kRootId));
  EXPECT_EQ(s.orgs["platform"].parent_key, "");
}

TEST(StateValue, RelinkScalesToLargeStates) {
  // A chain of 100,000 orgs: an O(n^2) relink would not finish in any reasonable time.
  State s;
  constexpr int kCount = 100000;
  for (int i = 0; i < kCount; ++i) {
    s.orgs["org-" + std::to_string(i)] =
        make_org(org_id(i + 1), "Org " + std::to_string(i), i == 0 ? "" : org_id(i));
  }
  s.relink_parents();
  EXPECT_EQ(s.orgs["org-0"].parent_key, "");
  EXPECT_EQ(s.orgs["org-99999"].parent_key, "org-99998");
  EXPECT_EQ(state_from_text(state_to_text(s), "big"), s);
}

TEST(StateValue, NewUuidIsRandomVersion4) {
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = new_uuid();
    EXPECT_TRUE(std::regex_match(id, v4)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace cforg::state
