// The sanitizers' default options, compiled into bootsim, the tests and the fuzz targets of a
// BOOTSIM_SANITIZE build only (CMakeLists.txt): a report exits with status 99, which no exit
// status of bootsim (0, 1, 2) and no test expectation can be mistaken for, and UBSan prints
// the stack. ASAN_OPTIONS and UBSAN_OPTIONS in the environment still override them.
extern "C" {
// NOLINTBEGIN(bugprone-reserved-identifier): the names the sanitizer runtimes look up.
const char* __asan_default_options();
const char* __ubsan_default_options();
const char* __asan_default_options() {
  return "detect_leaks=1:exitcode=99";
}
const char* __ubsan_default_options() {
  return "print_stacktrace=1:exitcode=99";
}
// NOLINTEND(bugprone-reserved-identifier)
}
