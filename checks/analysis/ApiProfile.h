//===--- ApiProfile.h - Which functions make up a collector's API ---------===//
//
// Every check asks the same questions of a call: is it a finalizer
// registration, a cleanup, a keep-alive, an allocation, a collection? And of
// a type: is it a collected base, a traced member, a persistent handle? The
// answers come from an API profile: the bundled lastword runtime by default,
// Boehm GC with `Api: bdwgc`, Oilpan-style code with `Api: cppgc`, and
// user-named functions and types through the *Functions and *Types options.
// No other file of the checks knows an API name.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_APIPROFILE_H
#define LASTWORD_ANALYSIS_APIPROFILE_H

#include "clang-tidy/ClangTidyCheck.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSet.h"
#include <array>
#include <string>
#include <vector>

namespace lastword::analysis {

enum class ApiFlavor { Lastword, Bdwgc, Cppgc };

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

/// What a type, method or macro name means to the collector.
enum class TypeRole {
  CollectedBase,     ///< deriving from it makes a class collected (`gc`, `cppgc::GarbageCollected`)
  FinalizableBase,   ///< deriving from it makes a class finalizable (`gc_cleanup`)
  Finalizable,       ///< classes known to carry a finalizer, whatever the TU shows
  Member,            ///< traced member wrapper (`lastword::member`, `cppgc::Member`)
  WeakMember,        ///< member that does not keep its target alive (`cppgc::WeakMember`)
  UntracedMember,    ///< member deliberately not traced (`cppgc::UntracedMember`)
  Persistent,        ///< handle that roots its target from anywhere (`lastword::persistent`)
  WeakPersistent,    ///< handle from anywhere that does not keep its target alive
  Root,              ///< other types whose instances are roots (stack handles, root lists)
  TraceMethod,       ///< the method that visits a collected object's members (`trace`)
  VisitFunction,     ///< the visitor call that marks one member (`lastword::tracer::visit`)
  PlacementTag,      ///< type of the placement argument that allocates (`GCPlacement`)
  PreFinalizerMacro, ///< macro declaring a pre-finalizer (`CPPGC_USING_PRE_FINALIZER`)
};
inline constexpr std::array<TypeRole, 13> AllTypeRoles = {
    TypeRole::CollectedBase,    TypeRole::FinalizableBase, TypeRole::Finalizable,
    TypeRole::Member,           TypeRole::WeakMember,      TypeRole::UntracedMember,
    TypeRole::Persistent,       TypeRole::WeakPersistent,  TypeRole::Root,
    TypeRole::TraceMethod,      TypeRole::VisitFunction,   TypeRole::PlacementTag,
    TypeRole::PreFinalizerMacro};

/// The one name matcher of the checks: does the qualified name
/// \p QualifiedName (as getQualifiedNameAsString spells it, no leading `::`)
/// match \p Pattern? A qualified pattern must match whole (a leading `::` is
/// ignored); an unqualified one matches the last component in any namespace
/// or class, as ast_matchers::hasName does.
bool matchesQualifiedName(llvm::StringRef QualifiedName, llvm::StringRef Pattern);

/// A list of name patterns (see matchesQualifiedName) that rejects most
/// declarations by their plain identifier before building a qualified name.
class NameList {
public:
  NameList() = default;
  explicit NameList(std::vector<std::string> Patterns);
  const std::vector<std::string> &patterns() const { return Patterns; }
  bool empty() const { return Patterns.empty(); }
  /// \p D's qualified name matches one of the patterns. A class template
  /// specialization, a template and an alias are named without arguments.
  bool matches(const clang::NamedDecl &D) const;
  bool matches(llvm::StringRef QualifiedName) const;
  /// Only the last component: a cheap test before matches().
  bool mayMatch(llvm::StringRef Identifier) const { return LastNames.contains(Identifier); }

private:
  std::vector<std::string> Patterns;
  llvm::StringSet<> LastNames;
};

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
///   CollectedBases, FinalizableBases, FinalizableTypes, MemberTypes,
///   WeakMemberTypes, UntracedMemberTypes, PersistentTypes,
///   WeakPersistentTypes, RootTypes, TraceMethods, VisitFunctions,
///   PlacementTags, PreFinalizerMacros: names
/// An entry without positions takes the profile's default positions. A list
/// given in the options replaces the profile's list for that role.
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
  /// Placement new with a tag (Boehm's `new (GC, fn, data) T`) and
  /// finalizable bases (Boehm's gc_cleanup) are part of the API.
  bool readsBoehmCpp() const {
    return !types(TypeRole::PlacementTag).empty() || !types(TypeRole::FinalizableBase).empty();
  }

