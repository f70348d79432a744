#include "cforg/plan/plan_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "cforg/plan/render.h"
#include "plan_test_support.h"
#include "support/process.h"

namespace cforg::plan {
namespace {

using namespace fixtures;
using ::testing::HasSubstr;

TEST(PlanFile, RoundTripsEveryField) {
  state::State st = tree_state();
  st.orgs["gone"] = tracked(7, "Gone", 1);
  Remote remote;
  for (const auto& [key, org] : st.orgs) {
    remote.checked.insert(org.id);
    if (key != "gone") remote.orgs[org.id] = remote_of(org);
  }
  remote.orgs[id(3)].spec.name = "Drifted";
  Plan p = make_plan(load(R"(
organizations:
  - {name: Root, key: root, prevent_destroy: true, profile: {business_name: A, business_email: B,
     business_phone: C, business_address: D, external_metadata: E}}
  - {name: Platform 2, key: platform, parent: root}
  - {name: New, parent: {id: a7b9c3d2e8f4g1h5i6j0k9l2m3n7o4p8}}
)"),
                     st, &remote, {});
  ASSERT_GE(p.actions.size(), 3u);
  Plan back = plan_from_json(to_json(p), "test");
  EXPECT_EQ(back, p);
  EXPECT_EQ(to_json(back), to_json(p));
}

// Changes are typed in memory and spelled in the plan file as format 3 always had them: the
// attribute's path, strings as strings, a parent as {id, key}, none as null.
TEST(PlanFile, EveryKindOfChangeKeepsItsSpellingAndRoundTrips) {
  const Profile prof{"Acme", "a@b.c", "+1", "1 Way", "crm:1"};
  Plan p;
  p.drift.push_back(
      {"k",
       id(1),
       {Change::name_change("Old", "New"), Change::parent_change({id(2), ""}, {"", ""}),
        Change::parent_change({id(2), "root"}, {"", "new-root"}),
        Change::profile_change(std::nullopt, prof),
        Change::profile_field_change("business_phone", "+1", "+2")}});
  const nlohmann::json j = to_json(p);
  EXPECT_EQ(j["refresh"]["drift"][0]["changes"], nlohmann::json::parse(R"([
    {"attribute": "name", "before": "Old", "after": "New"},
    {"attribute": "parent", "before": {"id": ")" + id(2) + R"("}, "after": null},
    {"attribute": "parent", "before": {"id": ")" + id(2) + R"(", "key": "root"},
     "after": {"id": null, "key": "new-root"}},
    {"attribute": "profile", "before": null,
     "after": {"business_address": "1 Way", "business_email": "a@b.c", "business_name": "Acme",
               "business_phone": "+1", "external_metadata": "crm:1"}},
    {"attribute": "profile.business_phone", "before": "+1", "after": "+2"}
  ])"));
  Plan back = plan_from_json(j, "p.json");
  EXPECT_EQ(back.drift, p.drift);
  EXPECT_EQ(back.drift[0].changes[4].path(), "profile.business_phone");
  EXPECT_EQ(render_text(back), render_text(p));
}

TEST(PlanFile, AKeyTwiceIsRefusedNotResolvedLastWins) {
  testing::TempDir d;
  std::string text = to_json(make_plan(load(kTree), state::State{}, nullptr, {})).dump();
  // A second "actions", as a hand edit could add after the real one.
  text.insert(text.rfind('}'), R"(,"actions":[])");
  std::string path = d.write("p.json", text);
  try {
    read_plan_file(path);
    ADD_FAILURE() << "accepted";
  } catch (const PlanFileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("an object has the key \"actions\" twice"));
  }
}

TEST(PlanFile, RejectsOtherVersionsAndGarbageWithReasons) {
  nlohmann::json j = to_json(make_plan(load(kTree), state::State{}, nullptr, {}));
  j["format_version"] = 99;
  EXPECT_THROW(
      {
        try {
          plan_from_json(j, "p.json");
        } catch (const PlanFileError& e) {
          EXPECT_THAT(e.what(), HasSubstr("p.json"));
          EXPECT_THAT(e.what(), HasSubstr("format_version 99"));
          throw;
        }
      },
      PlanFileError);
  j["format_version"] = kPlanFormatVersion;
  j["actions"][0].erase("after");
  EXPECT_THROW(plan_from_json(j, "p.json"), PlanFileError);
  EXPECT_THROW(plan_from_json(nlohmann::json::array(), "p.json"), PlanFileError);
}

// Found by tests/fuzz: a member of the wrong type outside the checked fields escaped as
// nlohmann's bare "type must be string", and a version of 2^32 + 2 narrowed to 2 and passed.
TEST(PlanFile, AWronglyTypedMemberOrAHugeVersionIsAPlanFileErrorNamingTheFile) {
  nlohmann::json j = to_json(make_plan(load(kTree), state::State{}, nullptr, {}));
  j["config"]["files"] = {1};
  j["digest"] = plan_digest(j);  // resealed: the type is what must be refused
  try {
    plan_from_json(j, "p.json");
    ADD_FAILURE() << "accepted";
  } catch (const PlanFileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("p.json"));
  }
  j = to_json(make_plan(load(kTree), state::State{}, nullptr, {}));
  j["format_version"] = (std::uint64_t{1} << 32) + kPlanFormatVersion;
  j["digest"] = plan_digest(j);
  try {
    plan_from_json(j, "p.json");
    ADD_FAILURE() << "accepted";
  } catch (const PlanFileError& e) {
    EXPECT_THAT(e.what(), HasSubstr("format_version " +
                                    std::to_string((std::uint64_t{1} << 32) + kPlanFormatVersion)));
  }
}

