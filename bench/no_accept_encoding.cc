// A diagnostic for the throughput benchmark, not part of cforg: loaded with LD_PRELOAD, it
// drops every CURLOPT_ACCEPT_ENCODING a program sets, so libcurl sends no Accept-Encoding
// header and the server answers uncompressed. It lets bench/run.sh measure what cforg's
// `Accept-Encoding: deflate, gzip, br, zstd` costs against the emulator (which then compresses
// every response with Brotli) without changing cforg.
//
//   LD_PRELOAD=build-bench/bench/libno_accept_encoding.so cforg apply ...
//
// curl_easy_setopt is variadic; every option takes exactly one argument that is a long, a
// pointer or a curl_off_t, all passed as one 64-bit integer-class value on x86-64 and AArch64,
// so the argument is forwarded as a pointer-sized integer.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <cstdint>

static_assert(sizeof(void*) == 8 && sizeof(long) == 8 && sizeof(curl_off_t) == 8,
              "forwarding one 64-bit argument needs a 64-bit ABI");

extern "C" CURLcode curl_easy_setopt(CURL* handle, CURLoption option, ...) {
  using Real = CURLcode (*)(CURL*, CURLoption, ...);
  static Real real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "curl_easy_setopt"));
  va_list ap;
  va_start(ap, option);
  std::uintptr_t arg = va_arg(ap, std::uintptr_t);
  va_end(ap);
  if (option == CURLOPT_ACCEPT_ENCODING) return CURLE_OK;
  return real(handle, option, arg);
}
