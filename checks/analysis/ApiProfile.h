//===--- ApiProfile.h - Which functions make up a collector's API ---------===//
//
// Every check asks the same questions of a call: is it a finalizer
// registration, a cleanup, a keep-alive, an allocation, a collection? The
// answers come from an API profile: the bundled lastword runtime by default,
// Boehm GC with `Api: bdwgc`, and user-named wrapper functions through the
// *Functions options.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_APIPROFILE_H
#define LASTWORD_ANALYSIS_APIPROFILE_H

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/StringRef.h"
#include <array>
#include <string>
#include <vector>

namespace lastword::analysis {

enum class ApiFlavor { Lastword, Bdwgc };

/// What an API entry point does to the object life cycle.
enum class ApiRole {
  Finalizer,         ///< registers a finalizer: the callable runs on the finalizer thread
  Cleanup,           ///< registers a cleanup: runs on a worker, never resurrects
  KeepAlive,         ///< the object is reachable at least up to this point
  Allocation,        ///< returns a new collected object
  Collect,           ///< a full, stop-the-world collection
  WaitForFinalizers, ///< blocks until queued finalizers have run
};
inline constexpr std::array<ApiRole, 6> AllApiRoles = {
    ApiRole::Finalizer,  ApiRole::Cleanup, ApiRole::KeepAlive,
    ApiRole::Allocation, ApiRole::Collect, ApiRole::WaitForFinalizers};

/// One entry point: a qualified name and the positions of its arguments.
struct ApiFunction {
  std::string Name;
  int ObjectArg = -1;   ///< the object whose life the call is about
  int CallbackArg = -1; ///< the finalizer or cleanup callable
  int DataArg = -1;     ///< Boehm client data, or the cleanup argument
};

/// The API of one collector, read from clang-tidy options.
///
/// Options (each read locally first, then globally, like clang-tidy's own):
///   Api                 lastword | bdwgc
///   FinalizerFunctions  `name(object,callback[,data])` entries, `;`-separated
///   CleanupFunctions    same shape
///   KeepAliveFunctions  `name(object)` entries
///   AllocationFunctions, CollectFunctions, WaitFunctions: plain names
/// An entry without positions takes the profile's default positions.
class ApiProfile {
public:
  /// Reads the profile; bad values are reported through the check's
  /// configuration diagnostics and fall back to the defaults.
  static ApiProfile fromOptions(const clang::tidy::ClangTidyCheck &Check,
                                const clang::tidy::ClangTidyCheck::OptionsView &Options);
  static ApiProfile defaults(ApiFlavor Flavor);

  void storeOptions(clang::tidy::ClangTidyCheck::OptionsView &Options,
                    clang::tidy::ClangTidyOptions::OptionMap &Opts) const;

  ApiFlavor flavor() const { return Flavor; }
  /// Boehm's C++ interface: gc_cleanup destructors, new (GC) and class gc.
  bool readsBoehmCpp() const { return Flavor == ApiFlavor::Bdwgc; }

  const std::vector<ApiFunction> &functions(ApiRole Role) const {
    return Functions[static_cast<size_t>(Role)];
  }
  /// Names for `hasAnyName`.
  std::vector<llvm::StringRef> names(ApiRole Role) const;
  /// The entry \p QualifiedName matches, if any.
  const ApiFunction *lookup(ApiRole Role, llvm::StringRef QualifiedName) const;

  /// Serialised form of one role's list, as the options spell it.
  std::string serialise(ApiRole Role) const;
  static llvm::StringRef optionName(ApiRole Role);
  static llvm::StringRef flavorName(ApiFlavor Flavor);

private:
  ApiFlavor Flavor = ApiFlavor::Lastword;
  std::array<std::vector<ApiFunction>, AllApiRoles.size()> Functions;
};

/// Parses one option value; entries that do not parse are returned in
/// \p Rejected so that the caller can report them.
std::vector<ApiFunction> parseApiFunctionList(llvm::StringRef Value,
                                              const ApiFunction &DefaultPositions,
                                              std::vector<std::string> &Rejected);

} // namespace lastword::analysis

namespace clang::tidy {
template <> struct OptionEnumMapping<lastword::analysis::ApiFlavor> {
  static llvm::ArrayRef<std::pair<lastword::analysis::ApiFlavor, llvm::StringRef>>
  getEnumMapping();
};
} // namespace clang::tidy

#endif
