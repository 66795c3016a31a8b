//===--- CollectedTypes.cpp -----------------------------------------------===//

#include "analysis/CollectedTypes.h"
#include "analysis/Budgets.h"
#include "analysis/Callables.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/StmtCXX.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSet.h"

using namespace clang;

namespace lastword::analysis {
namespace {

// Nesting of containers, arrays and bases followed before giving up.
constexpr unsigned MaxTypeDepth = limitOf(Budget::TypeDepth);
// Calls from a trace method into the class's own helpers followed.
constexpr unsigned MaxTraceHelperDepth = limitOf(Budget::TraceHelperDepth);

const CXXRecordDecl *definitionOf(const CXXRecordDecl *Record) {
  if (!Record)
    return nullptr;
  if (const CXXRecordDecl *Definition = Record->getDefinition())
    return Definition;
  return Record;
}

const CXXRecordDecl *canonicalRecord(const CXXRecordDecl *Record) {
  return Record ? Record->getCanonicalDecl() : nullptr;
}

const RecordDecl *canonicalRecord(const RecordDecl *Record) {
  return Record ? cast<RecordDecl>(Record->getCanonicalDecl()) : nullptr;
}

/// The standard class templates that hold values of their type arguments.
bool isStdContainer(const NamedDecl &Template) {
  static const llvm::StringSet<> Names = {"vector",
                                          "deque",
                                          "list",
                                          "forward_list",
                                          "array",
                                          "map",
                                          "multimap",
                                          "unordered_map",
                                          "unordered_multimap",
                                          "set",
                                          "multiset",
                                          "unordered_set",
                                          "unordered_multiset",
                                          "optional",
                                          "pair",
                                          "tuple",
                                          "variant",
                                          "span",
                                          "queue",
                                          "stack",
                                          "priority_queue"};
  return Template.isInStdNamespace() && Template.getIdentifier() &&
         Names.contains(Template.getIdentifier()->getName());
}

bool isStdSmartPointer(const NamedDecl &Template) {
  return Template.isInStdNamespace() &&
         (hasName(&Template, "unique_ptr") || hasName(&Template, "shared_ptr") ||
          hasName(&Template, "weak_ptr"));
}

/// The class template \p Type is a specialization of, and its type
/// arguments, as written (dependent) or as instantiated.
const NamedDecl *templateArguments(QualType Type, llvm::SmallVectorImpl<QualType> &Args) {
  Type = Type.getNonReferenceType();
  for (const clang::Type *T = Type.getTypePtr(); T;) {
    if (const auto *Specialization = dyn_cast<TemplateSpecializationType>(T))
      if (const TemplateDecl *Template = Specialization->getTemplateName().getAsTemplateDecl();
          Template && isa<ClassTemplateDecl>(Template)) {
        for (const TemplateArgument &Arg : Specialization->template_arguments())
          if (Arg.getKind() == TemplateArgument::Type)
            Args.push_back(Arg.getAsType());
        return Template;
      }
    QualType Next = T->getLocallyUnqualifiedSingleStepDesugaredType();
    if (Next.getTypePtr() == T)
      break;
    T = Next.getTypePtr();
  }
  if (const auto *Specialization =
          dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl())) {
    for (const TemplateArgument &Arg : Specialization->getTemplateArgs().asArray())
      if (Arg.getKind() == TemplateArgument::Type)
        Args.push_back(Arg.getAsType());
    return Specialization->getSpecializedTemplate();
  }
  return nullptr;
}

const CXXRecordDecl *classOf(QualType Type) {
  if (Type.isNull())
    return nullptr;
  Type = Type.getNonReferenceType();
  if (const CXXRecordDecl *Record = Type->getAsCXXRecordDecl())
    return Record;
  // A dependent specialization written in a template (`Box<T>`).
  if (const auto *Specialization = Type->getAs<TemplateSpecializationType>())
    if (const auto *Template = dyn_cast_or_null<ClassTemplateDecl>(
            Specialization->getTemplateName().getAsTemplateDecl()))
      return Template->getTemplatedDecl();
  return nullptr;
}

/// The field of `this` that \p E names, looking through casts, `&`,
/// subscripts, `.get()` and member-of-member (`pair_.first` is `pair_`).
const FieldDecl *fieldOfThis(const Expr *E,
                             const llvm::DenseMap<const VarDecl *, const FieldDecl *> &LoopVars) {
  for (unsigned Step = 0; E && Step < 16; ++Step) {
    E = skipTemporaries(E->IgnoreParenCasts());
    if (!E)
      return nullptr;
    const Expr *Stripped = stripObjectWrappers(E);
    if (Stripped && Stripped != E) {
      E = Stripped;
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() == UO_AddrOf || Unary->getOpcode() == UO_Deref) {
        E = Unary->getSubExpr();
        continue;
      }
      return nullptr;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      E = Subscript->getBase();
      continue;
    }
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(E)) {
      if ((Operator->getOperator() == OO_Subscript || Operator->getOperator() == OO_Star ||
           Operator->getOperator() == OO_Arrow) &&
          Operator->getNumArgs() >= 1) {
        E = Operator->getArg(0);
        continue;
      }
      return nullptr;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
        auto It = LoopVars.find(Var);
        return It == LoopVars.end() ? nullptr : It->second;
      }
      return nullptr;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (!Field)
        return nullptr;
      const Expr *Base = Member->getBase()->IgnoreParenImpCasts();
      if (isa<CXXThisExpr>(Base))
        return Field;
      E = Base; // `pair_.first`: the field of this is further in
      continue;
    }
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(E)) {
      if (!Dependent->isImplicitAccess() &&
          !isa<CXXThisExpr>(Dependent->getBase()->IgnoreParenImpCasts()))
        E = Dependent->getBase();
      else
        return nullptr;
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

/// Names the unresolved callee of a call in a template as written
/// (`visitor->Trace(field_)` where the argument is dependent).
StringRef unresolvedMemberName(const Expr *Callee) {
  if (!Callee)
    return {};
  Callee = Callee->IgnoreParenImpCasts();
  if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(Callee))
    return Dependent->getMember().isIdentifier()
               ? Dependent->getMember().getAsIdentifierInfo()->getName()
               : StringRef();
  if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee))
    return Unresolved->getName().isIdentifier()
               ? Unresolved->getName().getAsIdentifierInfo()->getName()
               : StringRef();
  return {};
}

