// cforg against the emulator in its published mode (its defaults): opaque ids, next_page_token
// pages, name-only PUT, the profile endpoints, GET and list without profiles, 204 deletes, a
// 403 window after each create, Ratelimit headers. And the other readings the contract leaves
// open, each by its flag.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "support/contents.h"

namespace cforg::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string profile_yaml(const std::string& tag) {
  return "{business_name: " + tag + " Inc, business_email: " + tag +
         "@example.com, business_phone: \"+1-555-0100\", business_address: 1 " + tag +
         " Way, external_metadata: \"crm:" + tag + "\"}";
}

nlohmann::json profile_json(const std::string& tag) {
  return {{"business_address", "1 " + tag + " Way"},
          {"business_email", tag + "@example.com"},
          {"business_name", tag + " Inc"},
          {"business_phone", "+1-555-0100"},
          {"external_metadata", "crm:" + tag}};
}

// One org as the emulator should hold it: its name, its parent's name ("" for a root), its
// profile (null for none).
struct Expected {
  std::string name;
  std::string parent;
  nlohmann::json profile;
  bool operator<(const Expected& o) const {
    return std::tie(name, parent) < std::tie(o.name, o.parent);
  }
};

// Everything the emulator holds, in the same terms.
std::vector<std::string> remote_estate(const Emulator& emu) {
  std::vector<nlohmann::json> orgs = emu.organizations(Profiles::kFetch);
  std::map<std::string, std::string> name_of;
  for (const auto& o : orgs) name_of[o["id"]] = o["name"];
  std::vector<std::string> out;
  for (const auto& o : orgs) {
    std::string parent = o.contains("parent") ? name_of[o["parent"]["id"]] : "";
    out.push_back(o["name"].get<std::string>() + " < " + parent + " " + o["profile"].dump());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> estate(std::vector<Expected> want) {
  std::vector<std::string> out;
  for (const Expected& e : want) out.push_back(e.name + " < " + e.parent + " " + e.profile.dump());
  std::sort(out.begin(), out.end());
  return out;
}

std::string id_of(const Emulator& emu, const std::string& name) {
  for (const auto& o : emu.organizations()) {
    if (o["name"] == name) return o["id"];
  }
  return "";
}

// Exit 0 from `plan --detailed-exitcode`: nothing left to do.
void expect_clean(const Workspace& ws) {
  ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << dump(plan);
}

std::string config(const std::string& team_a_phone_tag, const std::string& team_b_name,
                   const std::string& leaf_parent, bool with_leaf = true) {
  std::string yaml = "organizations:\n";
  yaml += "  - {name: Acme, key: root, profile: " + profile_yaml("acme") + "}\n";
  yaml +=
      "  - {name: Team A, key: a, parent: root, profile: " + profile_yaml(team_a_phone_tag) + "}\n";
  yaml += "  - {name: " + team_b_name + ", key: b, parent: root}\n";
  if (with_leaf) yaml += "  - {name: Leaf, key: leaf, parent: " + leaf_parent + "}\n";
  return yaml;
}

TEST(PublishedApi, AWholeEstatesLife) {
  // A 1.5 s window after each create in which requests naming the new org get 403.
  Emulator emu({"--consistency-ms", "1500"});
  Workspace ws(&emu);

  // A hierarchy with profiles, created under the window: children wait for their parents.
  ws.config(config("teama", "Team B", "a"));
  ProcessResult created = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(created.exit_code, 0) << dump(created);
  EXPECT_GT(emu.stats()["post_create_403"].get<int>(), 0) << "the window was never hit";
  EXPECT_EQ(requests(emu, "POST"), 4);  // once each, besides the retries the window refused
  for (const auto& [key, id] : ws.state_ids()) EXPECT_THAT(id, Not(HasSubstr(" "))) << key;
  EXPECT_EQ(remote_estate(emu), estate({{"Acme", "", profile_json("acme")},
                                        {"Team A", "Acme", profile_json("teama")},
                                        {"Team B", "Acme", nullptr},
                                        {"Leaf", "Team A", nullptr}}));
  expect_clean(ws);  // reads the profiles the list leaves out, of orgs still in the window

  // A profile change: PUT .../profile, nothing else.
  int puts = requests(emu, "PUT");
  ws.config(config("teama2", "Team B", "a"));
  ProcessResult profile = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(profile.exit_code, 0) << dump(profile);
  EXPECT_THAT(profile.out, HasSubstr("PUT profile"));
  EXPECT_EQ(requests(emu, "PUT") - puts, 1);
  EXPECT_EQ(emu.profile_of(id_of(emu, "Team A")), profile_json("teama2"));
  expect_clean(ws);

  // A rename: PUT on the org with the name.
  ws.config(config("teama2", "Team Bravo", "a"));
  ProcessResult renamed = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(renamed.exit_code, 0) << dump(renamed);
  EXPECT_THAT(renamed.out, HasSubstr("PUT name"));
  expect_clean(ws);

  // A parent move is refused, with the place and what to do; then replaced on request.
  std::string old_leaf = ws.state_ids()["leaf"];
  ws.config(config("teama2", "Team Bravo", "b"));
  ProcessResult refused = ws.cforg({"plan"});
  EXPECT_EQ(refused.exit_code, 1) << dump(refused);
  EXPECT_THAT(refused.out, HasSubstr("cforg.yaml:5:"));
  EXPECT_THAT(refused.out, HasSubstr("cannot move an organization"));
  EXPECT_THAT(refused.out, HasSubstr("--replace leaf"));
  int mutations_before = mutations(emu);
  ProcessResult refused_apply = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(refused_apply.exit_code, 1);
  EXPECT_EQ(mutations(emu), mutations_before) << "a refused plan sent something";
  ProcessResult replaced = ws.cforg({"apply", "--auto-approve", "--replace", "leaf"});
  ASSERT_EQ(replaced.exit_code, 0) << dump(replaced);
  EXPECT_THAT(replaced.out, HasSubstr("1 to replace"));
  std::string new_leaf = ws.state_ids()["leaf"];
  EXPECT_NE(new_leaf, old_leaf);
  EXPECT_EQ(emu.request("GET", "/organizations/" + old_leaf).status, 404);
  EXPECT_EQ(remote_estate(emu), estate({{"Acme", "", profile_json("acme")},
                                        {"Team A", "Acme", profile_json("teama2")},
                                        {"Team Bravo", "Acme", nullptr},
                                        {"Leaf", "Team Bravo", nullptr}}));
  expect_clean(ws);

  // A leaf deleted: the API answers 204 with no body.
  int no_content = emu.stats()["responses_by_status"].value("204", 0);
  ws.config(config("teama2", "Team Bravo", "b", /*with_leaf=*/false));
  ProcessResult deleted = ws.cforg({"apply", "--auto-approve"});
  ASSERT_EQ(deleted.exit_code, 0) << dump(deleted);
  EXPECT_GT(emu.stats()["responses_by_status"].value("204", 0), no_content);
  EXPECT_FALSE(ws.state()["organizations"].contains("leaf"));
  expect_clean(ws);

  // The state lost: taken back with zero POSTs.
  std::map<std::string, std::string> ids = ws.state_ids();
  std::filesystem::remove(ws.state_path());
  int posts = requests(emu, "POST");
  ProcessResult lost = ws.cforg({"plan"});
  EXPECT_EQ(lost.exit_code, 1) << dump(lost);
  EXPECT_THAT(lost.out, HasSubstr("--adopt"));
  ProcessResult adopted = ws.cforg({"apply", "--auto-approve", "--adopt"});
  ASSERT_EQ(adopted.exit_code, 0) << dump(adopted);
  EXPECT_EQ(requests(emu, "POST"), posts);
  EXPECT_EQ(ws.state_ids(), ids);
  expect_clean(ws);

  // Import by id, after forgetting one.
  ASSERT_EQ(ws.cforg({"state", "rm", "b"}).exit_code, 0);
  ProcessResult imported = ws.cforg({"import", "b", ids["b"]});
  ASSERT_EQ(imported.exit_code, 0) << dump(imported);
  EXPECT_EQ(ws.state_ids(), ids);
  expect_clean(ws);
  EXPECT_EQ(requests(emu, "POST"), posts);
  EXPECT_EQ(emu.stats()["rate_limited"].get<int>(), 0);
}

TEST(PublishedApi, ABudgetThreeQuartersSpentByAnotherClientCostsNo429) {
  // 40 requests per 4 s, and a 4 s block after a 429, as Cloudflare blocks for five minutes.
  Emulator emu({"--rate-limit", "40/4", "--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 24));
  emu.spend(30);  // another CI job on the same token
  ProcessResult apply = ws.cforg({"apply", "--auto-approve", "--rate-limit", "40/4"});
  ASSERT_EQ(apply.exit_code, 0) << dump(apply);
  EXPECT_EQ(emu.stats()["rate_limited"].get<int>(), 0) << dump(apply);
  EXPECT_EQ(emu.organizations().size(), 24u);
}

TEST(PublishedApi, PagesByNextPageTokenOrCursorAndTheServersPageSize) {
  for (std::vector<std::string> flags :
       {std::vector<std::string>{"--pagination", "next_page_token", "--max-page-size", "50"},
        std::vector<std::string>{"--pagination", "cursor", "--max-page-size", "7",
                                 "--page-size-over-max", "clamp"}}) {
    flags.insert(flags.end(), {"--consistency-ms", "0"});
    Emulator emu(flags);
    Workspace ws(&emu);
    ws.config(flat_config("Org", 60));
    ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0) << flags[1];
    std::map<std::string, std::string> ids = ws.state_ids();
    std::filesystem::remove(ws.state_path());
    ProcessResult adopted = ws.cforg({"apply", "--auto-approve", "--adopt"});
    ASSERT_EQ(adopted.exit_code, 0) << flags[1] << dump(adopted);
    EXPECT_EQ(ws.state_ids(), ids) << flags[1];
    EXPECT_EQ(requests(emu, "POST"), 60) << flags[1];
    expect_clean(ws);
  }
}

TEST(PublishedApi, ProfileDriftIsFoundWhetherTheListCarriesProfilesOrNot) {
  for (const char* reading : {"omit", "include"}) {
    Emulator emu({"--read-profile", reading, "--consistency-ms", "0"});
    Workspace ws(&emu);
    std::string yaml = "organizations:\n";
    for (int i = 0; i < 5; ++i) {
      yaml += "  - {name: Org " + std::to_string(i) + ", profile: " + profile_yaml("o") + "}\n";
    }
    yaml += "  - {name: Bare}\n";
    ws.config(yaml);
    ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0) << reading;
    int gets = requests(emu, "GET");
    expect_clean(ws);
    // One list page, plus a profile read per managed profile only when the list left them out.
    EXPECT_EQ(requests(emu, "GET") - gets, std::string(reading) == "omit" ? 1 + 5 : 1) << reading;

    // Changed in the dashboard: found, and restored with one profile PUT.
    std::string id = ws.state_ids()["Org 3"];
    nlohmann::json changed = profile_json("o");
    changed["business_phone"] = "+1-555-0199";
    ASSERT_EQ(emu.as_dashboard("PUT", "/organizations/" + id + "/profile", changed.dump()).status,
              204);
    ProcessResult plan = ws.cforg({"plan", "--detailed-exitcode"});
    EXPECT_EQ(plan.exit_code, 2) << reading << dump(plan);
    EXPECT_THAT(plan.out, HasSubstr("profile.business_phone")) << reading;
    int puts = requests(emu, "PUT");
    ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0) << reading;
    EXPECT_EQ(requests(emu, "PUT") - puts, 1) << reading;
    EXPECT_EQ(emu.profile_of(id), profile_json("o")) << reading;
    expect_clean(ws);
  }
}

TEST(PublishedApi, DeletesSucceedOnAnEmptyAnswerOrAnEnvelope) {
  for (const char* answer : {"empty", "envelope"}) {
    Emulator emu({"--delete-response", answer, "--consistency-ms", "0"});
    Workspace ws(&emu);
    ws.config(flat_config("Org", 3));
    ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}).exit_code, 0) << answer;
    ws.config(flat_config("Org", 1));
    ProcessResult apply = ws.cforg({"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << answer << dump(apply);
    EXPECT_THAT(apply.out, HasSubstr("2 deleted")) << answer;
    EXPECT_EQ(emu.organizations().size(), 1u) << answer;
    expect_clean(ws);
  }
}

