// The throughput baseline for `cforg apply`: the least a client can do to create a tree of
// organizations, on plain libcurl. N threads, each with its own easy handle, take creates from
// a shared ready queue; a create is ready once its parent's id is known, and its body carries
// that id, as cforg's must. Each response is parsed (nlohmann) for the new id, as any client
// must. No plan, no state, no journal, no retries: any failure ends the run.
//
//   curl_post_loop --url BASE --token T --tree FILE [--concurrency 16] [--connection reuse|fresh]
//                  [--accept-encoding all|none] [--body fields|callback]
//                  [--via curl|cforg-client]
//
// --connection reuse: each thread keeps its connection alive across POSTs (libcurl's default).
// --connection fresh: a new TCP connection per POST, closed after it (what cforg does, with
//                     CURLOPT_FRESH_CONNECT and CURLOPT_FORBID_REUSE).
// --accept-encoding all: asks for any compression libcurl can decode (CURLOPT_ACCEPT_ENCODING
//                       "", as cforg does); none (the default): sends no Accept-Encoding.
// --body fields: the body from memory (CURLOPT_POSTFIELDS), libcurl's fastest way.
// --body callback: from a read callback whose seek callback refuses to rewind, which is how
//                  cforg makes keep-alive POSTs safe from libcurl's silent resend.
// --via cforg-client: each create through cforg's own API client (api::HttpClient on its
//                     libcurl transport, rate budget off) instead of the lines of libcurl
//                     here: the same loop, with cforg's request layer and none of its
//                     executor or journal, to tell their costs apart.
// Prints one JSON line: {"creates", "seconds", "creates_per_second", ...}. `seconds` runs from
// the first request to the last answer; reading the tree file is not included.
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "cforg/api/client.h"
#include "cforg/api/transport.h"
#include "cforg/model/organization.h"

namespace {

struct Org {
  std::string name_json;     // the name as a JSON string, quotes included
  std::string profile_json;  // empty: no profile
  long parent = -1;          // index of the parent org, -1 for a root
  std::vector<std::size_t> children;
  std::string id;  // known once created
};

struct Args {
  std::string url;
  std::string token;
  std::string tree;
  int concurrency = 16;
  bool fresh = false;
  bool compressed = false;
  bool callback = false;
  bool via_cforg = false;
};

struct Upload {
  const std::string* body = nullptr;
  std::size_t offset = 0;
};

std::size_t read_upload(char* buf, std::size_t size, std::size_t n, void* in) {
  auto* u = static_cast<Upload*>(in);
  std::size_t len = std::min(size * n, u->body->size() - u->offset);
  std::memcpy(buf, u->body->data() + u->offset, len);
  u->offset += len;
  return len;
}

int no_rewind(void*, curl_off_t, int) {
  return CURL_SEEKFUNC_FAIL;
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "curl_post_loop: %s\nusage: curl_post_loop --url BASE --token T --tree FILE "
               "[--concurrency N] [--connection reuse|fresh] [--accept-encoding all|none] "
               "[--body fields|callback] [--via curl|cforg-client]\n",
               why.c_str());
  std::exit(2);
}

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + flag);
    std::string value = argv[++i];
    if (flag == "--url") {
      a.url = value;
    } else if (flag == "--token") {
      a.token = value;
    } else if (flag == "--tree") {
      a.tree = value;
    } else if (flag == "--concurrency") {
      a.concurrency = std::stoi(value);
    } else if (flag == "--connection") {
      if (value != "reuse" && value != "fresh") usage("--connection is reuse or fresh");
      a.fresh = value == "fresh";
    } else if (flag == "--accept-encoding") {
      if (value != "all" && value != "none") usage("--accept-encoding is all or none");
      a.compressed = value == "all";
    } else if (flag == "--via") {
      if (value != "curl" && value != "cforg-client") usage("--via is curl or cforg-client");
      a.via_cforg = value == "cforg-client";
    } else if (flag == "--body") {
      if (value != "fields" && value != "callback") usage("--body is fields or callback");
      a.callback = value == "callback";
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (a.url.empty() || a.tree.empty()) usage("--url and --tree are required");
  if (a.concurrency < 1) usage("--concurrency must be at least 1");
  return a;
}

// key TAB parent_key TAB name-as-JSON TAB profile-as-JSON-or-empty, parents before children.
std::vector<Org> read_tree(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<Org> orgs;
  std::unordered_map<std::string, std::size_t> index;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (int k = 0; k < 3; ++k) {
      std::size_t tab = line.find('\t', start);
      if (tab == std::string::npos) throw std::runtime_error("bad tree line: " + line);
      f.push_back(line.substr(start, tab - start));
      start = tab + 1;
    }
    f.push_back(line.substr(start));
    Org o;
    o.name_json = f[2];
    o.profile_json = f[3];
    if (!f[1].empty()) {
      auto it = index.find(f[1]);
      if (it == index.end()) throw std::runtime_error("parent listed after child: " + line);
      o.parent = static_cast<long>(it->second);
      orgs[it->second].children.push_back(orgs.size());
    }
    index.emplace(f[0], orgs.size());
    orgs.push_back(std::move(o));
  }
  return orgs;
}