bool isMacroNamed(SourceLocation Loc, const NameList &Macros, const SourceManager &SM,
                  const LangOptions &LangOpts) {
  for (unsigned Step = 0; Loc.isMacroID() && Step < 16; ++Step) {
    StringRef Name = Lexer::getImmediateMacroName(Loc, SM, LangOpts);
    if (!Name.empty() && Macros.mayMatch(Name) && Macros.matches(Name))
      return true;
    Loc = SM.getImmediateMacroCallerLoc(Loc);
  }
  return false;
}

} // namespace

/// What the translation unit allocates and registers, from one walk of the
/// user code.
struct CollectedTypes::TranslationUnitFacts {
  /// Canonical declarations; C structs too (Boehm's C interface).
  llvm::SmallPtrSet<const RecordDecl *, 32> Allocated;
  std::vector<FinalizableType> Finalizable;
  llvm::DenseMap<const CXXRecordDecl *, size_t> FinalizableIndex;

  void addSite(const CXXRecordDecl *Record, FinalizerSite Site) {
    Record = canonicalRecord(Record);
    if (!Record)
      return;
    auto [It, Inserted] = FinalizableIndex.try_emplace(Record, Finalizable.size());
    if (Inserted)
      Finalizable.push_back(FinalizableType{definitionOf(Record), {}});
    Finalizable[It->second].Sites.push_back(Site);
  }
};

namespace {

class FactsCollector : public RecursiveASTVisitor<FactsCollector> {
public:
  FactsCollector(ASTContext &Context, const ApiProfile &Profile, CollectedTypes &Types,
                 llvm::SmallPtrSetImpl<const RecordDecl *> &Allocated,
                 llvm::function_ref<void(const CXXRecordDecl *, FinalizerSite)> AddSite)
      : Context(Context), SM(Context.getSourceManager()), Profile(Profile), Types(Types),
        Allocated(Allocated), AddSite(AddSite) {
    for (ApiRole Role : {ApiRole::Allocation, ApiRole::Finalizer, ApiRole::Cleanup})
      for (const ApiFunction &Function : Profile.functions(Role)) {
        StringRef Name = Function.Name;
        size_t Colon = Name.rfind(':');
        CallNames.insert(Colon == StringRef::npos ? Name : Name.drop_front(Colon + 1));
      }
  }

  bool shouldVisitTemplateInstantiations() const { return true; }
  bool shouldWalkTypesOfTypeLocs() const { return false; }

  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    if (!isa<TranslationUnitDecl>(D) && D->getLocation().isValid() &&
        SM.isInSystemHeader(SM.getExpansionLoc(D->getLocation())))
      return true;
    const auto *Function = dyn_cast<FunctionDecl>(D);
    bool Enters = Function && Function->doesThisDeclarationHaveABody();
    if (Enters)
      Enclosing.push_back(Function);
    bool Result = RecursiveASTVisitor::TraverseDecl(D);
    if (Enters)
      Enclosing.pop_back();
    return Result;
  }