// A resealed plan with a member of the wrong type is refused naming the member by its path.
TEST(PlanFile, AMistypedMemberIsNamedByItsPath) {
  auto error_of = [](const std::function<void(nlohmann::json&)>& edit) -> std::string {
    nlohmann::json j = to_json(make_plan(load(kTree), state::State{}, nullptr, {}));
    edit(j);
    j["digest"] = plan_digest(j);
    try {
      plan_from_json(j, "p.json");
    } catch (const PlanFileError& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_EQ(error_of([](auto& j) {
              j["config"]["files"] = {"a.yaml", 1};
            }),
            "p.json: not a valid cforg plan: config.files[1]: expected a string, found number");
  EXPECT_EQ(error_of([](auto& j) { j["options"]["budget"]["requests"] = std::uint64_t{1} << 32; }),
            "p.json: not a valid cforg plan: options.budget.requests: 4294967296 is out of range "
            "(at most 4294967295)");
  EXPECT_EQ(error_of([](auto& j) { j["options"].erase("adopt"); }),
            "p.json: not a valid cforg plan: options.adopt: missing");
  EXPECT_EQ(
      error_of([](auto& j) {
        j["protection"] = {{"root", "yes"}};
      }),
      "p.json: not a valid cforg plan: protection.root: expected true or false, found string");
  EXPECT_EQ(error_of([](auto& j) {
              j["errors"] = {{{"key", 1}}};
            }),
            "p.json: not a valid cforg plan: errors[0].key: expected a string, found number");
  EXPECT_THAT(
      error_of([](auto& j) {
        j["refresh"]["drift"] = {{{"key", "k"}, {"id", nullptr}}};
      }),
      ::testing::AllOf(HasSubstr("p.json: not a valid cforg plan: "), HasSubstr("changes")));
  EXPECT_EQ(error_of([](auto& j) {
              j["remote"] = {{"orgs", {}}};
            }),
            "p.json: not a valid cforg plan: remote.orgs: expected an array, found null");
  EXPECT_EQ(error_of([](auto& j) { j["summary"] = 3; }),
            "p.json: not a valid cforg plan: summary: expected an object, found number");
  EXPECT_EQ(error_of([](auto& j) { j["actions"][1]["after"]["parent"]["key"] = 7; }),
            "p.json: not a valid cforg plan: actions[1].after.parent.key: expected a string, "
            "found number");
  EXPECT_EQ(error_of([](auto& j) {
              j["refresh"]["observed"] = {{"k", {{"id", 1}}}};
            }),
            "p.json: not a valid cforg plan: refresh.observed.k.id: expected a string, found "
            "number");
  EXPECT_EQ(error_of([](auto& j) { j["actions"][0]["action"] = "explode"; }),
            "p.json: not a valid cforg plan: actions[0].action: unknown action \"explode\"");
  EXPECT_EQ(error_of([](auto& j) {
              j["refresh"]["drift"] = {
                  {{"key", "k"},
                   {"id", "i"},
                   {"changes", {{{"attribute", "colour"}, {"before", 1}, {"after", 2}}}}}};
            }),
            "p.json: not a valid cforg plan: refresh.drift[0].changes[0].attribute: unknown "
            "attribute \"colour\"");
  EXPECT_EQ(error_of([](auto& j) {
              j["refresh"]["drift"] = {
                  {{"key", "k"},
                   {"id", "i"},
                   {"changes", {{{"attribute", "name"}, {"before", "a"}, {"after", 2}}}}}};
            }),
            "p.json: not a valid cforg plan: refresh.drift[0].changes[0].after: expected a "
            "string, found number");
  // Null where a string may be empty, as the writer puts it.
  EXPECT_EQ(error_of([](auto& j) { j["state"]["lineage"] = nullptr; }), "accepted");
}

}  // namespace
}  // namespace cforg::plan
