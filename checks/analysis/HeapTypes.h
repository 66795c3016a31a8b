//===--- HeapTypes.h - Which types live on the collected heap -------------===//
//
// The reachability checks ask of a type: is it collected (its objects live
// on the collected heap), is it a traced member wrapper (`member<T>`), a
// root handle (`persistent<T>`)? A class is collected when the translation
// unit allocates it on the collected heap (`make<T>`, `new (GC) T`, a cast
// of `GC_MALLOC`), when it declares the collector's trace method or holds
// member fields, when it derives from a collected base (`gc`,
// `cppgc::GarbageCollected`), or when it is the base of a collected class.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_HEAPTYPES_H
#define LASTWORD_ANALYSIS_HEAPTYPES_H

#include "analysis/ApiProfile.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/Type.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

namespace lastword::analysis {

class HeapTypes {
public:
  explicit HeapTypes(const ApiProfile &Profile) : Profile(Profile) {}

  /// Adds the matchers whose results observe() takes: allocations on the
  /// collected heap and the targets of member fields.
  static void registerMatchers(clang::ast_matchers::MatchFinder &Finder,
                               clang::ast_matchers::MatchFinder::MatchCallback *Callback,
                               const ApiProfile &Profile);
  /// Takes one result of those matchers; false when it is none of theirs.
  bool observe(const clang::ast_matchers::MatchFinder::MatchResult &Result);

  /// The translation unit allocates \p Type on the collected heap.
  void noteAllocated(clang::QualType Type);
  /// The record \p Type points to or names, when it is collected.
  const clang::RecordDecl *collectedRecord(clang::QualType Type);
  bool isCollected(const clang::RecordDecl *Record);
  /// `member<T>`, `cppgc::Member<T>` and the weak and untraced variants.
  bool isMemberType(clang::QualType Type) const;
  /// `persistent<T>`, `cppgc::Persistent<T>`.
  bool isPersistentType(clang::QualType Type) const;
  /// The record holds member fields (in itself, its bases, by-value fields,
  /// arrays and standard containers): bytes written over it bypass the
  /// write barrier.
  bool holdsMembers(const clang::RecordDecl *Record, unsigned Depth = 0);

  /// A standard library template (`std::vector<Node *>`,
  /// `std::map<int, Node *>`, `std::array<Node *, 4>`, nested ones) whose
  /// elements hold raw pointers, or smart pointers, to a collected type:
  /// that type, else null. `member<T>` and `persistent<T>` elements are not
  /// raw.
  const clang::RecordDecl *collectedInStdTemplate(clang::QualType Type, unsigned Depth = 0);

private:
  bool declaresCollected(const clang::CXXRecordDecl &Record);
  bool typeHoldsMembers(clang::QualType Type, unsigned Depth);
  const ApiProfile &Profile;
  llvm::DenseSet<const clang::RecordDecl *> Allocated;
  llvm::DenseMap<const clang::RecordDecl *, bool> Known;
  llvm::DenseMap<const clang::RecordDecl *, bool> Holds;
};

/// Boehm GC's C++ interface (`<gc/gc_cpp.h>`, class `gc`) is in the
/// translation unit: its library replaces the global `operator new` with
/// uncollectable memory that the collector scans, so `new`'ed objects and
/// standard containers' buffers hide nothing from it (only `malloc` does).
bool boehmScansOperatorNew(const clang::ASTContext &Context);

/// The pointee record of \p Type (a pointer or reference), or the record
/// itself; null otherwise.
const clang::RecordDecl *recordOf(clang::QualType Type);

} // namespace lastword::analysis

#endif