  bool VisitCallExpr(CallExpr *Call) {
    if (!mayBeApiCall(*Call))
      return true;
    if (std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Allocation)) {
      if (const RecordDecl *Record = allocatedRecord(Call->getType()))
        noteAllocated(Record);
      return true;
    }
    for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup}) {
      std::optional<ApiCall> Api = classifyCall(*Call, Profile, Role);
      if (!Api || Api->Unregisters || !Api->Object)
        continue;
      const Expr *Object = lookThrough(Api->Object);
      const CXXRecordDecl *Record = dyn_cast_or_null<CXXRecordDecl>(registeredRecord(Api->Object));
      if (!Record && Object)
        Record = pointee(Object->getType());
      if (!Record)
        continue;
      FinalizerSite Site;
      Site.Source = Role == ApiRole::Finalizer ? FinalizableSource::Registration
                                               : FinalizableSource::CleanupRegistration;
      Site.Registration = Call;
      Site.Callback = Api->Callback;
      if (std::optional<CallableTarget> Target = resolveCallable(Api->Callback))
        Site.Finalizer = definition(Target->Body);
      Site.EnclosingFunction = Enclosing.empty() ? nullptr : Enclosing.back();
      Site.Loc = Call->getBeginLoc();
      noteAllocated(Record);
      AddSite(Record, Site);
      return true;
    }
    return true;
  }

  // `(T *)GC_MALLOC(sizeof(T))`, and C's implicit conversion from void *.
  bool VisitCastExpr(CastExpr *Cast) {
    const auto *Call = dyn_cast<CallExpr>(Cast->getSubExpr()->IgnoreParenImpCasts());
    if (!Call || !mayBeApiCall(*Call) || !classifyCall(*Call, Profile, ApiRole::Allocation))
      return true;
    if (const RecordDecl *Record = allocatedRecord(Cast->getType()))
      noteAllocated(Record);
    return true;
  }

  // A member wrapper's target is collected: `member<Node> next;`.
  bool VisitFieldDecl(FieldDecl *Field) {
    QualType Type = Field->getType();
    for (TypeRole Role : {TypeRole::Member, TypeRole::WeakMember, TypeRole::UntracedMember}) {
      if (Profile.types(Role).empty() || !Profile.matchType(Role, Type))
        continue;
      llvm::SmallVector<QualType, 2> Args;
      templateArguments(Type, Args);
      if (!Args.empty())
        if (const CXXRecordDecl *Target = classOf(Args.front()))
          noteAllocated(Target);
      break;
    }
    return true;
  }

  bool VisitCXXNewExpr(CXXNewExpr *New) {
    if (!Profile.readsBoehmCpp() || !isPlacementCollectedNew(*New, Profile))
      return true;
    const CXXRecordDecl *Record = New->getAllocatedType()->getAsCXXRecordDecl();
    if (!Record)
      return true;
    noteAllocated(Record);
    if (std::optional<ApiCall> Api = classifyBoehmNew(*New, Profile)) {
      FinalizerSite Site;
      Site.Source = FinalizableSource::PlacementNew;
      Site.Registration = New;
      Site.Callback = Api->Callback;
      if (std::optional<CallableTarget> Target = resolveCallable(Api->Callback))
        Site.Finalizer = definition(Target->Body);
      Site.EnclosingFunction = Enclosing.empty() ? nullptr : Enclosing.back();
      Site.Loc = New->getBeginLoc();
      AddSite(Record, Site);
    }
    return true;
  }

  bool VisitCXXRecordDecl(CXXRecordDecl *Record) {
    if (!Record->isThisDeclarationADefinition() || Record->isLambda())
      return true;
    if (Profile.is(TypeRole::Finalizable, *Record)) {
      FinalizerSite Site;
      Site.Source = FinalizableSource::Option;
      Site.Finalizer = userDestructor(*Record);
      Site.Loc = Record->getLocation();
      AddSite(Record, Site);
    }
    if (!Profile.types(TypeRole::FinalizableBase).empty() &&
        isBoehmCleanupClass(*Record, Profile)) {
      FinalizerSite Site;
      Site.Source = FinalizableSource::FinalizableBase;
      Site.Finalizer = userDestructor(*Record);
      Site.Loc = Record->getLocation();
      for (const CXXBaseSpecifier &Base : Record->bases())
        if (const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl())
          if (derivesFrom(*BaseRecord, Profile.types(TypeRole::FinalizableBase))) {
            Site.Loc = Base.getBeginLoc();
            break;
          }
      AddSite(Record, Site);
    }
    const NameList &PreFinalizerMacros = Profile.types(TypeRole::PreFinalizerMacro);
    if (!PreFinalizerMacros.empty())
      for (const Decl *Member : Record->decls()) {
        const auto *Method = dyn_cast<CXXMethodDecl>(Member);
        if (!Method || !Method->getLocation().isMacroID() ||
            !isMacroNamed(Method->getLocation(), PreFinalizerMacros, SM, Context.getLangOpts()))
          continue;
        FinalizerSite Site;
        Site.Source = FinalizableSource::PreFinalizer;
        Site.Loc = SM.getExpansionLoc(Method->getLocation());
        // The generated function calls the named pre-finalizer on the object.
        visitStmts(Method->getBody(), [&](const Stmt &S) {
          if (const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(&S))
            if (!Site.Finalizer && MemberCall->getMethodDecl() &&
                MemberCall->getMethodDecl()->getParent() == Record)
              Site.Finalizer = definition(MemberCall->getMethodDecl());
          return !Site.Finalizer;
        });
        AddSite(Record, Site);
        break;
      }
    return true;
  }