TEST(PublishedApi, StrictAuthWantsTheGlobalKeyForEverythingButTheList) {
  Emulator emu({"--auth", "strict", "--consistency-ms", "0"});
  Workspace ws(&emu);
  ws.config(flat_config("Org", 2));

  // A token alone: the list works, the create is refused; the error says what to do.
  ProcessResult token = ws.cforg({"apply", "--auto-approve"});
  EXPECT_EQ(token.exit_code, 1) << dump(token);
  EXPECT_THAT(token.out + token.err, HasSubstr("CLOUDFLARE_EMAIL"));
  EXPECT_THAT(token.out + token.err, HasSubstr("CLOUDFLARE_API_KEY"));
  EXPECT_EQ(emu.organizations().size(), 0u);

  // Email + key: works. With both schemes configured, cforg uses the key.
  RunOptions both;
  both.env = emu.env_both();
  ProcessResult key = ws.cforg({"apply", "--auto-approve"}, both);
  ASSERT_EQ(key.exit_code, 0) << dump(key);
  EXPECT_EQ(emu.organizations().size(), 2u);
  RunOptions key_only;
  key_only.env = emu.env_global_key();
  key_only.unset_env = {"CLOUDFLARE_API_TOKEN"};
  ws.config(flat_config("Org", 3));
  ASSERT_EQ(ws.cforg({"apply", "--auto-approve"}, key_only).exit_code, 0);
  EXPECT_EQ(emu.organizations().size(), 3u);
  for (const char* secret : {kTestKey, kTestToken}) {
    EXPECT_THAT(token.out + token.err + key.out + key.err, Not(HasSubstr(secret)));
  }
}

