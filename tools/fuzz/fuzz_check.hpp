// What the fuzz targets assert: a property that fails is a bug, reported as a crash so that
// libFuzzer keeps the input (a sanitizer report is one too).
//
//   FUZZ_CHECK(reparsed == parsed, "format_duration does not read back");
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                         \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "fuzz: %s:%d: %s (%s)\n", __FILE__, __LINE__, what, #cond); \
      std::abort();                                                                    \
    }                                                                                  \
  } while (false)