  const std::vector<ApiFunction> &functions(ApiRole Role) const {
    return Functions[static_cast<size_t>(Role)];
  }
  /// Names for `hasAnyName`.
  std::vector<llvm::StringRef> names(ApiRole Role) const;
  /// The entry \p QualifiedName matches, if any.
  const ApiFunction *lookup(ApiRole Role, llvm::StringRef QualifiedName) const;

  /// Names of one type role.
  const NameList &types(TypeRole Role) const { return Types[static_cast<size_t>(Role)]; }
  /// \p D (a class, class template, alias, typedef, enum, method or
  /// function) is named in \p Role's list.
  bool is(TypeRole Role, const clang::NamedDecl &D) const { return types(Role).matches(D); }
  /// \p Type, or any alias or template it is spelled through, is named in
  /// \p Role's list: `cppgc::Member<T>` is recognised through its alias
  /// template although its class is `cppgc::internal::BasicMember<...>`.
  /// Returns the matching declaration, or null.
  const clang::NamedDecl *matchType(TypeRole Role, clang::QualType Type) const;
  /// A function or method named in \p Role's list (TraceMethods,
  /// VisitFunctions).
  bool isFunction(TypeRole Role, const clang::FunctionDecl &Function) const;
  /// Functions from an interior pointer to the start of its object
  /// (Boehm's `GC_base`): a call designates the object its argument points
  /// into. Looked through under every profile, since the expression
  /// helpers that use it know no profile.
  static const NameList &objectStartFunctions();
  /// Allocators whose memory the conservative collector scans (Boehm's
  /// `gc_allocator`, `traceable_allocator`): a standard container using one
  /// keeps its elements visible to it.
  static const NameList &scannedAllocators();
  /// Allocators whose memory a conservative collector does not scan for
  /// pointers: the C library's, and Boehm's atomic (pointer-free) ones.
  static const NameList &unscannedAllocators();
  /// Functions that free memory by hand (`free`, Boehm's `GC_free`).
  static const NameList &freeFunctions();
  /// Boehm's disappearing links: functions whose first argument is a weak
  /// link that the collector clears when its object dies.
  static const NameList &disappearingLinkFunctions();
  /// Boehm's macro that hides a pointer from the collector (`GC_HIDE_POINTER`).
  static bool isPointerHidingMacro(llvm::StringRef MacroName);
  /// How a fix-it spells the keep-alive: the first KeepAlive entry, or the
  /// macro user code writes for it (Boehm's `GC_reachable_here`, which
  /// expands to the function the profile lists).
  std::string keepAliveSpelling() const;
  /// \p D is declared in a collector library's own namespace (`lastword`,
  /// `cppgc`: the namespaces that qualify the built-in profiles' names): its
  /// classes are the API's handles and bookkeeping, not user objects.
  static bool isInLibraryNamespace(const clang::Decl &D);
  /// The collector's stand-in for the C library function \p Name that its
  /// headers substitute by macro (Boehm's `gc_pthread_redirects.h` under
  /// `GC_THREADS`: `pthread_join` is called as `GC_pthread_join`), or empty.
  llvm::StringRef redirectOf(llvm::StringRef Name) const;
  /// The bundled runtime's add_cleanup throws std::invalid_argument when the
  /// cleanup argument is the object itself.
  static bool rejectsObjectAsData(const ApiFunction &Function);

  /// Serialised form of one role's list, as the options spell it.
  std::string serialise(ApiRole Role) const;
  std::string serialise(TypeRole Role) const;
  static llvm::StringRef optionName(ApiRole Role);
  static llvm::StringRef optionName(TypeRole Role);
  static llvm::StringRef flavorName(ApiFlavor Flavor);

private:
  ApiFlavor Flavor = ApiFlavor::Lastword;
  std::array<std::vector<ApiFunction>, AllApiRoles.size()> Functions;
  std::array<NameList, AllTypeRoles.size()> Types;
};

/// Parses a list of names, qualified or not (see OptionLists.h); entries that are
/// not names are returned in \p Rejected.
std::vector<std::string> parseNameList(llvm::StringRef Value, std::vector<std::string> &Rejected);

/// Parses one option value; entries that do not parse are returned in
/// \p Rejected so that the caller can report them.
std::vector<ApiFunction> parseApiFunctionList(llvm::StringRef Value,
                                              const ApiFunction &DefaultPositions,
                                              std::vector<std::string> &Rejected);

} // namespace lastword::analysis

namespace clang::tidy {
template <> struct OptionEnumMapping<lastword::analysis::ApiFlavor> {
  static llvm::ArrayRef<std::pair<lastword::analysis::ApiFlavor, llvm::StringRef>> getEnumMapping();
};
} // namespace clang::tidy

#endif