// Members and accounts under each reading the contract leaves open, one emulator each: a team
// joins (12 members, more than a cursor page of 7), two leave, an account moves between orgs,
// and every run ends with the emulator holding exactly what the config says.
TEST(PublishedApi, MembersAndAccountsHoldUnderEveryOtherReading) {
  const std::vector<std::vector<std::string>> readings = {
      {"--auth", "strict"},
      {"--pagination", "cursor", "--max-page-size", "7", "--page-size-over-max", "clamp"},
      {"--max-page-size", "10"},  // larger pages refused with a 400: the client steps down
      {"--delete-response", "envelope"},
      {"--containing-account", "hierarchy"},
      {"--member-exists", "existing", "--members-batch-create", "present"}};
  for (const auto& reading : readings) {
    std::string name;
    for (const std::string& f : reading) name += f + " ";
    SCOPED_TRACE(name);
    Emulator emu(with({"--consistency-ms", "0", "--accounts", "3"}, reading));
    Workspace ws(&emu);
    RunOptions key;  // the global key, which --auth strict needs for everything but the list
    key.env = emu.env_global_key();
    key.unset_env = {"CLOUDFLARE_API_TOKEN"};
    const std::vector<std::string> accounts = account_ids(emu);
    std::vector<std::string> team = emails("dev", 12);
    ws.config(config_yaml({org("Platform", "platform", team, {{accounts[0], accounts[1]}}),
                           org("Retail", "retail", std::vector<std::string>{},
                               std::vector<std::string>{accounts[2]})}));
    ProcessResult joined = ws.cforg(with({"apply", "--auto-approve"}, kFast), key);
    ASSERT_EQ(joined.exit_code, 0) << dump(joined);
    const std::string platform = ws.state_ids().at("platform");
    const std::string retail = ws.state_ids().at("retail");
    EXPECT_EQ(member_counts(emu, platform).size(), 12u);

    team.resize(10);  // two leave; an account moves from Platform to Retail
    ws.config(config_yaml(
        {org("Platform", "platform", team, std::vector<std::string>{accounts[0]}),
         org("Retail", "retail", std::vector<std::string>{}, {{accounts[1], accounts[2]}})}));
    ProcessResult plan = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast), key);
    EXPECT_EQ(plan.exit_code, 2) << dump(plan);
    EXPECT_THAT(plan.out, HasSubstr("→ account " + accounts[1] + " moves in from \"platform\""));
    ProcessResult changed = ws.cforg(with({"apply", "--auto-approve"}, kFast), key);
    ASSERT_EQ(changed.exit_code, 0) << dump(changed);
    std::map<std::string, int> want;
    for (const std::string& e : team) want[e] = 1;
    EXPECT_EQ(member_counts(emu, platform), want);
    std::map<std::string, std::string> homes = account_homes(emu);
    EXPECT_EQ(homes.at(accounts[0]), platform);
    EXPECT_EQ(homes.at(accounts[1]), retail);
    EXPECT_EQ(homes.at(accounts[2]), retail);
    ProcessResult clean = ws.cforg(with({"plan", "--detailed-exitcode"}, kFast), key);
    EXPECT_EQ(clean.exit_code, 0) << dump(clean);
  }
}

}  // namespace
}  // namespace cforg::testing
