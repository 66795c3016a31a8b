//===--- CollectedTypes.h - Which types live on the collected heap --------===//
//
// The reachability checks ask questions of types rather than calls: is this
// class collected, is this field a traced member, a weak member, a
// persistent handle or a raw pointer to a collected object, which fields
// does a class's trace method visit, which classes carry a finalizer in
// this translation unit? The names come from the ApiProfile's type roles;
// this file applies them and caches the answers for one translation unit.
//
// A class is collected when (profile permitting):
//   - it derives from one of the CollectedBases (`gc`, `cppgc::GarbageCollected<T>`);
//   - it, or a base, declares one of the TraceMethods (`trace`, `Trace`);
//   - it, or a base, has a field of one of the MemberTypes or WeakMemberTypes;
//   - an allocation of the profile creates it in this translation unit
//     (`lastword::make<T>`, `(T *)GC_MALLOC(...)`, `new (GC) T`,
//     `cppgc::MakeGarbageCollected<T>`), or a finalizer or cleanup is
//     registered on it;
//   - it is finalizable (below);
//   - a field of one of the MemberTypes (weak and untraced ones too) points
//     to it, it is a base of an allocated class, or it derives from one.
// A C struct is collected when an allocation of the profile creates it.
// A class is finalizable when a finalizer or cleanup registration of the
// profile has an object argument of its type (or a pointer to it), it
// derives from one of the FinalizableBases (`gc_cleanup`), it declares a
// pre-finalizer through one of the PreFinalizerMacros, or it is named in
// FinalizableTypes.
//
// Usage: one CollectedTypes per translation unit, built on demand (it holds
// no state before the first question) and dropped at the start of the next:
//
//   std::unique_ptr<CollectedTypes> Types;       // in the check's per-TU State
//   ...
//   if (!Types) Types = std::make_unique<CollectedTypes>(*Result.Context, Profile);
//   FieldHandle H = Types->classifyField(*Field);
//
// Questions about fields and trace methods look only at the class asked
// about. The first question that needs the whole translation unit
// (isCollected, isFinalizable, finalizableTypes) walks the user code once
// (system headers skipped) to find allocations and registrations.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_COLLECTEDTYPES_H
#define LASTWORD_ANALYSIS_COLLECTEDTYPES_H

#include "analysis/ApiCalls.h"
#include "analysis/ApiProfile.h"
#include "analysis/Finalizers.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <optional>
#include <vector>

namespace lastword::analysis {

/// How a field or variable holds a pointer.
enum class HandleKind {
  None,           ///< holds no pointer this file recognises
  Member,         ///< a MemberTypes wrapper: traced, keeps its target alive
  WeakMember,     ///< a WeakMemberTypes wrapper: traced, does not keep it alive
  UntracedMember, ///< an UntracedMemberTypes wrapper: deliberately not traced
  Persistent,     ///< a PersistentTypes handle: a root wherever it lives
  WeakPersistent, ///< a WeakPersistentTypes handle: a weak root
  Root,           ///< a RootTypes handle
  RawPointer,     ///< `T *` (also `void *`, Pointee null)
  Reference,      ///< `T &`
  SmartPointer,   ///< `std::unique_ptr<T>`, `std::shared_ptr<T>`, `std::weak_ptr<T>`
};

/// What a field's (or variable's) type holds, looking through arrays and
/// standard containers (`std::vector<member<T>>`, `std::map<K, T *>`,
/// `std::array<T *, 4>`, `std::optional<member<T>>`, nested).
struct FieldHandle {
  HandleKind Kind = HandleKind::None;
  /// The class the handle points to, when known (null for `void *`, for a
  /// dependent type, for a pointer to a non-class type).
  const clang::CXXRecordDecl *Pointee = nullptr;
  /// The pointee is a collected class (see the file comment).
  bool PointeeCollected = false;
  /// The wrapper or smart pointer the handle is spelled with (the
  /// matching MemberTypes, PersistentTypes... declaration, `std::weak_ptr`).
  const clang::NamedDecl *Wrapper = nullptr;
  /// Held through a built-in array.
  bool InArray = false;
  /// Held through a standard container or std::optional / std::pair /
  /// std::tuple: the outermost such class template.
  const clang::NamedDecl *Container = nullptr;

