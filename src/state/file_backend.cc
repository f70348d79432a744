#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "cforg/state/backend.h"
#include "cforg/state/file_write.h"
#include "file_journal.h"
#include "file_lock.h"
#include "journal_reader.h"
#include "json_text.h"
#include "posix_file.h"

namespace cforg::state {
namespace {

// The state's files and what is done to them; shared by the backend and its transactions, so
// that a transaction may outlive the backend object it was opened from.
class FileStore {
 public:
  FileStore(std::string given, bool create_folder)
      : given_(std::move(given)),
        create_folder_(create_folder),
        path_(resolve_symlinks(given_)),
        dir_(dir_of(path_)),
        lock_path_(path_ + ".lock"),
        backup_path_(path_ + ".backup"),
        journal_path_(path_ + ".journal") {}

  const std::string& path() const { return given_; }

  std::unique_ptr<Lock> lock(std::string_view operation) {
    ensure_folder();
    return acquire_file_lock(lock_path_, path_, operation);
  }
  std::unique_ptr<Lease> try_lead() {
    ensure_folder();
    return try_file_lease(path_ + ".leader");
  }

  Snapshot load() {
    require_folder();
    State s;  // a missing state: no lineage, serial 0
    if (std::optional<std::string> text = read_file(path_)) {
      s = state_from_text(*text, path_);
    } else if (::access(backup_path_.c_str(), F_OK) == 0) {
      spdlog::warn(
          "{} does not exist but {} does. If the state was removed by mistake, put the "
          "backup back first: cforg would create its organizations again.",
          path_, backup_path_);
    }
    std::size_t folded = fold_journal(s);
    return Snapshot{std::move(s), folded};
  }

  // commit(): save(s, true, s, ...); replace(): save(s, false, base, ...). The file must still
  // be the one `loaded` (its lineage and serial) came from. `journal`, when open, is retired.
  void save(State& s, bool bump, const State& loaded, FileJournal* journal) {
    ensure_folder();
    std::optional<std::string> current = read_file(path_);
    check_current(loaded, current);

    const std::uint64_t old_serial = s.serial;
    const std::string old_lineage = s.lineage;
    if (bump) s.serial = next_serial(s, path_);
    if (s.lineage.empty()) s.lineage = new_uuid();
    s.relink_parents();
    try {
      // Never write what load() would refuse: that would strand every org in the file.
      validate(s, path_);
      std::string text = state_to_text(s);
      // The journal is removed below: from now on an append to it would be lost, so it throws.
      if (journal) journal->retire();
      write_state(text);
    } catch (const StateError& e) {
      s.serial = old_serial;
      s.lineage = old_lineage;
      throw StateError("cannot save the state to " + path_ + ": " + e.what());
    }

    // The new state holds the journal's records and is durable: the journal can go. A failure
    // here loses nothing: a journal older than the state is recognised as such and ignored.
    try {
      remove_file(journal_path_);
      sync_dir(dir_);
    } catch (const StateError& e) {
      spdlog::warn("saved {}, but could not remove its journal: {}", path_, e.what());
    }
    remove_leftover_temp_files();
  }

  std::shared_ptr<FileJournal> open_journal(const State& base) {
    ensure_folder();
    std::shared_ptr<FileJournal> journal;
    if (std::optional<std::string> text = read_file(journal_path_)) {
      JournalContents contents = parse_journal(*text, journal_path_);
      // classify() throws for a journal that is neither this state's nor stale: its records
      // may be missing from every state file, so it must not be replaced.
      if (!contents.empty &&
          classify(contents.header, base, journal_path_, path_) == JournalFit::fold) {
        // Left by an interrupted run and folded into `base` by load(): keep appending, so that
        // its records stay on disk until a save holds them.
        journal = FileJournal::append_to(journal_path_, contents);
      }
    }
    if (!journal) journal = FileJournal::create(journal_path_, {base.lineage, base.serial});
    return journal;
  }

  void force_unlock(std::string_view lock_id) { force_unlock_file(lock_path_, path_, lock_id); }

 private:
  // The default folder is created on first use; any other must exist. Terraform creates
  // nothing for an explicit path either: a typo in --state would otherwise plan from an empty
  // state, as if the whole estate were new.
  void ensure_folder() const {
    if (create_folder_) {
      make_dirs(dir_);
    } else {
      require_folder();
    }
  }
  void require_folder() const {
    if (create_folder_) return;  // load() of the default: a missing folder is an empty state
    std::error_code ec;
    if (std::filesystem::is_directory(dir_, ec)) return;
    bool exists = std::filesystem::exists(dir_, ec);
    throw StateError("the folder " + dir_ + " of the state file " + given_ +
                     (exists ? " is not a folder" : " does not exist") +
                     ": check the path; if the state is to live there, create the folder "
                     "first (mkdir -p " +
                     dir_ + "). cforg creates only its default folder, state/");
  }

  // Folds in the records of a journal left by an interrupted run; how many. Changes no file.
  std::size_t fold_journal(State& s) const {
    std::optional<std::string> text = read_file(journal_path_);
    if (!text) return 0;
    JournalContents contents = parse_journal(*text, journal_path_);
    if (contents.empty) {
      spdlog::warn("{} is empty; ignoring it", journal_path_);
      return 0;
    }
    if (classify(contents.header, s, journal_path_, path_) == JournalFit::stale) {
      spdlog::debug("{} was already folded into {}; ignoring it", journal_path_, path_);
      return 0;
    }
    for (std::size_t i = 0; i < contents.records.size(); ++i) {
      // Line 1 is the header, and every record is one line after it.
      fold_at(s, contents.records[i], journal_path_ + ":" + std::to_string(i + 2));
    }
    if (contents.records.empty()) return 0;
    s.relink_parents();
    check_folded(s, journal_path_);
    spdlog::info("{}: folded in {} changes left by an interrupted run", path_,
                 contents.records.size());
    return contents.records.size();
  }

