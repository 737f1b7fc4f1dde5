# Finds gperftools' tcmalloc_minimal (Debian 12: libgoogle-perftools-dev), which ships no CMake
# package of its own. Defines Tcmalloc_FOUND and the imported target Tcmalloc::tcmalloc_minimal.
find_library(Tcmalloc_LIBRARY NAMES tcmalloc_minimal)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Tcmalloc REQUIRED_VARS Tcmalloc_LIBRARY)
if(Tcmalloc_FOUND AND NOT TARGET Tcmalloc::tcmalloc_minimal)
  add_library(Tcmalloc::tcmalloc_minimal UNKNOWN IMPORTED)
  set_target_properties(Tcmalloc::tcmalloc_minimal PROPERTIES IMPORTED_LOCATION
                                                              "${Tcmalloc_LIBRARY}")
endif()
mark_as_advanced(Tcmalloc_LIBRARY)
