// The operations against the real emulator and the file backend in a temporary folder: the
// rules the CLI used to hold (import's, refresh's mass-forget refusal, apply's final save).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cforg/ops/operations.h"
#include "support/emulator.h"
#include "support/process.h"

namespace cforg::ops {
namespace {

using testing::Emulator;
using ::testing::HasSubstr;
using testing::TempDir;

class OpsTest : public ::testing::Test {
 protected:
  OpsTest() {
    backend.state_path = dir / "cforg.state.json";
    net.credentials.token = testing::kTestToken;
    net.base_url = emu.base_url();
    net.rate_limit = "0";
    net.retry_base_delay = 0.01;
    net.retry_max_delay = 0.05;
  }
  std::vector<std::string> config(const std::string& yaml) {
    return {dir.write("cforg.yaml", yaml)};
  }
  // Just before the first action, another writer replaces the state file behind the lock: the
  // final commit must refuse it, and the result must still say what was created (2 orgs).
  void expect_the_two_creates_told_though_the_save_fails(ApplyRequest& r) {
    r.starting = [&](const api::HttpClient&) -> apply::Observer* {
      dir.write(
          "cforg.state.json",
          R"({"format_version": 1, "lineage": "someone-else", "serial": 7, "organizations": {}})");
      return nullptr;
    };
    ApplyResult res = apply(r);
    EXPECT_EQ(res.kind, ApplyResult::Kind::applied);
    EXPECT_EQ(res.report.created, 2u);
    ASSERT_TRUE(res.save_error);
    EXPECT_THAT(res.save_error->what(), HasSubstr("changed since it was loaded"));
    EXPECT_EQ(emu.organizations().size(), 2u);
  }
  // A remote org made as in the dashboard; returns its id.
  std::string remote(const std::string& name) {
    testing::HttpReply r =
        emu.as_dashboard("POST", "/organizations", R"({"name": ")" + name + R"("})");
    EXPECT_EQ(r.status, 200);
    return r.body["result"]["id"];
  }
  std::string state_text() const {
    return testing::file_exists(backend.state_path) ? testing::read_file(backend.state_path) : "";
  }
  ImportRequest import_request(const std::vector<std::string>& paths, const std::string& key,
                               const std::string& id) {
    ImportRequest r;
    r.config_paths = paths;
    r.backend = backend;
    r.net = net;
    r.key = key;
    r.id = id;
    return r;
  }
  template <class F>
  std::string error_of(F&& f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "no Error thrown";
  }