std::size_t collect(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

class Loop {
 public:
  Loop(const Args& args, std::vector<Org>& orgs) : args_(args), orgs_(orgs) {
    for (std::size_t i = 0; i < orgs_.size(); ++i) {
      if (orgs_[i].parent < 0) ready_.push_back(i);
    }
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + args.token).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    headers_ = curl_slist_append(headers_, "Expect:");
    url_ = args.url + "/organizations";
    if (args.via_cforg) {
      cforg::api::ClientOptions opts;
      opts.base_url = args.url;
      opts.rate_limit.requests = 0;  // none, as in `cforg apply --rate-limit 0`
      client_ = std::make_unique<cforg::api::HttpClient>(
          cforg::api::make_curl_transport(cforg::api::Credentials{args.token, "", ""}), opts);
    }
  }
  ~Loop() { curl_slist_free_all(headers_); }

  void run() {
    std::vector<std::thread> threads;
    for (int t = 0; t < args_.concurrency; ++t) threads.emplace_back([this] { worker(); });
    for (std::thread& t : threads) t.join();
  }

  std::size_t done() const { return done_; }
  const std::string& error() const { return error_; }

 private:
  void worker() {
    CURL* h = args_.via_cforg ? nullptr : curl_easy_init();
    if (h) configure(h);
    for (;;) {
      std::size_t i;
      std::string parent_id;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return !ready_.empty() || finished(); });
        if (ready_.empty()) break;
        i = ready_.front();
        ready_.pop_front();
        ++running_;
        if (orgs_[i].parent >= 0) parent_id = orgs_[static_cast<std::size_t>(orgs_[i].parent)].id;
      }
      std::string id, failure;
      if (h) {
        id = create_via_curl(h, orgs_[i], parent_id, failure);
      } else {
        id = create_via_cforg(orgs_[i], parent_id, failure);
      }
      {
        std::lock_guard lock(mu_);
        --running_;
        if (!failure.empty()) {
          if (error_.empty()) error_ = failure;
        } else {
          orgs_[i].id = std::move(id);
          ++done_;
          for (std::size_t c : orgs_[i].children) ready_.push_back(c);
        }
      }
      cv_.notify_all();
    }
    if (h) curl_easy_cleanup(h);
  }

  void configure(CURL* h) {
    curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    if (args_.compressed) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (args_.fresh) {
      curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
      curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
  }

  // One POST on this thread's handle; the new id, or "" with `failure` set.
  std::string create_via_curl(CURL* h, const Org& org, const std::string& parent_id,
                              std::string& failure) {
    std::string body = "{\"name\":" + org.name_json;
    if (!parent_id.empty()) body += ",\"parent\":{\"id\":\"" + parent_id + "\"}";
    if (!org.profile_json.empty()) body += ",\"profile\":" + org.profile_json;
    body += "}";
    std::string response;
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
    Upload upload{&body, 0};
    if (args_.callback) {
      curl_easy_setopt(h, CURLOPT_READFUNCTION, read_upload);
      curl_easy_setopt(h, CURLOPT_READDATA, &upload);
      curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, no_rewind);
    } else {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    }
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc != CURLE_OK) {
      failure = curl_easy_strerror(rc);
    } else if (status != 200) {
      failure = "HTTP " + std::to_string(status) + ": " + response;
    } else {
      try {
        return nlohmann::json::parse(response).at("result").at("id").get<std::string>();
      } catch (const std::exception& e) {
        failure = std::string("bad response: ") + e.what();
      }
    }
    return "";
  }

  std::string create_via_cforg(const Org& org, const std::string& parent_id, std::string& failure) {
    cforg::OrgSpec spec;
    spec.name = nlohmann::json::parse(org.name_json).get<std::string>();
    spec.parent = cforg::ParentRef::from_api_id(parent_id);
    if (!org.profile_json.empty()) {
      spec.profile = cforg::profile_from_json(nlohmann::json::parse(org.profile_json));
    }
    auto created = client_->create(spec);
    if (!created) {
      failure = created.error().str();
      return "";
    }
    return created.value().id;
  }

  // With mu_ held: nothing can start any more.
  bool finished() const { return !error_.empty() || (ready_.empty() && running_ == 0); }

  const Args& args_;
  std::vector<Org>& orgs_;
  curl_slist* headers_ = nullptr;
  std::string url_;
  std::unique_ptr<cforg::api::HttpClient> client_;  // --via cforg-client
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::size_t> ready_;
  std::size_t running_ = 0;
  std::size_t done_ = 0;
  std::string error_;
};

}  // namespace

int main(int argc, char** argv) {
  Args args = parse_args(argc, argv);
  if (args.token.empty()) {
    if (const char* t = std::getenv("CLOUDFLARE_API_TOKEN")) args.token = t;
  }
  std::vector<Org> orgs;
  try {
    orgs = read_tree(args.tree);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "curl_post_loop: %s\n", e.what());
    return 2;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  Loop loop(args, orgs);
  auto start = std::chrono::steady_clock::now();
  loop.run();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl_global_cleanup();
  if (!loop.error().empty()) {
    std::fprintf(stderr, "curl_post_loop: %s\n", loop.error().c_str());
    return 1;
  }
  nlohmann::json out = {{"creates", loop.done()},
                        {"seconds", seconds},
                        {"creates_per_second", static_cast<double>(loop.done()) / seconds},
                        {"concurrency", args.concurrency},
                        {"connection", args.fresh ? "fresh" : "reuse"},
                        {"accept_encoding", args.compressed ? "all" : "none"},
                        {"body", args.callback ? "callback" : "fields"},
                        {"via", args.via_cforg ? "cforg-client" : "curl"}};
  std::cout << out.dump() << "\n";
  return loop.done() == orgs.size() ? 0 : 1;
}