private:
  bool mayBeApiCall(const CallExpr &Call) const {
    const NamedDecl *Callee = Call.getDirectCallee();
    if (!Callee)
      Callee = calledFunctionPointer(Call);
    return Callee && Callee->getIdentifier() &&
           CallNames.contains(Callee->getIdentifier()->getName());
  }

  static const FunctionDecl *definition(const FunctionDecl *Function) {
    const FunctionDecl *Definition = nullptr;
    if (Function && Function->hasBody(Definition) && Definition)
      return Definition;
    return Function;
  }

  static const FunctionDecl *userDestructor(const CXXRecordDecl &Record) {
    const CXXDestructorDecl *Destructor = Record.getDestructor();
    return Destructor && !Destructor->isImplicit() ? definition(Destructor) : nullptr;
  }

  const CXXRecordDecl *pointee(QualType Type) const {
    if (Type.isNull())
      return nullptr;
    Type = Type.getNonReferenceType();
    if (Type->isPointerType())
      return Type->getPointeeType()->getAsCXXRecordDecl();
    return Types.pointeeRecord(Type);
  }

  /// The record a pointer from an allocation points to: a class, or a C
  /// struct (C's implicit conversion from `void *` included).
  const RecordDecl *allocatedRecord(QualType Type) const {
    if (!Type.isNull() && Type->isPointerType())
      if (const RecordDecl *Record = Type->getPointeeType()->getAsRecordDecl())
        return Record;
    return pointee(Type);
  }

  void noteAllocated(const RecordDecl *Record, unsigned Depth = 0) {
    if (!Record)
      return;
    if (Depth > MaxTypeDepth) {
      budgetReached(Budget::TypeDepth);
      return;
    }
    if (!Allocated.insert(canonicalRecord(Record)).second)
      return;
    const auto *Class = dyn_cast<CXXRecordDecl>(Record);
    if (!Class)
      return;
    // Questions about a class template as written see its pattern.
    if (const auto *Specialization = dyn_cast<ClassTemplateSpecializationDecl>(Class))
      if (const ClassTemplateDecl *Template = Specialization->getSpecializedTemplate())
        Allocated.insert(canonicalRecord(Template->getTemplatedDecl()));
    // The bases of an allocated class are parts of collected objects.
    if (const CXXRecordDecl *Definition = Class->getDefinition())
      for (const CXXBaseSpecifier &Base : Definition->bases())
        noteAllocated(classOf(Base.getType()), Depth + 1);
  }

  ASTContext &Context;
  const SourceManager &SM;
  const ApiProfile &Profile;
  CollectedTypes &Types;
  llvm::SmallPtrSetImpl<const RecordDecl *> &Allocated;
  llvm::function_ref<void(const CXXRecordDecl *, FinalizerSite)> AddSite;
  llvm::StringSet<> CallNames;
  std::vector<const FunctionDecl *> Enclosing;
};

} // namespace

CollectedTypes::CollectedTypes(ASTContext &Context, const ApiProfile &Profile)
    : Context(Context), Profile(Profile) {}

CollectedTypes::~CollectedTypes() = default;

namespace {

/// The facts of one (translation unit, profile), shared by the CollectedTypes
/// of every check on this thread; see forgetSharedTypeFacts.
struct SharedFacts {
  const ASTContext *Context;
  const TranslationUnitDecl *Unit;
  std::string Profile;
  std::weak_ptr<const void> Facts;
  /// The facts themselves, kept between forgetSharedTypeFacts calls (a check
  /// may drop its CollectedTypes at the end of the translation unit before
  /// another check asks); outside them, the facts live as long as a
  /// CollectedTypes holds them.
  std::shared_ptr<const void> Kept;
  /// Budgets the walk reached: each CollectedTypes that takes the facts
  /// reports them again, as when every one made its own walk.
  BudgetCounts Reached;
};

thread_local std::vector<SharedFacts> SharedFactsOfThread;
thread_local bool KeepSharedFacts = false;

std::string profileKey(const ApiProfile &Profile) {
  std::string Key = ApiProfile::flavorName(Profile.flavor()).str();
  for (ApiRole Role : AllApiRoles)
    (Key += '\n') += Profile.serialise(Role);
  for (TypeRole Role : AllTypeRoles)
    (Key += '\n') += Profile.serialise(Role);
  return Key;
}

} // namespace

void forgetSharedTypeFacts() {
  SharedFactsOfThread.clear();
  KeepSharedFacts = true;
}

void CollectedTypes::ensureFacts() {
  if (Facts)
    return;
  const TranslationUnitDecl *Unit = Context.getTranslationUnitDecl();
  std::string Key = profileKey(Profile);
  for (const SharedFacts &Shared : SharedFactsOfThread)
    if (Shared.Context == &Context && Shared.Unit == Unit && Shared.Profile == Key)
      if (std::shared_ptr<const void> Known = Shared.Facts.lock()) {
        Facts = std::static_pointer_cast<const TranslationUnitFacts>(Known);
        replayBudgets(Shared.Reached);
        return;
      }
  BudgetCounts Before = budgetsReachedOnThisThread();
  auto Made = std::make_shared<TranslationUnitFacts>();
  TranslationUnitFacts &F = *Made;
  // The collector keeps a function_ref: the callable must outlive it.
  auto AddSite = [&F](const CXXRecordDecl *Record, FinalizerSite Site) { F.addSite(Record, Site); };
  FactsCollector Collector(Context, Profile, *this, F.Allocated, AddSite);
  Collector.TraverseDecl(Context.getTranslationUnitDecl());
  Facts = Made;
  SharedFacts Shared{&Context,
                     Unit,
                     std::move(Key),
                     std::shared_ptr<const void>(Facts),
                     KeepSharedFacts ? std::shared_ptr<const void>(Facts) : nullptr,
                     budgetsReachedSince(Before)};
  // Entries whose facts nobody holds any more are of finished translation units.
  llvm::erase_if(SharedFactsOfThread, [](const SharedFacts &Old) { return Old.Facts.expired(); });
  SharedFactsOfThread.push_back(std::move(Shared));
}