  // Refuses to overwrite a file that is not the state `s` was loaded from: a corrupt one, one
  // of an unknown format, or one another run has saved since.
  void check_current(const State& s, const std::optional<std::string>& current) const {
    if (!current) return;
    StateHeader h;
    try {
      h = scan_state_header(*current, path_);
    } catch (const StateError& e) {
      throw StateError("refusing to overwrite " + path_ + ", which is not valid JSON (" + e.what() +
                       "). Repair it, or put " + backup_path_ + " back.");
    }
    if (h.format_version != kFormatVersion) {
      throw StateError("refusing to overwrite " + path_ + ": its format_version is " +
                       (h.format_version ? std::to_string(*h.format_version) : "missing") +
                       " and this cforg writes " + std::to_string(kFormatVersion) +
                       " (written by a newer cforg? upgrade cforg)");
    }
    if (h.lineage.value_or("") != s.lineage || h.serial != s.serial) {
      throw StateError("refusing to overwrite " + path_ +
                       ": it changed since it was loaded (it has lineage " +
                       h.lineage.value_or("?") + " at serial " +
                       (h.serial ? std::to_string(*h.serial) : std::string("?")) +
                       "; the state being saved was loaded from lineage " +
                       (s.lineage.empty() ? std::string("(none: no state file)") : s.lineage) +
                       " at serial " + std::to_string(s.serial) +
                       "). Another run has written it; run again to start from its version.");
    }
  }

  // Replaces the state file with `text` so that at every moment, crash or not, the path holds
  // either the old state or the new one, never a mix and never nothing; the old one is kept as
  // the backup. The folder is synced before this returns, so before the caller removes the
  // journal: if the journal's removal reached the disk and the rename did not, its records
  // would be in neither file.
  void write_state(const std::string& text) {
    write_file_atomically(path_, text, {.keep_permissions = true, .backup_path = backup_path_});
  }

  // Temporary files of runs that died mid-save (kill -9, a crash): removed once their process
  // is gone. Files of a live process are left alone, whatever they are for.
  void remove_leftover_temp_files() const {
    namespace fs = std::filesystem;
    std::string name = fs::path(path_).filename().string();
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      std::string file = entry.path().filename().string();
      for (const std::string& prefix : {name + ".tmp.", name + ".journal.tmp."}) {
        if (file.size() <= prefix.size() || file.compare(0, prefix.size(), prefix) != 0) continue;
        std::string pid_text = file.substr(prefix.size());
        if (pid_text.find_first_not_of("0123456789") != std::string::npos) continue;
        long pid = std::strtol(pid_text.c_str(), nullptr, 10);
        if (pid <= 0 || pid == ::getpid()) continue;
        if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
          std::error_code ignored;
          fs::remove(entry.path(), ignored);
        }
      }
    }
  }

  const std::string given_;  // as named, for messages
  const bool create_folder_;
  const std::string path_;  // symlinks followed: the file that is read and replaced
  const std::string dir_;
  const std::string lock_path_;
  const std::string backup_path_;
  const std::string journal_path_;
};

class FileTransaction final : public Transaction {
 public:
  FileTransaction(std::shared_ptr<FileStore> store, const Snapshot& base)
      : store_(std::move(store)),
        base_lineage_(base.state.lineage),
        base_serial_(base.state.serial) {}

  Journal& journal() override {
    check_open();
    if (!handle_) {
      journal_ = store_->open_journal(base());
      handle_ = std::make_unique<FileJournalHandle>(journal_);
    }
    return *handle_;
  }

  void commit(State& s) override {
    check_open();
    store_->save(s, /*bump=*/true, s, journal_.get());
    done_ = true;
  }

  void replace(const State& s) override {
    check_open();
    State copy = s;
    store_->save(copy, /*bump=*/false, base(), journal_.get());
    done_ = true;
  }

 private:
  // What the file backend needs of the snapshot: its lineage and serial.
  State base() const {
    State b;
    b.lineage = base_lineage_;
    b.serial = base_serial_;
    return b;
  }

  void check_open() const {
    if (done_) throw std::logic_error("a transaction on " + store_->path() + " was committed");
  }

  std::shared_ptr<FileStore> store_;
  const std::string base_lineage_;
  const std::uint64_t base_serial_;
  std::shared_ptr<FileJournal> journal_;  // opened on first use
  std::unique_ptr<FileJournalHandle> handle_;
  bool done_ = false;
};

class FileBackend final : public Backend {
 public:
  FileBackend(std::string path, bool create_folder)
      : store_(std::make_shared<FileStore>(std::move(path), create_folder)) {}

  std::string describe() const override { return store_->path(); }
  std::unique_ptr<Lock> lock(std::string_view operation) override {
    return store_->lock(operation);
  }
  Snapshot load() override { return store_->load(); }
  std::unique_ptr<Transaction> begin(const Lock& /*held*/, const Snapshot& base) override {
    return std::make_unique<FileTransaction>(store_, base);
  }
  void force_unlock(std::string_view lock_id) override { store_->force_unlock(lock_id); }
  std::unique_ptr<Lease> try_lead() override { return store_->try_lead(); }

 private:
  std::shared_ptr<FileStore> store_;
};

}  // namespace

std::unique_ptr<Backend> open_file_backend(const std::string& path, bool create_folder) {
  if (path.empty()) throw StateError("the state path is empty");
  return std::make_unique<FileBackend>(path, create_folder);
}

}  // namespace cforg::state