  explicit operator bool() const { return Kind != HandleKind::None; }
  bool keepsAlive() const {
    return Kind == HandleKind::Member || Kind == HandleKind::Persistent || Kind == HandleKind::Root;
  }
};

/// A class's trace method and what it visits.
struct TraceInfo {
  /// The TraceMethods method declared in the class itself (the definition
  /// when visible), or null.
  const clang::CXXMethodDecl *Method = nullptr;
  /// The method's body was seen (a declaration alone visits nothing known).
  bool HasBody = false;
  /// Fields of the class handed to a VisitFunctions call (`t.visit(next_)`,
  /// `visitor->Trace(items_)`, a range-for over the field whose element is
  /// visited), or whose own trace method is called (`part_.trace(t)`), in
  /// the trace method or in a method of the class it calls with the visitor.
  llvm::SmallPtrSet<const clang::FieldDecl *, 8> VisitedFields;
  /// Base classes whose trace method it calls (`Base::trace(t)`).
  llvm::SmallPtrSet<const clang::CXXRecordDecl *, 2> TracedBases;
  /// Where each visited field or traced base is visited first.
  llvm::DenseMap<const clang::Decl *, clang::SourceLocation> VisitedAt;
};

/// How a class became finalizable.
enum class FinalizableSource {
  Registration,        ///< a finalizer registration's object argument
  CleanupRegistration, ///< a cleanup registration's object argument
  PlacementNew,        ///< `new (GC, fn, data) T`
  FinalizableBase,     ///< derives from a FinalizableBases class (gc_cleanup)
  PreFinalizer,        ///< declares a pre-finalizer (CPPGC_USING_PRE_FINALIZER)
  Option,              ///< named in FinalizableTypes
};

/// One reason a class is finalizable.
struct FinalizerSite {
  FinalizableSource Source = FinalizableSource::Registration;
  /// The registration call or new-expression (null for a base, a
  /// pre-finalizer or the option).
  const clang::Expr *Registration = nullptr;
  /// The callable argument of the registration (null when none).
  const clang::Expr *Callback = nullptr;
  /// The code that runs: the finalizer or cleanup body, the gc_cleanup
  /// destructor, the pre-finalizer method; null when not resolvable.
  const clang::FunctionDecl *Finalizer = nullptr;
  /// The function the registration is written in (null outside functions,
  /// for a base, a pre-finalizer or the option).
  const clang::FunctionDecl *EnclosingFunction = nullptr;
  /// Where to point: the registration, the base specifier, the macro use.
  clang::SourceLocation Loc;
};

/// A finalizable class of the translation unit and every reason for it.
struct FinalizableType {
  const clang::CXXRecordDecl *Record = nullptr;
  std::vector<FinalizerSite> Sites;
};

/// \p Type is an allocator whose memory the conservative collector scans
/// (ApiProfile::scannedAllocators: Boehm's `gc_allocator`).
bool isScannedAllocator(clang::QualType Type);

class CollectedTypes {
public:
  CollectedTypes(clang::ASTContext &Context, const ApiProfile &Profile);
  ~CollectedTypes();
  CollectedTypes(const CollectedTypes &) = delete;
  CollectedTypes &operator=(const CollectedTypes &) = delete;

  const ApiProfile &profile() const { return Profile; }