bool CollectedTypes::isCollectedByDeclaration(const CXXRecordDecl &Record) {
  return collectedByDeclarationAt(Record, 0);
}

bool CollectedTypes::collectedByDeclarationAt(const CXXRecordDecl &Record, unsigned Depth) {
  const CXXRecordDecl *Definition = definitionOf(&Record);
  const CXXRecordDecl *Key = canonicalRecord(Definition);
  if (auto It = ByDeclaration.find(Key); It != ByDeclaration.end())
    return It->second;
  if (Depth > MaxTypeDepth) {
    budgetReached(Budget::TypeDepth);
    return false;
  }
  ByDeclaration[Key] = false; // a class reaching itself through its bases
  bool Collected = derivesFrom(*Definition, Profile.types(TypeRole::CollectedBase)) != nullptr;
  if (!Collected && Definition->hasDefinition()) {
    const NameList &TraceMethods = Profile.types(TypeRole::TraceMethod);
    for (const Decl *Member : Definition->decls()) {
      const auto *Method = dyn_cast<CXXMethodDecl>(Member);
      if (const auto *Template = dyn_cast<FunctionTemplateDecl>(Member))
        Method = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
      if (Method && TraceMethods.matches(*Method)) {
        Collected = true;
        break;
      }
    }
    if (!Collected)
      for (const FieldDecl *Field : Definition->fields()) {
        HandleKind Kind = classifyTypeAt(Field->getType(), Depth + 1).Kind;
        if (Kind == HandleKind::Member || Kind == HandleKind::WeakMember) {
          Collected = true;
          break;
        }
      }
    if (!Collected)
      for (const CXXBaseSpecifier &Base : Definition->bases())
        if (const CXXRecordDecl *BaseRecord = classOf(Base.getType()))
          if (collectedByDeclarationAt(*BaseRecord, Depth + 1)) {
            Collected = true;
            break;
          }
  }
  ByDeclaration[Key] = Collected;
  return Collected;
}

bool CollectedTypes::isCollected(const CXXRecordDecl &Record) {
  if (isCollectedByDeclaration(Record))
    return true;
  ensureFacts();
  const CXXRecordDecl *Key = canonicalRecord(&Record);
  if (Facts->Allocated.contains(Key) || Facts->FinalizableIndex.count(Key))
    return true;
  if (finalizable(Record))
    return true;
  // A class derived from an allocated class is a collected class too.
  llvm::SmallVector<const CXXRecordDecl *, 8> Work = {definitionOf(&Record)};
  llvm::SmallPtrSet<const CXXRecordDecl *, 8> Seen;
  while (!Work.empty() && Seen.size() <= 64) {
    const CXXRecordDecl *Current = Work.pop_back_val();
    if (!Current || !Seen.insert(canonicalRecord(Current)).second)
      continue;
    if (Current != definitionOf(&Record) && Facts->Allocated.contains(canonicalRecord(Current)))
      return true;
    if (const CXXRecordDecl *Definition = Current->getDefinition())
      for (const CXXBaseSpecifier &Base : Definition->bases())
        Work.push_back(classOf(Base.getType()));
  }
  return false;
}

bool CollectedTypes::isCollected(const RecordDecl &Record) {
  if (const auto *Class = dyn_cast<CXXRecordDecl>(&Record))
    return isCollected(*Class);
  // A C struct: collected when an allocation of the profile creates it.
  ensureFacts();
  return Facts->Allocated.contains(canonicalRecord(&Record));
}

const RecordDecl *CollectedTypes::collectedRecord(QualType Type) {
  const RecordDecl *Record = recordOf(Type);
  return Record && isCollected(*Record) ? Record : nullptr;
}

bool isScannedAllocator(QualType Type) {
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  return Record && ApiProfile::scannedAllocators().matches(*Record);
}

// A container whose allocator is one the conservative collector scans
// (`std::vector<Node *, gc_allocator<Node *>>`): its storage is in sight.
static bool allocatesScannedMemory(QualType Type) {
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl());
  if (!Spec)
    return false;
  return llvm::any_of(Spec->getTemplateArgs().asArray(), [](const TemplateArgument &Arg) {
    return Arg.getKind() == TemplateArgument::Type && isScannedAllocator(Arg.getAsType());
  });
}

