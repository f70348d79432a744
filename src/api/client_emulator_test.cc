// The real client (libcurl, budget, retries) against the real emulator over loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <set>
#include <sstream>
#include <thread>

#include "cforg/api/client.h"
#include "support/emulator.h"

namespace cforg::api {
namespace {

using namespace std::chrono_literals;
using cforg::testing::Emulator;
using ::testing::HasSubstr;

Credentials test_token() {
  return Credentials{cforg::testing::kTestToken, "", ""};
}
Credentials test_global_key() {
  return Credentials{"", cforg::testing::kTestEmail, cforg::testing::kTestKey};
}

struct ClientFor {
  // A client of `emu`; fast retries unless a test says otherwise.
  static std::unique_ptr<HttpClient> make(const Emulator& emu, Credentials creds,
                                          const std::string& budget = "0",
                                          std::chrono::milliseconds base_delay = 10ms) {
    ClientOptions opts;
    opts.base_url = emu.base_url();
    opts.rate_limit = RateLimit::parse(budget);
    opts.retry.base_delay = base_delay;
    opts.retry.max_delay = 200ms;
    opts.seed = 7;
    TransportOptions t;
    t.timeout = 10s;
    return std::make_unique<HttpClient>(make_curl_transport(std::move(creds), t), opts);
  }
};

std::uint64_t stat(const nlohmann::json& stats, const std::string& path) {
  auto p = nlohmann::json::json_pointer(path);
  return stats.contains(p) ? stats[p].get<std::uint64_t>() : 0;
}

Profile profile(const std::string& tag) {
  return Profile{"Biz " + tag, tag + "@example.com", "+1 555 0100", "1 Main St", "{\"k\":1}"};
}

void crud_round_trip(HttpClient& c) {
  auto root = c.create(OrgSpec{"Acme", "", profile("acme")});
  ASSERT_TRUE(root.ok()) << root.error().str();
  EXPECT_FALSE(root.value().id.empty());
  EXPECT_EQ(root.value().spec.parent_id, "");
  ASSERT_TRUE(root.value().spec.profile);
  EXPECT_EQ(*root.value().spec.profile, profile("acme"));
  const std::string id = root.value().id;

  auto child = c.create(OrgSpec{"Acme EU", id, std::nullopt});
  ASSERT_TRUE(child.ok()) << child.error().str();
  EXPECT_EQ(child.value().spec.parent_id, id);
  EXPECT_FALSE(child.value().spec.profile);

  auto got = c.get(child.value().id);
  ASSERT_TRUE(got.ok()) << got.error().str();
  EXPECT_EQ(got.value().spec, child.value().spec);
  EXPECT_EQ(got.value().parent_name, "Acme");

  auto updated = c.update(child.value().id, OrgSpec{"Acme Europe", id, profile("eu")});
  ASSERT_TRUE(updated.ok()) << updated.error().str();
  EXPECT_EQ(updated.value().spec.name, "Acme Europe");
  EXPECT_EQ(c.get(child.value().id).value().spec.profile, profile("eu"));

  ListQuery children;
  children.parent_id = id;
  auto listed = c.list(children);
  ASSERT_TRUE(listed.ok()) << listed.error().str();
  ASSERT_EQ(listed.value().size(), 1u);
  EXPECT_EQ(listed.value()[0].spec.name, "Acme Europe");

  ASSERT_TRUE(c.remove(child.value().id).ok());
  ASSERT_TRUE(c.remove(id).ok());
  auto gone = c.get(id);
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(gone.error().not_found()) << gone.error().str();
}

TEST(ClientEmulator, CrudRoundTripWithToken) {
  Emulator emu;
  crud_round_trip(*ClientFor::make(emu, test_token()));
}

TEST(ClientEmulator, CrudRoundTripWithGlobalKey) {
  Emulator emu;
  crud_round_trip(*ClientFor::make(emu, test_global_key()));
}

TEST(ClientEmulator, WrongTokenIs403WithCloudflareCode) {
  Emulator emu;
  auto c = ClientFor::make(emu, Credentials{"not-the-token", "", ""});
  auto r = c->list({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().status, 403);
  ASSERT_FALSE(r.error().errors.empty());
  EXPECT_EQ(r.error().errors[0].code, 10000);
  EXPECT_THAT(r.error().str(), HasSubstr("HTTP 403, Cloudflare error 10000"));
  EXPECT_EQ(stat(emu.stats(), "/requests_total"), 1u);  // an answer: not retried
}

TEST(ClientEmulator, BadParentIs400WithCode) {
  Emulator emu;
  auto c = ClientFor::make(emu, test_token());
  auto r = c->create(OrgSpec{"Orphan", "ffffffffffffffffffffffffffffffff", std::nullopt});
  ASSERT_FALSE(r.ok());
  const ApiError& e = r.error();
  EXPECT_EQ(e.status, 400);
  ASSERT_FALSE(e.errors.empty());
  EXPECT_NE(e.errors[0].code, 0);
  EXPECT_FALSE(e.errors[0].message.empty());
  EXPECT_FALSE(e.outcome_unknown);
  EXPECT_THAT(e.str(), HasSubstr("POST /organizations: HTTP 400, Cloudflare error "));
}

TEST(ClientEmulator, MissingOrganizationIs404) {
  Emulator emu;
  auto c = ClientFor::make(emu, test_token());
  const std::string missing = "0123456789abcdef0123456789abcdef";
  auto g = c->get(missing);
  ASSERT_FALSE(g.ok());
  EXPECT_TRUE(g.error().not_found()) << g.error().str();
  EXPECT_FALSE(g.error().errors.empty());
  auto d = c->remove(missing);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(d.error().not_found()) << d.error().str();
  EXPECT_FALSE(d.error().outcome_unknown);
  auto u = c->update(missing, OrgSpec{"x", "", std::nullopt});
  EXPECT_TRUE(!u.ok() && u.error().not_found());
}

void list_across_pages(const std::vector<std::string>& emulator_args) {
  Emulator emu(emulator_args);
  auto c = ClientFor::make(emu, test_token());
  auto parent = c->create(OrgSpec{"Parent", "", std::nullopt});
  ASSERT_TRUE(parent.ok()) << parent.error().str();
  std::set<std::string> want;
  std::vector<std::string> ids;
  for (int i = 0; i < 23; ++i) {
    std::string name = "team-" + std::to_string(i) + (i % 2 ? "-odd" : "-even");
    auto o = c->create(OrgSpec{name, parent.value().id, std::nullopt});
    ASSERT_TRUE(o.ok()) << o.error().str();
    want.insert(o.value().id);
    ids.push_back(o.value().id);
  }
  ASSERT_TRUE(c->create(OrgSpec{"Other root", "", std::nullopt}).ok());

  auto gets_before = stat(emu.stats(), "/requests_by_method/GET");
  ListQuery q;
  q.parent_id = parent.value().id;
  q.page_size = 4;
  auto all = c->list(q);
  ASSERT_TRUE(all.ok()) << all.error().str();
  std::set<std::string> got;
  for (const auto& o : all.value()) got.insert(o.id);
  EXPECT_EQ(got, want);
  EXPECT_EQ(all.value().size(), 23u);                                         // no page read twice
  EXPECT_GE(stat(emu.stats(), "/requests_by_method/GET") - gets_before, 6u);  // 23 / 4 pages

  q.name_contains = "ODD";  // case-insensitive
  auto odd = c->list(q);
  ASSERT_TRUE(odd.ok()) << odd.error().str();
  EXPECT_EQ(odd.value().size(), 11u);
  for (const auto& o : odd.value()) EXPECT_THAT(o.spec.name, HasSubstr("-odd"));

  ListQuery roots;
  roots.parent_id = "";
  roots.page_size = 1;
  auto r = c->list(roots);
  ASSERT_TRUE(r.ok()) << r.error().str();
  EXPECT_EQ(r.value().size(), 2u);

  ListQuery by_id;
  by_id.ids = {ids[0], ids[5], ids[7]};
  by_id.page_size = 2;
  auto picked = c->list(by_id);
  ASSERT_TRUE(picked.ok()) << picked.error().str();
  EXPECT_EQ(picked.value().size(), 3u);
}

TEST(ClientEmulator, ListAcrossPagesWithCursor) {
  list_across_pages({});
}

TEST(ClientEmulator, ListAcrossPagesWithNextPageToken) {
  list_across_pages({"--pagination", "next_page_token"});
}

// 60 GETs from 8 threads, server and client both at 20 per 2 s.
struct Burst {
  std::chrono::milliseconds elapsed;
  int failed = 0;
};

Burst burst(HttpClient& c, int threads, int total) {
  std::atomic<int> next{0}, failed{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (next++ < total) {
        auto r = c.list({});
        if (!r.ok()) {
          ++failed;
          ADD_FAILURE() << r.error().str();
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return {std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start),
          failed.load()};
}

void budget_equal_to_the_servers(const std::vector<std::string>& extra_args,
                                 const std::string& what) {
  std::vector<std::string> args = {"--rate-limit", "20/2"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Emulator emu(args);
  auto c = ClientFor::make(emu, test_token(), "20/2");
  Burst b = burst(*c, 8, 60);
  auto stats = emu.stats();
  std::cout << "[ measured ] 60 GETs, 8 threads, 20/2 s" << what << ": " << b.elapsed.count()
            << " ms, " << stat(stats, "/rate_limited") << " x 429\n";
  EXPECT_EQ(b.failed, 0);
  EXPECT_EQ(stat(stats, "/rate_limited"), 0u);
  EXPECT_EQ(stat(stats, "/requests_total"), 60u);
  EXPECT_EQ(c->stats().rate_limited, 0u);
  EXPECT_EQ(c->stats().retries, 0u);
  // Three windows' worth: the last 20 go out after two full windows (plus latencies).
  EXPECT_GE(b.elapsed, 3900ms);
  EXPECT_LE(b.elapsed, 6000ms);
}

TEST(ClientEmulator, BudgetEqualToTheServersNeverGets429) {
  budget_equal_to_the_servers({}, "");
}

// The server counts a request when it arrives, some time between our send and its response:
// slots freed a window after the response keep that safe whatever the latency.
TEST(ClientEmulator, BudgetEqualToTheServersNeverGets429WithLatency) {
  budget_equal_to_the_servers({"--latency-ms", "50", "--jitter-ms", "40", "--seed", "7"},
                              ", latency 50±40 ms");
}

TEST(ClientEmulator, BudgetAboveTheServersGets429sAndRecovers) {
  Emulator emu({"--rate-limit", "20/2"});
  auto c = ClientFor::make(emu, test_token(), "40/2");
  Burst b = burst(*c, 8, 60);
  auto stats = emu.stats();
  std::cout << "[ measured ] 60 GETs, 8 threads, client 40/2 s vs server 20/2 s: "
            << b.elapsed.count() << " ms, " << stat(stats, "/rate_limited") << " x 429, "
            << c->stats().retries << " retries\n";
  EXPECT_EQ(b.failed, 0);
  EXPECT_GT(stat(stats, "/rate_limited"), 0u);
  EXPECT_EQ(c->stats().rate_limited, stat(stats, "/rate_limited"));
  EXPECT_EQ(stat(stats, "/responses_by_status/200"), 60u);
}

TEST(ClientEmulator, FlakyServerGetsSucceedThroughRetries) {
  Emulator emu({"--fail-rate", "0.3", "--seed", "7"});
  auto c = ClientFor::make(emu, test_token());
  auto org = c->create(OrgSpec{"Flaky", "", std::nullopt});
  for (int i = 0; !org.ok() && i < 20; ++i) {  // a 5xx POST is not retried by the client
    ASSERT_FALSE(org.error().outcome_unknown && org.error().status != 500 &&
                 org.error().status != 503);
    org = c->create(OrgSpec{"Flaky", "", std::nullopt});  // injected 500/503 did nothing
  }
  ASSERT_TRUE(org.ok());
  int ok = 0;
  for (int i = 0; i < 40; ++i) ok += c->get(org.value().id).ok();
  ok += burst(*c, 4, 40).failed == 0 ? 40 : 0;
  EXPECT_EQ(ok, 80);
  auto stats = emu.stats();
  EXPECT_GT(stat(stats, "/faults/failed"), 0u);
  EXPECT_GT(c->stats().retries, 0u);
}

TEST(ClientEmulator, AmbiguousPostsAreNeverRepeated) {
  Emulator emu({"--ambiguous-rate", "0.3", "--seed", "7"});
  auto c = ClientFor::make(emu, test_token());
  int created = 0, unknown = 0;
  constexpr int kCreates = 30;
  for (int i = 0; i < kCreates; ++i) {
    auto r = c->create(OrgSpec{"amb-" + std::to_string(i), "", std::nullopt});
    if (r.ok()) {
      ++created;
    } else {
      EXPECT_TRUE(r.error().outcome_unknown) << r.error().str();
      ++unknown;
    }
  }
  auto stats = emu.stats();
  EXPECT_GT(unknown, 0);
  EXPECT_EQ(stat(stats, "/requests_by_method/POST"), static_cast<std::uint64_t>(kCreates));
  // Ambiguous answers were committed: every create happened exactly once.
  EXPECT_EQ(stat(stats, "/organizations"), static_cast<std::uint64_t>(kCreates));
  // Idempotent calls go through the same faults to success.
  auto all = c->list({});
  ASSERT_TRUE(all.ok()) << all.error().str();
  for (const auto& o : all.value()) {
    auto u = c->update(o.id, OrgSpec{o.spec.name + "-x", "", std::nullopt});
    EXPECT_TRUE(u.ok()) << u.error().str();
  }
}

TEST(ClientEmulator, TokenNeverReachesTheLogs) {
  Emulator emu({"--fail-rate", "0.2", "--rate-limit", "5/1", "--seed", "3"});
  std::ostringstream out;
  auto saved = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  {
    auto c = ClientFor::make(emu, test_token(), "10/1");  // above the server's: 429s too
    crud_round_trip(*c);
    auto bad = ClientFor::make(emu, Credentials{"wrong-token-xyz", "", ""});
    out << bad->list({}).error().str() << "\n";
  }
  spdlog::set_default_logger(saved);
  std::string log = out.str();
  EXPECT_THAT(log, HasSubstr("POST http://127.0.0.1:"));
  EXPECT_THAT(log, HasSubstr("Cloudflare error 10000"));
  EXPECT_THAT(log, ::testing::Not(HasSubstr(cforg::testing::kTestToken)));
  EXPECT_THAT(log, ::testing::Not(HasSubstr("wrong-token-xyz")));
}

}  // namespace
}  // namespace cforg::api