  /// \p Record (its definition) is a collected class; see the file comment.
  bool isCollected(const clang::CXXRecordDecl &Record);
  /// \p Type (a class type, not a pointer) is a collected class.
  bool isCollected(clang::QualType Type);
  /// A class as above; a C struct is collected when an allocation of the
  /// profile creates it (`struct node *n = GC_MALLOC(sizeof *n);`).
  bool isCollected(const clang::RecordDecl &Record);
  /// The record \p Type points to, refers to or names (through arrays),
  /// when it is collected; null otherwise. C structs included.
  const clang::RecordDecl *collectedRecord(clang::QualType Type);
  /// A standard container (nested ones, std::optional, std::pair...) whose
  /// elements hold raw pointers, references or owning smart pointers to a
  /// collected class (`std::vector<Node *>`, `std::map<int,
  /// std::unique_ptr<Node>>`): that class, else null. Member and
  /// persistent elements are not raw. Null for a container whose allocator
  /// the conservative collector scans (Boehm's `gc_allocator`).
  const clang::RecordDecl *collectedInContainer(clang::QualType Type);
  /// \p Record holds fields of the MemberTypes, WeakMemberTypes or
  /// UntracedMemberTypes (in itself, its bases, by-value fields, arrays and
  /// standard containers): bytes written over it bypass the write barrier.
  bool holdsMembers(const clang::RecordDecl &Record);
  /// Boehm GC's C++ interface is in the translation unit (a class of the
  /// CollectedBases is declared, under a profile with placement tags or
  /// finalizable bases): its library replaces the global `operator new`
  /// with memory the collector scans, so `new`'ed objects and standard
  /// containers' buffers hide nothing from it.
  bool operatorNewIsScanned();
  /// \p Record is collected by its declaration alone (a collected base, a
  /// trace method, a member field), without the translation unit's
  /// allocations: cheap, and enough where the TU walk is not wanted.
  bool isCollectedByDeclaration(const clang::CXXRecordDecl &Record);

  /// What \p Type holds (see FieldHandle).
  FieldHandle classifyType(clang::QualType Type);
  FieldHandle classifyField(const clang::FieldDecl &Field);
  /// As classifyType, without PointeeCollected: no walk of the translation
  /// unit.
  FieldHandle classifyTypeByDeclaration(clang::QualType Type) { return classifyTypeAt(Type, 0); }

  /// The class's trace method and what it visits; Method null when the class
  /// declares none (an inherited one is the base's: ask the base).
  const TraceInfo &traceOf(const clang::CXXRecordDecl &Record);

  /// Finalizable classes of the translation unit, in source order of their
  /// first site; each class once.
  const std::vector<FinalizableType> &finalizableTypes();
  /// \p Record's entry in finalizableTypes(), or null. A class deriving from
  /// a finalizable class is finalizable too when the registration is made
  /// in the base (`set_finalizer(this, ...)` in a base constructor): the
  /// base's entry is returned.
  const FinalizableType *finalizable(const clang::CXXRecordDecl &Record);
  bool isFinalizable(const clang::CXXRecordDecl &Record) { return finalizable(Record); }

  /// The class a pointer-like expression's type points to: `T *`, `T &`,
  /// `member<T>`, `persistent<T>`, smart pointers; null otherwise.
  const clang::CXXRecordDecl *pointeeRecord(clang::QualType Type);

private:
  struct TranslationUnitFacts;
  void ensureFacts();
  FieldHandle classifyTypeAt(clang::QualType Type, unsigned Depth);
  bool collectedByDeclarationAt(const clang::CXXRecordDecl &Record, unsigned Depth);
  bool holdsMembersAt(const clang::RecordDecl &Record, unsigned Depth);
  void scanTrace(const clang::CXXRecordDecl &Record, const clang::FunctionDecl &Function,
                 TraceInfo &Info, unsigned Depth,
                 llvm::SmallPtrSetImpl<const clang::FunctionDecl *> &Seen);

  clang::ASTContext &Context;
  ApiProfile Profile;
  llvm::DenseMap<const clang::CXXRecordDecl *, bool> ByDeclaration;
  llvm::DenseMap<const clang::FieldDecl *, FieldHandle> Fields;
  llvm::DenseMap<const clang::RecordDecl *, bool> Holds;
  std::optional<bool> OperatorNewScanned;
  llvm::DenseMap<const clang::CXXRecordDecl *, std::unique_ptr<TraceInfo>> Traces;
  std::shared_ptr<const TranslationUnitFacts> Facts;
};

/// Forgets the translation unit facts that the CollectedTypes of one thread
/// share (every check builds its own CollectedTypes, but the walk of the
/// translation unit behind isCollected and finalizableTypes depends only on
/// the AST and the API profile, so it is made once per profile). Called at
/// the start of each translation unit by the checks; from then on the facts
/// are kept until the next call, even when no CollectedTypes holds them.
void forgetSharedTypeFacts();

/// The record \p Type (a pointer or reference to one, or an array of
/// them) points to or names; null otherwise. C structs included.
const clang::RecordDecl *recordOf(clang::QualType Type);

} // namespace lastword::analysis

#endif
