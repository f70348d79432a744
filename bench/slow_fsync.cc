// A diagnostic for the apply benchmarks, not part of cforg: loaded with LD_PRELOAD, it makes
// every fsync() and fdatasync() take BENCH_FSYNC_DELAY_MS milliseconds longer (default 4), to
// show what cforg's durable journal costs on a disk slower than the one at hand (network block
// volumes commonly take 1 to 10 ms per flush). At exit it prints to stderr how many calls it
// delayed: "slow_fsync: N fdatasync, M fsync".
//
//   BENCH_FSYNC_DELAY_MS=4 LD_PRELOAD=build-bench/bench/libslow_fsync.so cforg apply ...
#include <dlfcn.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace {

std::chrono::microseconds delay() {
  static const std::chrono::microseconds d = [] {
    const char* env = std::getenv("BENCH_FSYNC_DELAY_MS");
    double ms = env && *env ? std::atof(env) : 4.0;
    return std::chrono::microseconds(static_cast<long>(ms * 1000));
  }();
  return d;
}

std::atomic<long> g_fdatasyncs{0};
std::atomic<long> g_fsyncs{0};

struct ReportAtExit {
  ~ReportAtExit() {
    std::fprintf(stderr, "slow_fsync: %ld fdatasync, %ld fsync\n", g_fdatasyncs.load(),
                 g_fsyncs.load());
  }
} g_report;

template <typename F>
F next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" int fdatasync(int fd) {
  static auto real = next<int (*)(int)>("fdatasync");
  ++g_fdatasyncs;
  std::this_thread::sleep_for(delay());
  return real(fd);
}

extern "C" int fsync(int fd) {
  static auto real = next<int (*)(int)>("fsync");
  ++g_fsyncs;
  std::this_thread::sleep_for(delay());
  return real(fd);
}
