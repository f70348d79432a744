#include "boundary.h"
#include "cforg/ops/operations.h"
#include "session.h"

namespace cforg::ops {
namespace {

ExportResult run_export(const ExportRequest& r,
                        const std::function<void(const ExportResult&)>& written) {
  if (!r.what.parent_id.empty()) {
    if (std::string problem = org_id_problem(r.what.parent_id); !problem.empty()) {
      throw Error("--parent \"" + r.what.parent_id + "\" is not an organization id: it " + problem);
    }
  }
  bool to_stdout = r.out.empty() || r.out == "-";
  if (r.import && to_stdout) {
    throw Error(
        "--import needs -o FILE or -o DIR: the state would track orgs that no config file "
        "declares, and the next plan would delete them");
  }
  plan::check_export_target(r.out, r.force);
  // Locked before reading, so that a held lock fails before a long read, not after it.
  std::optional<Locked> s;
  if (r.import) s = open_locked(r.backend, "export");
  std::unique_ptr<api::HttpClient> client = make_client(r.net);
  plan::ExportOptions what = r.what;
  what.parallelism = r.net.parallelism;
  ExportResult out;
  {
    // `read` also when the reads throw: the caller's progress line reads the client's
    // counters and must stop before the client is destroyed.
    ScopeExit read_done(r.read);
    if (r.starting) r.starting(*client);
    out.exported = plan::export_orgs(*client, what);
  }
  if (s) plan::record_in_state(out.exported, s->state);  // refuses before anything is written
  out.files = plan::write_export(out.exported, to_stdout ? "-" : r.out, r.force);
  out.requests = client->stats().requests.load();
  if (written) written(out);
  if (s) {
    s->tx->commit(s->state);
    out.serial = s->state.serial;
  }
  return out;
}

}  // namespace

ExportResult export_estate(const ExportRequest& r,
                           const std::function<void(const ExportResult&)>& written) {
  return translating_stage_errors([&] { return run_export(r, written); });
}

}  // namespace cforg::ops
