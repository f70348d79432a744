#include "cforg/plan/refresh.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "plan_test_support.h"
#include "stub_client.h"
#include "support/ids.h"

namespace cforg::plan {
namespace {

using fixtures::id;
using fixtures::load;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Serves list() from a fixed set of orgs, in pages, and records every query.
class ListingClient : public testing_support::StubClient {
 public:
  api::Result<std::optional<Profile>> get_profile(const std::string& id) override {
    std::lock_guard lock(mu);
    ++requests;
    profile_reads.push_back(id);
    for (const Organization& o : orgs) {
      if (o.id == id) return o.spec.profile;
    }
    return api::ApiError{};
  }
  api::Result<std::vector<Organization>> list(const api::ListQuery& q) override {
    std::vector<Organization> out;
    for (const Organization& o : orgs) {
      if (!q.ids.empty() && std::find(q.ids.begin(), q.ids.end(), o.id) == q.ids.end()) continue;
      if (q.parent_id && o.spec.parent.api_id() != *q.parent_id) continue;
      if (q.name && o.spec.name != *q.name) continue;
      out.push_back(o);
      if (!list_carries_profiles) {
        out.back().spec.profile.reset();
        out.back().profile_known = false;
      }
    }
    std::lock_guard lock(mu);
    queries.push_back(q);
    // Each page of the client's paging costs one request.
    requests += out.empty() ? 1 : (out.size() + kPageSize - 1) / kPageSize;
    return out;
  }