const RecordDecl *CollectedTypes::collectedInContainer(QualType Type) {
  if (allocatesScannedMemory(Type.getNonReferenceType()))
    return nullptr;
  FieldHandle Handle = classifyType(Type);
  if (!Handle.Container || !Handle.PointeeCollected)
    return nullptr;
  switch (Handle.Kind) {
  case HandleKind::RawPointer:
  case HandleKind::Reference:
    return Handle.Pointee;
  case HandleKind::SmartPointer:
    // A weak_ptr owns nothing: it neither keeps nor hides the object.
    return Handle.Wrapper && hasName(Handle.Wrapper, "weak_ptr") ? nullptr : Handle.Pointee;
  default:
    return nullptr;
  }
}

bool CollectedTypes::holdsMembers(const RecordDecl &Record) { return holdsMembersAt(Record, 0); }

bool CollectedTypes::holdsMembersAt(const RecordDecl &Record, unsigned Depth) {
  const RecordDecl *Definition = Record.getDefinition();
  if (!Definition)
    return false;
  if (Depth > MaxTypeDepth) {
    budgetReached(Budget::TypeDepth);
    return false;
  }
  auto [It, Inserted] = Holds.try_emplace(canonicalRecord(Definition), false);
  if (!Inserted)
    return It->second;
  bool Result = false;
  for (const FieldDecl *Field : Definition->fields()) {
    // Through arrays and standard containers: `std::vector<member<T>>`.
    HandleKind Kind = classifyTypeAt(Field->getType(), 0).Kind;
    if (Kind == HandleKind::Member || Kind == HandleKind::WeakMember ||
        Kind == HandleKind::UntracedMember) {
      Result = true;
      break;
    }
    // A by-value part: `struct Slot { member<T> item; } slots[4];`.
    QualType Part = Context.getBaseElementType(Field->getType().getNonReferenceType());
    if (!Field->getType()->isReferenceType())
      if (const RecordDecl *Inner = Part->getAsRecordDecl())
        if (holdsMembersAt(*Inner, Depth + 1)) {
          Result = true;
          break;
        }
  }
  if (!Result)
    if (const auto *Class = dyn_cast<CXXRecordDecl>(Definition))
      for (const CXXBaseSpecifier &Base : Class->bases())
        if (const CXXRecordDecl *BaseRecord = classOf(Base.getType()))
          if (holdsMembersAt(*BaseRecord, Depth + 1)) {
            Result = true;
            break;
          }
  Holds[canonicalRecord(Definition)] = Result;
  return Result;
}

bool CollectedTypes::operatorNewIsScanned() {
  if (!Profile.readsBoehmCpp())
    return false;
  if (!OperatorNewScanned) {
    OperatorNewScanned = false;
    for (const std::string &Pattern : Profile.types(TypeRole::CollectedBase).patterns()) {
      // Look the name up from the translation unit, one scope at a time.
      llvm::SmallVector<StringRef, 4> Parts;
      StringRef(Pattern).ltrim(':').split(Parts, "::");
      const DeclContext *Scope = Context.getTranslationUnitDecl();
      const NamedDecl *Found = nullptr;
      for (StringRef Part : Parts) {
        auto Id = Context.Idents.find(Part);
        if (!Scope || Id == Context.Idents.end()) {
          Found = nullptr;
          break;
        }
        Found = nullptr;
        for (const NamedDecl *D : Scope->lookup(Id->getValue()))
          if (isa<CXXRecordDecl, NamespaceDecl, ClassTemplateDecl>(D)) {
            Found = D;
            break;
          }
        Scope = Found ? dyn_cast<DeclContext>(Found) : nullptr;
      }
      if (Found) {
        OperatorNewScanned = true;
        break;
      }
    }
  }
  return *OperatorNewScanned;
}

const RecordDecl *recordOf(QualType Type) {
  if (Type.isNull())
    return nullptr;
  Type = Type.getNonReferenceType();
  if (Type->isPointerType())
    Type = Type->getPointeeType();
  while (const auto *Array = Type->getAsArrayTypeUnsafe())
    Type = Array->getElementType();
  const RecordDecl *Record = Type->getAsRecordDecl();
  if (!Record)
    return nullptr;
  const RecordDecl *Definition = Record->getDefinition();
  return Definition ? Definition : Record;
}

bool CollectedTypes::isCollected(QualType Type) {
  const CXXRecordDecl *Record = classOf(Type);
  return Record && isCollected(*Record);
}

const CXXRecordDecl *CollectedTypes::pointeeRecord(QualType Type) {
  if (Type.isNull())
    return nullptr;
  Type = Type.getNonReferenceType();
  if (Type->isPointerType())
    return classOf(Type->getPointeeType());
  FieldHandle Handle = classifyTypeAt(Type, 0);
  if (Handle.InArray || Handle.Container)
    return nullptr;
  return Handle.Pointee;
}

FieldHandle CollectedTypes::classifyType(QualType Type) {
  FieldHandle Handle = classifyTypeAt(Type, 0);
  if (Handle.Pointee)
    Handle.PointeeCollected = isCollected(*Handle.Pointee);
  return Handle;
}

