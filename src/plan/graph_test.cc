#include "cforg/plan/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/ids.h"

namespace cforg::plan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

config::Config config_of(const std::string& yaml) {
  config::LoadResult r = config::load_text(yaml, "c.yaml");
  EXPECT_TRUE(r.ok()) << r.errors.front().str();
  return r.config;
}

state::OrgState tracked(const std::string& id, const std::string& name,
                        const std::string& parent_id = "", const std::string& parent_key = "") {
  state::OrgState o;
  o.id = id;
  o.spec.name = name;
  o.spec.parent = ParentRef::from_api_id(parent_id);
  o.parent_key = parent_key;
  return o;
}

TEST(Graph, MarksWhatExistsWhatIsOnlyConfiguredAndWhatOnlyStateHolds) {
  config::Config cfg = config_of(
      "organizations:\n"
      "  - {name: Acme, key: acme}\n"
      "  - {name: New \"Team\" <b>, key: new, parent: acme}\n"
      "  - {name: Partner, key: partner, parent: {id: " +
      testing::org_id(99) + "}}\n");
  state::State st;
  st.orgs["acme"] = tracked(testing::org_id(1), "Acme");
  st.orgs["old"] = tracked(testing::org_id(2), "Old", testing::org_id(1), "acme");
  std::string m = render_graph(cfg, st, GraphFormat::mermaid);
  EXPECT_EQ(m.rfind("flowchart TD\n", 0), 0u);
  // Nodes by key order: acme, new, old, partner; then the outside parent.
  EXPECT_THAT(m, HasSubstr("  o0[\"Acme<br/>acme\"]:::managed\n"));
  EXPECT_THAT(m, HasSubstr("  o1[\"+ New #quot;Team#quot; #lt;b#gt;<br/>new\"]:::create\n"));
  EXPECT_THAT(m, HasSubstr("  o2[\"- Old<br/>old\"]:::delete\n"));
  EXPECT_THAT(m, HasSubstr("  x0([\"" + testing::org_id(99) +
                           "<br/>(outside the config)\"]):::external\n"));
  EXPECT_THAT(m, HasSubstr("  o0 --> o1\n  o0 --> o2\n"));
  EXPECT_THAT(m, HasSubstr("  x0 --> o3\n"));
  EXPECT_THAT(m, HasSubstr("classDef create"));

  std::string d = render_graph(cfg, st, GraphFormat::dot);
  EXPECT_EQ(d.rfind("digraph cforg {\n", 0), 0u);
  EXPECT_THAT(d, HasSubstr("  o1 [label=\"+ New \\\"Team\\\" <b>\\nnew\", fillcolor=\"#ddf4dd\""));
  EXPECT_THAT(d, HasSubstr("  o0 -> o1;\n"));
  EXPECT_EQ(d.back(), '\n');
}

TEST(ChangeTree, MarksEachChangedOrgUnderItsParent) {
  Plan p;
  Action create;
  create.kind = ActionKind::create;
  create.key = "web";
  create.after = OrgSpec{"Web", ParentRef::key("retail"), std::nullopt};
  Action update;
  update.kind = ActionKind::update;
  update.key = "retail";
  update.after = OrgSpec{"Retail", ParentRef::key("acme"), std::nullopt};
  Action remove;
  remove.kind = ActionKind::remove;
  remove.key = "labs";
  remove.before = tracked(testing::org_id(5), "Labs", testing::org_id(1), "acme");
  Action gone = remove, again = create;
  gone.key = again.key = "moved";
  gone.replace = again.replace = true;
  again.after = OrgSpec{"Moved", ParentRef::id(testing::org_id(7)), std::nullopt};
  p.actions = {update, create, again, remove, gone};
  std::string md = change_tree_markdown(p);
  EXPECT_THAT(md, HasSubstr("<details open><summary>The 4 organizations that change"));
  EXPECT_THAT(md, HasSubstr("```mermaid\nflowchart TD\n"));
  EXPECT_THAT(md, HasSubstr("[\"- Labs<br/>labs\"]:::delete"));
  EXPECT_THAT(md, HasSubstr("[\"-/+ Moved<br/>moved\"]:::replace"));
  EXPECT_THAT(md, HasSubstr("[\"~ Retail<br/>retail\"]:::update"));
  EXPECT_THAT(md, HasSubstr("[\"+ Web<br/>web\"]:::create"));
  // acme does not change: drawn plain, as the parent the changes hang from.
  EXPECT_THAT(md, HasSubstr("c0([\"acme\"]):::context"));
  EXPECT_THAT(md, HasSubstr("```\n\n</details>\n"));
  EXPECT_EQ(change_tree_markdown(Plan{}), "");
  // Big plans are cut, and say so.
  std::string cut = change_tree_markdown(p, 2);
  EXPECT_THAT(cut, HasSubstr("2 more not drawn"));
  EXPECT_THAT(cut, Not(HasSubstr("Web")));
}

}  // namespace
}  // namespace cforg::plan
