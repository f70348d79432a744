// The controller's parts: durations, the source (a folder, a git repository), the metrics and
// the transport that counts into them, the status /readyz and /status answer from.
#include "cforg/controller/controller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "metrics.h"
#include "source.h"
#include "status.h"

namespace cforg::controller {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Duration, ReadsUnitsAndTheirSums) {
  EXPECT_EQ(parse_duration("30s"), milliseconds(30000));
  EXPECT_EQ(parse_duration("5m"), milliseconds(300000));
  EXPECT_EQ(parse_duration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(parse_duration("500ms"), milliseconds(500));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1500));
  for (const char* bad : {"", "5", "m", "5x", "-1s", "s5", "1h 2m", "200h"}) {
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
  }
  try {
    parse_duration("5 minutes");
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("expected a duration such as 30s, 5m"));
  }
}

TEST(Source, UrlCredentialsAreNeverShown) {
  EXPECT_EQ(url_without_credentials("https://bot:ghp_secret@github.com/acme/estate.git"),
            "https://github.com/acme/estate.git");
  EXPECT_EQ(url_without_credentials("https://github.com/acme/estate.git"),
            "https://github.com/acme/estate.git");
  EXPECT_EQ(url_without_credentials("file:///srv/git/estate.git"), "file:///srv/git/estate.git");
  EXPECT_EQ(url_without_credentials("git@github.com:acme/estate.git"),
            "git@github.com:acme/estate.git");
}

class TempFolder {
 public:
  TempFolder() {
    std::string t = (std::filesystem::temp_directory_path() / "cforg-ctl-XXXXXX").string();
    path_ = ::mkdtemp(t.data());
  }
  ~TempFolder() { std::filesystem::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

int sh(const std::string& command) {
  return std::system(command.c_str());
}

TEST(Source, AFolderIsWhatItHoldsAndAMissingOneIsAnError) {
  TempFolder dir;
  EXPECT_EQ(folder_source(dir / "")->fetch().commit, "");
  try {
    folder_source(dir / "missing")->fetch();
    ADD_FAILURE() << "fetched a folder that does not exist";
  } catch (const SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("missing: no such folder"));
  }
}

// A repository cloned on the first fetch, fetched on the next: each gives the branch's head.
TEST(Source, GitFetchFollowsTheBranchHead) {
  if (sh("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no git";
  TempFolder dir;
  const std::string bare = dir / "estate.git", work = dir / "work";
  const std::string git = "git -c user.name=t -c user.email=t@example.com -C " + work;
  ASSERT_EQ(
      sh("git init -q --bare -b main " + bare + " && git clone -q " + bare + " " + work +
         " 2>/dev/null && echo 'organizations: []' >" + work + "/cforg.yaml && " + git +
         " add cforg.yaml && " + git + " commit -qm one && " + git + " push -q origin HEAD:main"),
      0);
  auto head = [&] {
    std::string out = dir / "head";
    EXPECT_EQ(sh(git + " rev-parse HEAD >" + out), 0);
    std::ifstream in(out);
    std::string sha;
    in >> sha;
    return sha;
  };
  std::unique_ptr<Source> source = git_source("file://" + bare, "main", dir / "checkout");
  Revision first = source->fetch();
  EXPECT_EQ(first.commit, head());
  EXPECT_TRUE(std::filesystem::exists(first.root + "/cforg.yaml"));
  ASSERT_EQ(sh("echo '# two' >>" + work + "/cforg.yaml && " + git + " commit -qam two && " + git +
               " push -q origin HEAD:main"),
            0);
  Revision second = source->fetch();
  EXPECT_EQ(second.commit, head());
  EXPECT_NE(second.commit, first.commit);
  std::ifstream yaml(second.root + "/cforg.yaml");
  std::string text((std::istreambuf_iterator<char>(yaml)), {});
  EXPECT_THAT(text, HasSubstr("# two"));
}

TEST(Source, AFailedFetchSaysWhyWithoutTheUrlsCredentials) {
  if (sh("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no git";
  TempFolder dir;
  std::unique_ptr<Source> source =
      git_source("http://bot:s3cret-token@127.0.0.1:1/estate.git", "main", dir / "checkout");
  try {
    source->fetch();
    ADD_FAILURE() << "fetched from a port nobody listens on";
  } catch (const SourceError& e) {
    EXPECT_THAT(e.what(), HasSubstr("cloning http://127.0.0.1:1/estate.git (branch main) failed"));
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
  }
}

class ScriptedTransport final : public api::Transport {
 public:
  api::HttpResponse send(const api::HttpRequest&) override {
    api::HttpResponse r;
    if (fail) {
      r.failure = api::HttpResponse::Failure::timeout;
      return r;
    }
    r.status = 429;
    r.rate_limit.remaining = 7;
    return r;
  }
  bool fail = false;
};

TEST(Metrics, EveryExchangeIsCountedByMethodAndStatus) {
  auto metrics = std::make_shared<Metrics>();
  auto inner = std::make_unique<ScriptedTransport>();
  ScriptedTransport* script = inner.get();
  std::unique_ptr<api::Transport> t = counted_transport(std::move(inner), metrics);
  t->send({"GET", "http://127.0.0.1/x", "", false});
  t->send({"GET", "http://127.0.0.1/x", "", false});
  script->fail = true;
  t->send({"POST", "http://127.0.0.1/x", "{}", false});
  metrics->cycle("applied", 0.3);
  metrics->leader(true);
  std::string text = metrics->text();
  EXPECT_THAT(text, HasSubstr("cforg_api_requests_total{method=\"GET\",status=\"429\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("cforg_api_requests_total{method=\"POST\",status=\"none\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cforg_ratelimit_remaining 7\n"));
  EXPECT_THAT(text, HasSubstr("cforg_reconcile_total{result=\"applied\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cforg_reconcile_total{result=\"failed\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("cforg_reconcile_total{result=\"stopped\"} 0\n"));
  EXPECT_TRUE(ended_well("pending"));
  EXPECT_FALSE(ended_well("stopped"));
  EXPECT_THAT(text, HasSubstr("cforg_reconcile_duration_seconds_bucket{le=\"0.5\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("cforg_leader 1\n"));
  EXPECT_EQ(metrics->requests_sent(), 3u);
}

TEST(Status, ALeaderIsReadyAfterItsFirstCycleAStandbyOnceTheBackendAnswered) {
  Status s;
  EXPECT_FALSE(s.ready());
  s.set_backend_answered(true);
  EXPECT_TRUE(s.ready()) << "a standby whose backend answers is ready";
  s.set_role(true);
  EXPECT_FALSE(s.ready()) << "a leader before its first cycle";
  CycleReport r;
  r.result = "config_error";
  r.error = "cforg.yaml:3:5: unknown key";
  s.cycle_done(r);
  EXPECT_TRUE(s.ready());
  nlohmann::json j = s.to_json();
  EXPECT_EQ(j["role"], "leader");
  EXPECT_EQ(j["last_cycle"]["error"], "cforg.yaml:3:5: unknown key");
  EXPECT_TRUE(j["last_good_cycle"].is_null()) << "a config error is not a good cycle";
  r.result = "applied";
  r.error.clear();
  s.cycle_done(r);
  s.set_backend_answered(false);
  EXPECT_FALSE(s.ready()) << "the backend stopped answering";
  EXPECT_EQ(s.to_json()["last_good_cycle"]["result"], "applied");
  EXPECT_EQ(s.to_json()["cycles"], 2);
}

}  // namespace
}  // namespace cforg::controller