FieldHandle CollectedTypes::classifyField(const FieldDecl &Field) {
  if (auto It = Fields.find(&Field); It != Fields.end())
    return It->second;
  FieldHandle Handle = classifyType(Field.getType());
  Fields[&Field] = Handle;
  return Handle;
}

FieldHandle CollectedTypes::classifyTypeAt(QualType Type, unsigned Depth) {
  FieldHandle Handle;
  if (Type.isNull())
    return Handle;
  if (Depth > MaxTypeDepth) {
    budgetReached(Budget::TypeDepth);
    return Handle;
  }
  if (const auto *Reference = Type->getAs<ReferenceType>()) {
    Handle.Kind = HandleKind::Reference;
    Handle.Pointee = classOf(Reference->getPointeeType());
    return Handle;
  }
  if (const auto *Pointer = Type->getAs<PointerType>()) {
    if (Pointer->getPointeeType()->isFunctionType())
      return Handle;
    Handle.Kind = HandleKind::RawPointer;
    Handle.Pointee = classOf(Pointer->getPointeeType());
    return Handle;
  }
  if (const ArrayType *Array = Type->getAsArrayTypeUnsafe()) {
    Handle = classifyTypeAt(Array->getElementType(), Depth + 1);
    if (Handle)
      Handle.InArray = true;
    return Handle;
  }
  static constexpr std::pair<TypeRole, HandleKind> Wrappers[] = {
      {TypeRole::Member, HandleKind::Member},
      {TypeRole::WeakMember, HandleKind::WeakMember},
      {TypeRole::UntracedMember, HandleKind::UntracedMember},
      {TypeRole::Persistent, HandleKind::Persistent},
      {TypeRole::WeakPersistent, HandleKind::WeakPersistent},
      {TypeRole::Root, HandleKind::Root}};
  llvm::SmallVector<QualType, 4> Args;
  const NamedDecl *Template = nullptr;
  bool HaveArgs = false;
  for (auto [Role, Kind] : Wrappers) {
    if (Profile.types(Role).empty() || !Profile.matchType(Role, Type))
      continue;
    Handle.Kind = Kind;
    Handle.Wrapper = Profile.matchType(Role, Type);
    if (!HaveArgs) {
      Template = templateArguments(Type, Args);
      HaveArgs = true;
    }
    if (!Args.empty())
      Handle.Pointee = classOf(Args.front());
    return Handle;
  }
  Template = templateArguments(Type, Args);
  if (!Template)
    return Handle;
  if (isStdSmartPointer(*Template)) {
    Handle.Kind = HandleKind::SmartPointer;
    Handle.Wrapper = Template;
    if (!Args.empty())
      Handle.Pointee = classOf(Args.front());
    return Handle;
  }
  if (!isStdContainer(*Template))
    return Handle;
  // A map entry whose value is a root (`std::map<std::pair<Shape *,
  // std::string>, persistent<Shape>>`): the key is the lookup identity of
  // what the value keeps alive, not a reference of its own.
  if (Args.size() >= 2 && Template->getIdentifier() &&
      llvm::is_contained({"map", "multimap", "unordered_map", "unordered_multimap"},
                         Template->getName())) {
    FieldHandle Mapped = classifyTypeAt(Args[1], Depth + 1);
    if (Mapped.Kind == HandleKind::Persistent || Mapped.Kind == HandleKind::Root) {
      Mapped.Container = Template; // the outermost container wins
      return Mapped;
    }
  }
  for (QualType Arg : Args) {
    FieldHandle Inner = classifyTypeAt(Arg, Depth + 1);
    if (!Inner)
      continue;
    Inner.Container = Template; // the outermost container wins
    return Inner;
  }
  return Handle;
}

const TraceInfo &CollectedTypes::traceOf(const CXXRecordDecl &Record) {
  const CXXRecordDecl *Definition = definitionOf(&Record);
  std::unique_ptr<TraceInfo> &Slot = Traces[canonicalRecord(Definition)];
  if (Slot)
    return *Slot;
  Slot = std::make_unique<TraceInfo>();
  TraceInfo &Info = *Slot;
  const NameList &TraceMethods = Profile.types(TypeRole::TraceMethod);
  if (TraceMethods.empty() || !Definition->hasDefinition())
    return Info;
  for (const Decl *Member : Definition->decls()) {
    const auto *Method = dyn_cast<CXXMethodDecl>(Member);
    if (const auto *Template = dyn_cast<FunctionTemplateDecl>(Member))
      Method = dyn_cast<CXXMethodDecl>(Template->getTemplatedDecl());
    if (!Method || !TraceMethods.matches(*Method))
      continue;
    const FunctionDecl *Body = nullptr;
    if (Method->hasBody(Body) && Body) {
      Info.Method = cast<CXXMethodDecl>(Body);
      Info.HasBody = true;
      llvm::SmallPtrSet<const FunctionDecl *, 4> Seen;
      scanTrace(*Definition, *Body, Info, 0, Seen);
      break;
    }
    if (!Info.Method)
      Info.Method = Method;
  }
  return Info;
}