  std::vector<Organization> orgs;
  std::mutex mu;
  std::vector<api::ListQuery> queries;
  std::size_t requests = 0;
  std::vector<std::string> profile_reads;
  bool list_carries_profiles = true;
  static constexpr std::size_t kPageSize = 100;
};

Organization org(int n, const std::string& name, int parent = 0) {
  Organization o;
  o.id = id(n);
  o.spec.name = name;
  if (parent) o.spec.parent = ParentRef::from_api_id(id(parent));
  return o;
}

// `parents` tracked roots, each with `children` tracked children; plus `fresh` new children
// per root in the config only.
struct Estate {
  config::Config cfg;
  state::State st;
  ListingClient client;
};

void build(Estate& e, int parents, int children, int fresh, int fresh_parents = -1) {
  if (fresh_parents < 0) fresh_parents = parents;
  std::string yaml = "organizations:\n";
  int n = 1;
  for (int p = 0; p < parents; ++p) {
    int pid = n++;
    std::string pkey = "p" + std::to_string(p);
    yaml += "  - {name: " + pkey + "}\n";
    e.client.orgs.push_back(org(pid, pkey));
    e.st.orgs[pkey] = state::from_remote(e.client.orgs.back());
    for (int c = 0; c < children; ++c) {
      std::string ckey = pkey + "-c" + std::to_string(c);
      yaml += "  - {name: " + ckey + ", parent: " + pkey + "}\n";
      e.client.orgs.push_back(org(n++, ckey, pid));
      e.st.orgs[ckey] = state::from_remote(e.client.orgs.back());
    }
    for (int f = 0; p < fresh_parents && f < fresh; ++f) {
      yaml += "  - {name: " + pkey + "-new" + std::to_string(f) + ", parent: " + pkey + "}\n";
    }
  }
  e.cfg = load(yaml);
}

TEST(ReadRemote, TrackedOrgsAreReadByIdInPages) {
  Estate e;
  build(e, 10, 49, 0);  // 500 tracked orgs
  auto remote = read_remote(e.cfg, e.st, e.client);
  ASSERT_TRUE(remote);
  EXPECT_EQ(e.client.requests, 5u);
  EXPECT_EQ(remote.value().orgs.size(), 500u);
  EXPECT_EQ(remote.value().checked.size(), 500u);
  EXPECT_THAT(remote.value().searched, IsEmpty());
}

TEST(ReadRemote, AFewNewOrgsAreLookedUpByNameAndParent) {
  Estate e;
  build(e, 10, 49, 1, /*fresh_parents=*/2);         // 500 tracked, 2 new under 2 parents
  e.client.orgs.push_back(org(999, "p0-new0", 1));  // it exists already, untracked
  auto remote = read_remote(e.cfg, e.st, e.client);
  ASSERT_TRUE(remote);
  EXPECT_EQ(e.client.requests, 5u + 2u);  // 5 pages by id, 2 lookups by name
  std::set<std::string> names;
  for (const api::ListQuery& q : e.client.queries) names.insert(q.name.value_or(""));
  EXPECT_TRUE(names.count("p0-new0"));
  EXPECT_TRUE(names.count("p1-new0"));
  EXPECT_TRUE(remote.value().orgs.count(id(999)));
  EXPECT_TRUE(remote.value().searched.count({id(1), "p0-new0"}));

  Estate small;  // with 8 tracked orgs, one page of everything is cheaper than 2 lookups
  build(small, 2, 3, 1);
  ASSERT_TRUE(read_remote(small.cfg, small.st, small.client));
  EXPECT_EQ(small.client.requests, 2u);
}

TEST(ReadRemote, ManyScatteredNewOrgsReadEverythingOnceInstead) {
  Estate e;
  build(e, 300, 2, 1);  // 900 tracked, 300 new ones under 300 different parents
  auto remote = read_remote(e.cfg, e.st, e.client);
  ASSERT_TRUE(remote);
  // 9 pages by id + 13 pages of everything, instead of 300 lookups by name.
  EXPECT_LE(e.client.requests, 9u + 13u);
  EXPECT_EQ(remote.value().searched.size(), 300u);
}

TEST(ReadRemote, ChildrenOfAFoundOrgAreLookedForToo) {
  Estate e;
  e.cfg = load("organizations:\n  - {name: Root}\n  - {name: Kid, parent: Root}\n");
  e.client.orgs = {org(1, "Root"), org(2, "Kid", 1)};  // a lost state: both exist
  auto remote = read_remote(e.cfg, e.st, e.client);
  ASSERT_TRUE(remote);
  EXPECT_TRUE(remote.value().searched.count({"", "Root"}));
  EXPECT_TRUE(remote.value().searched.count({id(1), "Kid"}));
  EXPECT_EQ(remote.value().orgs.size(), 2u);
  Plan p = make_plan(e.cfg, e.st, &remote.value(), {.adopt = true, .replace = {}});
  ASSERT_EQ(p.actions.size(), 2u);
  EXPECT_EQ(p.actions[1].id, id(2));
  EXPECT_THAT(p.actions[1].depends_on, ElementsAre("Root"));
}

TEST(ReadRemote, AnExternalParentNothingShowedIsAskedForByIdAndAnAbsentOneIsAnError) {
  Estate e;
  e.cfg = load(
      "organizations:\n"
      "  - {name: Known, parent: {id: " +
      id(1) +
      "}}\n"  // the parent of a tracked org
      "  - {name: Far, parent: {id: " +
      id(7) +
      "}}\n"  // exists, nothing read shows it
      "  - {name: Typo, parent: {id: " +
      id(8) +
      "}}\n"  // exists nowhere
      "  - {name: Also, parent: {id: " +
      id(8) + "}}\n");
  e.client.orgs = {org(1, "Outside"), org(2, "Known", 1), org(7, "Elsewhere")};
  e.st.orgs["Known"] = state::from_remote(e.client.orgs[1]);
  auto remote = read_remote(e.cfg, e.st, e.client);
  ASSERT_TRUE(remote);
  // Reading everything once (a small estate) showed id(7); id(8) is asked for by id, once.
  std::vector<std::vector<std::string>> by_id;
  for (const api::ListQuery& q : e.client.queries) {
    if (!q.ids.empty()) by_id.push_back(q.ids);
  }
  EXPECT_THAT(by_id, ElementsAre(ElementsAre(id(2)), ElementsAre(id(8))));
  EXPECT_TRUE(remote.value().orgs.count(id(7)));
  EXPECT_THAT(remote.value().absent_parents, ElementsAre(id(8)));

  Plan p = make_plan(e.cfg, e.st, &remote.value(), {});
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].key, "Typo");
  EXPECT_EQ(p.errors[0].where, "test.yaml:4:31");
  EXPECT_THAT(p.errors[0].message,
              ::testing::HasSubstr("its parent id " + id(8) + " names no organization"));
  EXPECT_EQ(p.errors[1].key, "Also");
}

TEST(ReadRemote, ExternalParentsAlreadySeenCostNoRequest) {
  Estate e;
  e.cfg = load("organizations:\n  - {name: Known, parent: {id: " + id(1) + "}}\n");
  e.client.orgs = {org(1, "Outside"), org(2, "Known", 1)};
  e.st.orgs["Known"] = state::from_remote(e.client.orgs[1]);
  auto remote = read_remote(e.cfg, e.st, e.client);
  ASSERT_TRUE(remote);
  EXPECT_EQ(e.client.requests, 1u);
  EXPECT_THAT(remote.value().absent_parents, IsEmpty());
  EXPECT_THAT(make_plan(e.cfg, e.st, &remote.value(), {}).errors, IsEmpty());
}

}  // namespace
}  // namespace cforg::plan