  Emulator emu;
  TempDir dir;
  BackendOptions backend;
  NetworkOptions net;
};

TEST_F(OpsTest, ImportRecordsTheOrgWithItsProfileAndTheConfigsPreventDestroy) {
  std::string id = remote("Acme");
  ASSERT_EQ(emu.as_dashboard("PUT", "/organizations/" + id + "/profile",
                             R"({"business_name": "Acme Inc", "business_email": "a@acme.test",
                                 "business_phone": "+1-555-0100", "business_address": "1 Way",
                                 "external_metadata": ""})")
                    .status /
                100,
            2);
  auto paths = config(
      "organizations:\n"
      "  - name: Acme\n"
      "    prevent_destroy: true\n"
      "    profile: {business_name: Acme Inc, business_email: a@acme.test,\n"
      "              business_phone: '+1-555-0100', business_address: 1 Way,\n"
      "              external_metadata: ''}\n");
  ImportResult r = import_org(import_request(paths, "Acme", id));
  EXPECT_EQ(r.org.spec.name, "Acme");
  state::State st = read_state(backend);
  ASSERT_EQ(st.orgs.count("Acme"), 1u);
  EXPECT_EQ(st.orgs["Acme"].id, id);
  EXPECT_TRUE(st.orgs["Acme"].spec.prevent_destroy);
  ASSERT_TRUE(st.orgs["Acme"].spec.profile.has_value()) << "read through GET .../profile";
  EXPECT_EQ(st.orgs["Acme"].spec.profile->business_name, "Acme Inc");
  EXPECT_EQ(st.serial, r.serial);
}

TEST_F(OpsTest, ImportRefusesAnUndeclaredKeyATrackedKeyAndATrackedIdWithoutWriting) {
  std::string a = remote("A"), b = remote("B");
  auto paths = config("organizations:\n  - {name: A}\n  - {name: B}\n");
  EXPECT_THAT(error_of([&] { import_org(import_request(paths, "C", a)); }),
              HasSubstr("\"C\" is not an organization key in the config: declare it there first"));
  EXPECT_EQ(state_text(), "") << "nothing written";

  import_org(import_request(paths, "A", a));
  const std::string saved = state_text();
  EXPECT_THAT(error_of([&] { import_org(import_request(paths, "A", b)); }),
              HasSubstr("org \"A\" is already in state as " + a +
                        "; to import another organization under this key, first run: cforg "
                        "state rm A"));
  EXPECT_THAT(error_of([&] { import_org(import_request(paths, "B", a)); }),
              HasSubstr(a + " is already in state as org \"A\""));
  EXPECT_EQ(state_text(), saved) << "refused imports leave the state as it was";
  EXPECT_EQ(emu.stats()["requests_by_method"].value("GET", 0), 1) << "only the first import read";
}

TEST_F(OpsTest, ImportRefusesAMalformedIdBeforeAnythingAndAnIdTheCredentialsDoNotSee) {
  auto paths = config("organizations:\n  - {name: A}\n");
  EXPECT_THAT(error_of([&] { import_org(import_request(paths, "A", "not an id!")); }),
              HasSubstr("ORG_ID \"not an id!\" is not an organization id"));
  EXPECT_EQ(emu.stats()["requests_by_method"].value("GET", 0), 0);
  std::string unseen = remote("Gone");
  ASSERT_EQ(emu.as_dashboard("DELETE", "/organizations/" + unseen).status / 100, 2);
  EXPECT_THAT(error_of([&] { import_org(import_request(paths, "A", unseen)); }),
              HasSubstr("no organization " + unseen + " for these credentials"));
  EXPECT_EQ(state_text(), "");
}

TEST_F(OpsTest, ImportWithoutCredentialsFailsBeforeAnyRequest) {
  std::string id = remote("A");
  auto paths = config("organizations:\n  - {name: A}\n");
  ImportRequest r = import_request(paths, "A", id);
  r.net.credentials = {};
  EXPECT_THAT(error_of([&] { import_org(r); }), HasSubstr("no Cloudflare credentials"));
  EXPECT_EQ(emu.stats()["requests_by_method"].value("GET", 0), 0);
}

// Tracks `n` orgs in state by applying a config of them.
void apply_all(const std::vector<std::string>& paths, const BackendOptions& b,
               const NetworkOptions& net) {
  ApplyRequest a;
  a.config_paths = paths;
  a.backend = b;
  a.net = net;
  ApplyResult r = apply(a);
  ASSERT_EQ(r.kind, ApplyResult::Kind::applied);
  ASSERT_TRUE(r.report.ok());
  ASSERT_FALSE(r.save_error);
}

TEST_F(OpsTest, RefreshRefusesToForgetMostTrackedOrgsUnlessAllowed) {
  auto paths = config("organizations:\n  - {name: A}\n  - {name: B}\n  - {name: C}\n");
  apply_all(paths, backend, net);
  for (const auto& [key, org] : read_state(backend).orgs) {
    ASSERT_EQ(emu.as_dashboard("DELETE", "/organizations/" + org.id).status / 100, 2);
  }
  const std::string before = state_text();
  RefreshRequest r;
  r.config_paths = paths;
  r.backend = backend;
  r.net = net;
  bool asked = false;
  r.confirm = [&](const plan::Plan&) { return asked = true; };
  EXPECT_THAT(error_of([&] { refresh(r); }), HasSubstr("not refreshing: "));
  EXPECT_FALSE(asked) << "refused before asking";
  EXPECT_EQ(state_text(), before);

  r.net.allow_mass_forget = true;
  RefreshResult res = refresh(r);
  EXPECT_EQ(res.kind, RefreshResult::Kind::saved);
  EXPECT_TRUE(asked);
  EXPECT_EQ(res.changes.forget.size(), 3u);
  EXPECT_TRUE(read_state(backend).orgs.empty());
}

TEST_F(OpsTest, RefreshSavesOnlyWhatTheRemoteSideSaysAndOnlyWhenConfirmed) {
  auto paths = config("organizations:\n  - {name: A}\n  - {name: B}\n");
  apply_all(paths, backend, net);
  std::string a_id = read_state(backend).orgs.at("A").id;
  ASSERT_EQ(emu.as_dashboard("PUT", "/organizations/" + a_id, R"({"name": "A2"})").status, 200);
  // The config now also declares C and protects B: a refresh acts on neither.
  paths = config(
      "organizations:\n  - {name: A}\n  - {name: B, prevent_destroy: true}\n"
      "  - {name: C}\n");
  const std::string before = state_text();
  RefreshRequest r;
  r.config_paths = paths;
  r.backend = backend;
  r.net = net;
  const plan::Plan* shown = nullptr;
  r.show = [&](const plan::Plan& p) { shown = &p; };
  r.confirm = [](const plan::Plan& p) {
    EXPECT_TRUE(p.actions.empty());
    EXPECT_TRUE(p.protection.empty());
    return false;
  };
  EXPECT_EQ(refresh(r).kind, RefreshResult::Kind::cancelled);
  EXPECT_NE(shown, nullptr);
  EXPECT_EQ(state_text(), before);
  r.confirm = {};
  RefreshResult res = refresh(r);
  ASSERT_EQ(res.kind, RefreshResult::Kind::saved);
  ASSERT_EQ(res.changes.drift.size(), 1u);
  state::State st = read_state(backend);
  EXPECT_EQ(st.orgs.at("A").spec.name, "A2");
  EXPECT_FALSE(st.orgs.at("B").spec.prevent_destroy) << "no flag from the config";
  EXPECT_EQ(st.orgs.count("C"), 0u);
  EXPECT_EQ(refresh(r).kind, RefreshResult::Kind::unchanged);
}

TEST_F(OpsTest, ApplyReportsWhatItDidWhenTheFinalSaveFails) {
  auto paths = config("organizations:\n  - {name: A}\n  - {name: B}\n");
  ApplyRequest r;
  r.config_paths = paths;
  r.backend = backend;
  r.net = net;
  expect_the_two_creates_told_though_the_save_fails(r);
}

TEST_F(OpsTest, ApplyOfASavedPlanReportsWhatItDidWhenTheFinalSaveFails) {
  auto paths = config("organizations:\n  - {name: A}\n  - {name: B}\n");
  PlanRequest pr;
  pr.config_paths = paths;
  pr.backend = backend;
  pr.net = net;
  const std::string plan_path = dir / "plan.json";
  save_plan(make_live_plan(pr), plan_path);
  ApplyRequest r;
  r.plan_file = plan_path;
  r.config_paths = paths;
  r.backend = backend;
  r.net = net;
  // The saved plan verifies against the state as loaded; the commit after its actions must
  // then refuse the state another writer put there meanwhile, and the result still tell.
  expect_the_two_creates_told_though_the_save_fails(r);
}

TEST_F(OpsTest, WhatTheStagesThrowLeavesAsErrorWithItsMessage) {
  // A state file that does not parse (state::StateError below).
  dir.write("cforg.state.json", "{\"format_version\": 1,");
  EXPECT_THAT(error_of([&] { read_state(backend); }),
              HasSubstr("cforg.state.json:1:22: invalid JSON"));
  auto paths = config("organizations:\n  - {name: A}\n");
  ApplyRequest a;
  a.config_paths = paths;
  a.backend = backend;
  a.net = net;
  EXPECT_THAT(error_of([&] { apply(a); }), HasSubstr("invalid JSON"));
  EXPECT_EQ(state_text(), "{\"format_version\": 1,") << "bad input never touches the state";
  // A plan file that does not parse (plan::PlanFileError below), for show and apply alike.
  const std::string plan_path = dir.write("plan.json", "{\"format_version\": 3}");
  const std::string shown = error_of([&] { read_saved_plan(plan_path); });
  EXPECT_THAT(shown, HasSubstr("plan.json"));
  EXPECT_NE(shown, "no Error thrown");
  a.plan_file = plan_path;
  EXPECT_EQ(error_of([&] { apply(a); }), shown);
  EXPECT_TRUE(emu.organizations().empty());
}

TEST_F(OpsTest, ApplyAsksOnlyForALivePlanWithChangesAndACancelWritesNothing) {
  auto paths = config("organizations:\n  - {name: A}\n");
  ApplyRequest r;
  r.config_paths = paths;
  r.backend = backend;
  r.net = net;
  int asked = 0;
  r.confirm = [&](const plan::Plan&) {
    ++asked;
    return false;
  };
  EXPECT_EQ(apply(r).kind, ApplyResult::Kind::cancelled);
  EXPECT_EQ(asked, 1);
  EXPECT_EQ(state_text(), "");
  EXPECT_TRUE(emu.organizations().empty());
  r.confirm = {};
  EXPECT_EQ(apply(r).kind, ApplyResult::Kind::applied);
  r.confirm = [&](const plan::Plan&) { return ++asked, false; };
  EXPECT_EQ(apply(r).kind, ApplyResult::Kind::nothing_to_do);
  EXPECT_EQ(asked, 1) << "nothing to change: nothing to ask";
}

TEST_F(OpsTest, StateEditsRefuseWhatIsNotThereAllOrNothing) {
  auto paths = config("organizations:\n  - {name: A}\n  - {name: B}\n");
  apply_all(paths, backend, net);
  const std::string before = state_text();
  EXPECT_THAT(error_of([&] { state_rm(backend, {"A", "Z"}); }), HasSubstr("no org \"Z\" in "));
  EXPECT_THAT(error_of([&] { state_mv(backend, "A", "B"); }),
              HasSubstr("org \"B\" is already in state"));
  EXPECT_EQ(state_text(), before);
  state_mv(backend, "A", "A1");
  state_rm(backend, {"B"});
  state::State st = read_state(backend);
  EXPECT_EQ(st.orgs.size(), 1u);
  EXPECT_EQ(st.orgs.count("A1"), 1u);
}

TEST_F(OpsTest, ALockHeldElsewhereIsWaitedForAndReported) {
  auto paths = config("organizations:\n  - {name: A}\n");
  std::unique_ptr<state::Backend> other = state::open_file_backend(backend.state_path);
  std::unique_ptr<state::Lock> held = other->lock("apply");
  BackendOptions b = backend;
  b.lock_timeout = std::chrono::milliseconds(200);
  int reports = 0;
  b.on_lock_wait = [&](const std::string& where, const state::LockInfo& holder,
                       std::chrono::milliseconds limit) {
    ++reports;
    EXPECT_EQ(where, backend.state_path);
    EXPECT_EQ(holder.operation, "apply");
    EXPECT_EQ(limit.count(), 200);
  };
  EXPECT_THAT(error_of([&] { state_rm(b, {"A"}); }), HasSubstr("is locked by"));
  EXPECT_GE(reports, 1);
}

}  // namespace
}  // namespace cforg::ops