void CollectedTypes::scanTrace(const CXXRecordDecl &Record, const FunctionDecl &Function,
                               TraceInfo &Info, unsigned Depth,
                               llvm::SmallPtrSetImpl<const FunctionDecl *> &Seen) {
  if (Depth > MaxTraceHelperDepth) {
    budgetReached(Budget::TraceHelperDepth);
    return;
  }
  if (!Seen.insert(&Function).second || !Function.getBody())
    return;
  const NameList &VisitFunctions = Profile.types(TypeRole::VisitFunction);
  const NameList &TraceMethods = Profile.types(TypeRole::TraceMethod);

  // `for (auto &child : children_) t.visit(child);` visits children_.
  llvm::DenseMap<const VarDecl *, const FieldDecl *> LoopVars;
  visitStmts(Function.getBody(), [&](const Stmt &S) {
    if (const auto *Loop = dyn_cast<CXXForRangeStmt>(&S))
      if (const FieldDecl *Field = fieldOfThis(Loop->getRangeInit(), LoopVars))
        LoopVars[Loop->getLoopVariable()] = Field;
    return true;
  });

  auto NoteField = [&](const FieldDecl *Field, SourceLocation Loc) {
    if (Field && Info.VisitedFields.insert(Field).second)
      Info.VisitedAt.try_emplace(Field, Loc);
  };
  auto PassesVisitor = [&](const CallExpr &Call) {
    for (const Expr *Arg : Call.arguments())
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Arg->IgnoreParenImpCasts()))
        if (const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl()))
          if (Param->getDeclContext() == &Function)
            return true;
    return false;
  };

  visitStmts(Function.getBody(), [&](const Stmt &S) {
    const auto *Call = dyn_cast<CallExpr>(&S);
    if (!Call)
      return true;
    const FunctionDecl *Callee = Call->getDirectCallee();
    bool IsVisit = Callee ? VisitFunctions.matches(*Callee)
                          : VisitFunctions.mayMatch(unresolvedMemberName(Call->getCallee()));
    if (IsVisit) {
      for (const Expr *Arg : Call->arguments())
        NoteField(fieldOfThis(Arg, LoopVars), Call->getBeginLoc());
      return true;
    }
    const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(Call);
    const CXXMethodDecl *Method = MemberCall ? MemberCall->getMethodDecl() : nullptr;
    if (Method && TraceMethods.matches(*Method)) {
      const Expr *Object = MemberCall->getImplicitObjectArgument();
      const Expr *Bare = Object ? Object->IgnoreParenImpCasts() : nullptr;
      if (isa_and_nonnull<CXXThisExpr>(Bare)) {
        // `Base::trace(t)`: the base's part of the object is traced.
        const CXXRecordDecl *Owner = canonicalRecord(Method->getParent());
        if (Owner && Owner != canonicalRecord(&Record) && Info.TracedBases.insert(Owner).second)
          Info.VisitedAt.try_emplace(Owner, Call->getBeginLoc());
      } else {
        // `part_.trace(t)`: an embedded object traces its own members.
        NoteField(fieldOfThis(Object, LoopVars), Call->getBeginLoc());
      }
      return true;
    }
    if (!PassesVisitor(*Call))
      return true;
    // A helper of the class handed the visitor traces on its behalf.
    if (Method && MemberCall &&
        isa_and_nonnull<CXXThisExpr>(
            MemberCall->getImplicitObjectArgument()
                ? MemberCall->getImplicitObjectArgument()->IgnoreParenImpCasts()
                : nullptr)) {
      const FunctionDecl *Body = nullptr;
      if (Method->hasBody(Body) && Body)
        scanTrace(Record, *Body, Info, Depth + 1, Seen);
      return true;
    }
    // Any other function handed the visitor and a field visits that field
    // (`trace_all(t, items_)`).
    for (const Expr *Arg : Call->arguments())
      NoteField(fieldOfThis(Arg, LoopVars), Call->getBeginLoc());
    return true;
  });
}

const std::vector<FinalizableType> &CollectedTypes::finalizableTypes() {
  ensureFacts();
  return Facts->Finalizable;
}

const FinalizableType *CollectedTypes::finalizable(const CXXRecordDecl &Record) {
  ensureFacts();
  if (Facts->Finalizable.empty())
    return nullptr;
  llvm::SmallVector<const CXXRecordDecl *, 8> Work = {definitionOf(&Record)};
  llvm::SmallPtrSet<const CXXRecordDecl *, 8> Seen;
  while (!Work.empty() && Seen.size() <= 64) {
    const CXXRecordDecl *Current = Work.pop_back_val();
    if (!Current || !Seen.insert(canonicalRecord(Current)).second)
      continue;
    if (auto It = Facts->FinalizableIndex.find(canonicalRecord(Current));
        It != Facts->FinalizableIndex.end())
      return &Facts->Finalizable[It->second];
    if (const CXXRecordDecl *Definition = Current->getDefinition())
      for (const CXXBaseSpecifier &Base : Definition->bases())
        Work.push_back(classOf(Base.getType()));
  }
  return nullptr;
}

} // namespace lastword::analysis
