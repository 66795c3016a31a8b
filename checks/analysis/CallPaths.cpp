//===--- CallPaths.cpp ----------------------------------------------------===//

#include "analysis/CallPaths.h"
#include "analysis/ApiProfile.h"
#include "analysis/Budgets.h"
#include "analysis/Callables.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

using namespace clang;

namespace lastword::analysis {
namespace {

bool isInSystemHeader(const Decl &D) {
  const SourceManager &SM = D.getASTContext().getSourceManager();
  return SM.isInSystemHeader(SM.getExpansionLoc(D.getLocation()));
}

// Inline namespaces (std::__cxx11) are left out of qualified names.
bool nameMatches(const NamedDecl &D, llvm::StringRef Pattern) {
  return matchesQualifiedName(D.getQualifiedNameAsString(), Pattern);
}

// Standard functions that call their callable arguments before returning
// (unlike push_back or std::function, which store them for later).
bool invokesCallablesNow(const FunctionDecl *Callee) {
  static const llvm::StringSet<> Names = {"invoke",
                                          "invoke_r",
                                          "apply",
                                          "call_once",
                                          "visit",
                                          "for_each",
                                          "for_each_n",
                                          "transform",
                                          "all_of",
                                          "any_of",
                                          "none_of",
                                          "find_if",
                                          "find_if_not",
                                          "count_if",
                                          "remove_if",
                                          "remove_copy_if",
                                          "replace_if",
                                          "copy_if",
                                          "partition",
                                          "stable_partition",
                                          "sort",
                                          "stable_sort",
                                          "partial_sort",
                                          "nth_element",
                                          "min_element",
                                          "max_element",
                                          "generate",
                                          "generate_n",
                                          "accumulate",
                                          "reduce",
                                          "transform_reduce",
                                          "inner_product",
                                          "adjacent_find",
                                          "unique",
                                          "equal",
                                          "mismatch",
                                          "lower_bound",
                                          "upper_bound",
                                          "binary_search",
                                          "is_sorted",
                                          "is_partitioned",
                                          "erase_if",
                                          "inclusive_scan",
                                          "exclusive_scan",
                                          "transform_inclusive_scan",
                                          "transform_exclusive_scan"};
  if (!Callee || !Callee->isInStdNamespace() || !Callee->getIdentifier())
    return false;
  return Names.contains(Callee->getName());
}

const FunctionDecl *definitionOf(const FunctionDecl *Callee) {
  if (!Callee)
    return nullptr;
  const FunctionDecl *Definition = nullptr;
  if (!Callee->hasBody(Definition) || !Definition || isInSystemHeader(*Definition))
    return nullptr;
  return Definition;
}

/// The destructor that destroying an object of \p Type runs, when it does
/// something (not trivial).
const CXXDestructorDecl *destructorOf(QualType Type) {
  if (Type.isNull())
    return nullptr;
  const clang::Type *Element = Type->getBaseElementTypeUnsafe();
  const CXXRecordDecl *Record = Element ? Element->getAsCXXRecordDecl() : nullptr;
  if (!Record || !Record->hasDefinition() || Record->hasTrivialDestructor())
    return nullptr;
  return Record->getDestructor();
}

/// The call operator of the user's deleter class that destroying a
/// `std::unique_ptr<T, D>` runs, or null.
const CXXMethodDecl *userDeleterOf(const FunctionDecl *Destructor) {
  const auto *Dtor = dyn_cast_or_null<CXXDestructorDecl>(Destructor);
  const auto *Pointer =
      Dtor ? dyn_cast<ClassTemplateSpecializationDecl>(Dtor->getParent()) : nullptr;
  if (!Pointer || !Pointer->isInStdNamespace() || !Pointer->getIdentifier() ||
      Pointer->getName() != "unique_ptr" || Pointer->getTemplateArgs().size() < 2)
    return nullptr;
  const TemplateArgument &Arg = Pointer->getTemplateArgs()[1];
  if (Arg.getKind() != TemplateArgument::Type)
    return nullptr;
  const CXXRecordDecl *Deleter = Arg.getAsType()->getAsCXXRecordDecl();
  if (!Deleter || !Deleter->hasDefinition() || isInSystemHeader(*Deleter))
    return nullptr;
  for (const CXXMethodDecl *Method : Deleter->getDefinition()->methods())
    if (Method->getOverloadedOperator() == OO_Call)
      return Method;
  return nullptr;
}

/// The methods of the translation unit that override others (function
/// bodies, and so local classes, are not entered).
class OverrideIndexer : public RecursiveASTVisitor<OverrideIndexer> {
public:
  using Index = llvm::DenseMap<const CXXMethodDecl *, llvm::SmallVector<const CXXMethodDecl *, 2>>;
  explicit OverrideIndexer(Index &Out) : Out(Out) {}
  bool shouldVisitTemplateInstantiations() const { return true; }
  bool TraverseStmt(Stmt *) { return true; }
  bool TraverseDecl(Decl *D) {
    if (!D)
      return true;
    // User classes are declared in user code; namespaces reopened there
    // are declarations of their own.
    if (!isa<TranslationUnitDecl>(D) && isInSystemHeader(*D))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool VisitCXXMethodDecl(CXXMethodDecl *Method) {
    if (Method->size_overridden_methods() == 0 || isInSystemHeader(*Method))
      return true;
    // Every method it overrides, however far up.
    llvm::SmallVector<const CXXMethodDecl *, 4> Work(Method->overridden_methods());
    llvm::SmallPtrSet<const CXXMethodDecl *, 8> Seen;
    while (!Work.empty()) {
      const CXXMethodDecl *Base = Work.pop_back_val();
      if (!Base || !Seen.insert(Base->getCanonicalDecl()).second)
        continue;
      auto &List = Out[Base->getCanonicalDecl()];
      if (!llvm::is_contained(List, Method))
        List.push_back(Method);
      Work.append(Base->overridden_methods().begin(), Base->overridden_methods().end());
    }
    return true;
  }

private:
  Index &Out;
};

} // namespace

std::string describeImplicitStep(const CallStep &Step) {
  std::string Name = Step.Destroyed && Step.Destroyed->getIdentifier()
                         ? "'" + Step.Destroyed->getNameAsString() + "'"
                         : std::string();
  switch (Step.Implicit) {
  case ImplicitCall::None:
    return {};
  case ImplicitCall::ScopeEnd:
    return (Name.empty() ? std::string("the variable") : Name) +
           " is destroyed at the end of its scope";
  case ImplicitCall::Delete:
    return "'delete' destroys the object";
  case ImplicitCall::Temporary:
    return "the temporary is destroyed at the end of the statement";
  case ImplicitCall::Member:
    return "the member " + (Name.empty() ? std::string("object") : Name) +
           " is destroyed with its object";
  case ImplicitCall::Base:
    return "the base class part is destroyed with the object";
  }
  return {};
}

const Stmt *constantlyDeadBranch(const IfStmt &If, const ASTContext &Context) {
  const Expr *Cond = If.getCond();
  if (!Cond || If.getConditionVariable() || Cond->isValueDependent() || Cond->isTypeDependent() ||
      Cond->isInstantiationDependent() || Cond->containsErrors())
    return nullptr;
  // Only shapes that are cheap to evaluate (the evaluator recurses, and
  // generated code nests conditions deeply): `if constexpr`, whose value
  // Sema already computed, and a literal or a named constant, maybe negated.
  if (!If.isConstexpr()) {
    const Expr *E = Cond->IgnoreParenImpCasts();
    for (unsigned Depth = 0; Depth < 4; ++Depth) {
      const auto *Not = dyn_cast<UnaryOperator>(E);
      if (!Not || Not->getOpcode() != UO_LNot)
        break;
      E = Not->getSubExpr()->IgnoreParenImpCasts();
    }
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    bool Named = Ref && (isa<EnumConstantDecl>(Ref->getDecl()) ||
                         (isa<VarDecl>(Ref->getDecl()) &&
                          cast<VarDecl>(Ref->getDecl())->getType().isConstQualified()));
    if (!Named && !isa<IntegerLiteral, CXXBoolLiteralExpr>(E))
      return nullptr;
  }
  bool Value = false;
  if (!Cond->EvaluateAsBooleanCondition(Value, Context) || Cond->HasSideEffects(Context))
    return nullptr;
  return Value ? If.getElse() : If.getThen();
}

const std::vector<std::string> &defaultOffloadFunctions() {
  static const std::vector<std::string> Names = {"std::thread", "std::jthread", "std::async",
                                                 "pthread_create"};
  return Names;
}

CallPathFinder::CallPathFinder(SinkPredicate IsSink, Reach Mode,
                               std::vector<std::string> OffloadFunctions)
    : CallPathFinder(
          SinkPredicateIn([IsSink = std::move(IsSink)](const Expr &Call, const FunctionDecl *) {
            return IsSink && IsSink(Call);
          }),
          Mode, std::move(OffloadFunctions)) {}

CallPathFinder::CallPathFinder(SinkPredicateIn IsSink, Reach Mode,
                               std::vector<std::string> OffloadFunctions)
    : IsSink(std::move(IsSink)), Mode(Mode), OffloadFunctions(std::move(OffloadFunctions)) {
  if (this->OffloadFunctions.empty())
    this->OffloadFunctions = defaultOffloadFunctions();
}

bool CallPathFinder::isOffloadingCall(const Expr &Call) const {
  const NamedDecl *Callee = nullptr;
  if (const auto *C = dyn_cast<CallExpr>(&Call))
    Callee = C->getDirectCallee();
  else if (const auto *Construct = dyn_cast<CXXConstructExpr>(&Call))
    Callee = Construct->getConstructor();
  if (!Callee)
    return false;
  const auto *Ctor = dyn_cast<CXXConstructorDecl>(Callee);
  return llvm::any_of(OffloadFunctions, [&](const std::string &Pattern) {
    return nameMatches(*Callee, Pattern) || (Ctor && nameMatches(*Ctor->getParent(), Pattern));
  });
}

std::optional<CallPath> CallPathFinder::findPath(const FunctionDecl &Function) {
  std::optional<CallPath> Path = findPathAt(Function, 0);
  forgetProvisional();
  return Path;
}

void CallPathFinder::forgetProvisional() {
  for (const FunctionDecl *Definition : Provisional)
    if (auto It = Summaries.find(Definition);
        It != Summaries.end() && It->second.Progress == State::Done && !It->second.Path)
      Summaries.erase(It);
  Provisional.clear();
  InProgressHits = 0;
}

std::optional<CallPath> CallPathFinder::findPathAt(const FunctionDecl &Function, unsigned Depth) {
  const FunctionDecl *Definition = nullptr;
  if (!Function.hasBody(Definition) || !Definition)
    return std::nullopt;
  if (auto It = Summaries.find(Definition); It != Summaries.end()) {
    if (It->second.Progress == State::InProgress)
      ++InProgressHits;     // recursion: the answer of the callers is provisional
    return It->second.Path; // Done, or a recursive call still in progress.
  }
  if (Depth >= limitOf(Budget::CallDepth)) {
    budgetReached(Budget::CallDepth);
    return std::nullopt; // too deep to follow; not memoised, a shallower caller may retry
  }
  Summaries.try_emplace(Definition);
  unsigned HitsBefore = InProgressHits;
  std::optional<CallPath> Path = searchStmt(Definition->getBody(), Depth, Definition);
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Definition))
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (!Path && Init && Init->isWritten())
        Path = searchStmt(Init->getInit(), Depth, Definition);
  if (const auto *Dtor = dyn_cast<CXXDestructorDecl>(Definition); Dtor && !Path)
    Path = searchMemberDestructors(*Dtor, Depth);
  Summary &Entry = Summaries[Definition];
  Entry.Progress = State::Done;
  Entry.Path = Path;
  if (!Path && InProgressHits != HitsBefore)
    Provisional.push_back(Definition);
  return Path;
}

std::optional<CallPath> CallPathFinder::findPath(const Stmt &S) {
  std::optional<CallPath> Path = searchStmt(&S, 0, nullptr);
  forgetProvisional();
  return Path;
}

// Can \p S end the current iteration of its enclosing loop with a
// `continue` (not one of a loop nested in it)? A worklist, not recursion:
// generated code nests statements and expressions thousands deep.
bool CallPathFinder::mayContinue(const Stmt &S) {
  auto [Known, New] = Continues.try_emplace(&S, false);
  if (New)
    Known->second = mayEndIteration(S);
  return Known->second;
}

bool CallPathFinder::runsEveryTime(const Stmt &Parent, const Stmt &Child) const {
  if (Mode == Reach::AnyPath)
    return true;
  if (const auto *If = dyn_cast<IfStmt>(&Parent))
    return &Child == If->getCond() || &Child == If->getInit() ||
           &Child == If->getConditionVariableDeclStmt();
  if (const auto *Switch = dyn_cast<SwitchStmt>(&Parent))
    return &Child == Switch->getCond() || &Child == Switch->getInit();
  if (const auto *Conditional = dyn_cast<AbstractConditionalOperator>(&Parent))
    return &Child == Conditional->getCond();
  if (const auto *Binary = dyn_cast<BinaryOperator>(&Parent))
    return !Binary->isLogicalOp() || &Child == Binary->getLHS();
  if (const auto *Try = dyn_cast<CXXTryStmt>(&Parent))
    return &Child == Try->getTryBlock();
  // A loop body may run zero times; its condition runs at least once.
  if (const auto *While = dyn_cast<WhileStmt>(&Parent))
    return &Child == While->getCond();
  if (const auto *For = dyn_cast<ForStmt>(&Parent))
    return &Child == For->getInit() || &Child == For->getCond();
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(&Parent))
    return &Child != Range->getBody() && &Child != Range->getLoopVarStmt();
  return !isa<CXXCatchStmt>(&Parent);
}

std::optional<CallPath> CallPathFinder::searchCall(const Expr &Call, const FunctionDecl *Callee,
                                                   unsigned Depth, const FunctionDecl *Within) {
  CallStep Step;
  Step.Call = &Call;
  Step.Callee = Callee;
  if (IsSink && IsSink(Call, Within))
    return CallPath{Step};
  if (const FunctionDecl *Definition = definitionOf(Callee)) {
    if (std::optional<CallPath> Rest = findPathAt(*Definition, Depth + 1)) {
      Step.Callee = Definition;
      CallPath Path{Step};
      Path.insert(Path.end(), Rest->begin(), Rest->end());
      return Path;
    }
  }
  // A virtual call may run any override the translation unit shows.
  if (const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
      Method && dispatchesVirtually(Call, *Method)) {
    return searchOverrides(Step, *Method, Depth, Within);
  }
  // A call through a callable field runs whatever the TU stores there.
  const auto *CallThrough = dyn_cast<CallExpr>(&Call);
  if (const FieldDecl *Hook = CallThrough ? calledCallableField(*CallThrough) : nullptr)
    for (const CallableTarget &Target : Stored.storedIn(*Hook))
      if (const FunctionDecl *Definition = definitionOf(Target.Body))
        if (std::optional<CallPath> Rest = findPathAt(*Definition, Depth + 1)) {
          CallStep Through = Step;
          Through.Callee = Definition;
          Through.Hook = Hook;
          CallPath Path{Through};
          Path.insert(Path.end(), Rest->begin(), Rest->end());
          return Path;
        }
  return std::nullopt;
}

std::optional<CallPath> CallPathFinder::searchOverrides(const CallStep &Step,
                                                        const CXXMethodDecl &Method, unsigned Depth,
                                                        const FunctionDecl *Within) {
  for (const CXXMethodDecl *Override : Overrides.overridesOf(Method)) {
    CallStep Dispatch = Step;
    Dispatch.Callee = Override;
    Dispatch.Overridden = &Method;
    if (std::optional<CallPath> Path = searchStep(Dispatch, Depth, Within))
      return Path;
  }
  return std::nullopt;
}

std::optional<CallPath> CallPathFinder::searchDefinition(const CallStep &Step, unsigned Depth) {
  const FunctionDecl *Definition = definitionOf(Step.Callee);
  if (!Definition)
    return std::nullopt;
  std::optional<CallPath> Rest = findPathAt(*Definition, Depth + 1);
  if (!Rest)
    return std::nullopt;
  CallPath Path{Step};
  Path.front().Callee = Definition;
  Path.insert(Path.end(), Rest->begin(), Rest->end());
  return Path;
}

std::optional<CallPath> CallPathFinder::searchStep(const CallStep &Step, unsigned Depth,
                                                   const FunctionDecl *Within) {
  if (Step.Implicit != ImplicitCall::None && IsDestructionSink && IsDestructionSink(Step, Within))
    return CallPath{Step};
  if (std::optional<CallPath> Path = searchDefinition(Step, Depth))
    return Path;
  // A std::unique_ptr runs its deleter: a deleter class of the user's is
  // searched like a function.
  if (Step.Implicit != ImplicitCall::None)
    if (const CXXMethodDecl *Deleter = userDeleterOf(Step.Callee)) {
      CallStep Deleting = Step;
      Deleting.Callee = Deleter;
      if (std::optional<CallPath> Path = searchDefinition(Deleting, Depth))
        return Path;
    }
  // `delete base` with a virtual destructor runs the derived one.
  if (Step.Implicit == ImplicitCall::Delete)
    if (const auto *Dtor = dyn_cast_or_null<CXXDestructorDecl>(Step.Callee);
        Dtor && Dtor->isVirtual() && !Step.Overridden)
      return searchOverrides(Step, *Dtor, Depth, Within);
  return std::nullopt;
}

std::optional<CallPath> CallPathFinder::searchMemberDestructors(const CXXDestructorDecl &Destructor,
                                                                unsigned Depth) {
  const CXXRecordDecl *Record = Destructor.getParent();
  if (!Record || !Record->hasDefinition())
    return std::nullopt;
  // Members in reverse order of declaration, then bases.
  llvm::SmallVector<const FieldDecl *, 8> Fields(Record->fields());
  for (const FieldDecl *Field : llvm::reverse(Fields)) {
    const CXXDestructorDecl *FieldDtor = destructorOf(Field->getType());
    if (!FieldDtor)
      continue;
    CallStep Step;
    Step.Callee = FieldDtor;
    Step.Implicit = ImplicitCall::Member;
    Step.Destroyed = Field;
    Step.Loc = Field->getLocation();
    if (std::optional<CallPath> Path = searchStep(Step, Depth, &Destructor))
      return Path;
  }
  for (const CXXBaseSpecifier &Base : Record->bases()) {
    const CXXDestructorDecl *BaseDtor = destructorOf(Base.getType());
    if (!BaseDtor)
      continue;
    CallStep Step;
    Step.Callee = BaseDtor;
    Step.Implicit = ImplicitCall::Base;
    Step.Loc = Base.getBeginLoc();
    if (std::optional<CallPath> Path = searchStep(Step, Depth, &Destructor))
      return Path;
  }
  return std::nullopt;
}

bool dispatchesVirtually(const Expr &Call, const CXXMethodDecl &Method) {
  if (!Method.isVirtual())
    return false;
  const auto *Member = dyn_cast<CXXMemberCallExpr>(&Call);
  if (!Member)
    return false;
  const auto *Callee = dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParens());
  if (!Callee || Callee->hasQualifier())
    return false; // `Base::f()` calls Base's
  const Expr *Object = Member->getImplicitObjectArgument();
  return !Object || !Method.getDevirtualizedMethod(Object, /*IsAppleKext=*/false);
}

llvm::ArrayRef<const CXXMethodDecl *> OverrideIndex::overridesOf(const CXXMethodDecl &Method) {
  if (!Overrides) {
    Overrides.emplace();
    OverrideIndexer Indexer(*Overrides);
    Indexer.TraverseDecl(Method.getASTContext().getTranslationUnitDecl());
  }
  auto It = Overrides->find(Method.getCanonicalDecl());
  if (It == Overrides->end())
    return {};
  return It->second;
}

namespace {
// A lambda written in place as an argument.
/// The temporary a statement makes and throws away (`std::async(f);`,
/// `(void)std::jthread(g);`), or null.
const CXXBindTemporaryExpr *discardedTemporary(const Stmt *S) {
  const auto *E = dyn_cast_or_null<Expr>(S);
  for (unsigned Depth = 0; E && Depth < 8; ++Depth) {
    if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(E))
      return Bind;
    if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
      E = Cleanups->getSubExpr();
    else if (const auto *Cast = dyn_cast<CastExpr>(E);
             Cast && (Cast->getCastKind() == CK_ToVoid || Cast->getCastKind() == CK_NoOp))
      E = Cast->getSubExpr();
    else if (const auto *Paren = dyn_cast<ParenExpr>(E))
      E = Paren->getSubExpr();
    else if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(E))
      E = Temp->getSubExpr();
    else
      return nullptr;
  }
  return nullptr;
}

} // namespace

// Iterative, so that deeply nested expressions (generated code) cannot
// overflow the stack. Visits in evaluation order: a call's arguments, then
// the call itself; a block's statements, then the destructors of its
// locals (last declared first).
std::optional<CallPath> CallPathFinder::searchStmt(const Stmt *Root, unsigned Depth,
                                                   const FunctionDecl *Within) {
  enum class Kind { Visit, Call, Destroy };
  struct Frame {
    const Stmt *S;
    Kind What;
    CallStep Pending; // Destroy
  };
  llvm::SmallVector<Frame, 64> Work;
  llvm::SmallPtrSet<const CXXBindTemporaryExpr *, 4> Discarded;
  if (Root)
    Work.push_back({Root, Kind::Visit, {}});
  while (!Work.empty()) {
    Frame Current = Work.pop_back_val();
    const Stmt *S = Current.S;
    if (Current.What == Kind::Destroy) {
      if (std::optional<CallPath> Path = searchStep(Current.Pending, Depth, Within))
        return Path;
      continue;
    }
    if (Current.What == Kind::Call) {
      const auto *CallSite = cast<Expr>(S);
      const FunctionDecl *Callee = nullptr;
      if (const auto *Call = dyn_cast<CallExpr>(S))
        Callee = Call->getDirectCallee();
      else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S))
        Callee = Construct->getConstructor();
      if (std::optional<CallPath> Path = searchCall(*CallSite, Callee, Depth, Within))
        return Path;
      continue;
    }
    // Code that does not run here.
    if (isa<LambdaExpr>(S) || isa<UnaryExprOrTypeTraitExpr>(S) || isa<CXXNoexceptExpr>(S))
      continue;
    if (const auto *Typeid = dyn_cast<CXXTypeidExpr>(S);
        Typeid && !Typeid->isPotentiallyEvaluated())
      continue;

    const FunctionDecl *Callee = nullptr;
    bool IsCall = false;
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      IsCall = true;
      Callee = Call->getDirectCallee();
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
      IsCall = true;
      Callee = Construct->getConstructor();
    }
    bool Offloads = IsCall && isOffloadingCall(*cast<Expr>(S));
    bool InvokesLambdas = IsCall && !Offloads && invokesCallablesNow(Callee);

    // Implicit destructor calls, after what S evaluates.
    if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(S)) {
      const CXXTemporary *Temporary = Bind->getTemporary();
      if (const CXXDestructorDecl *Dtor = Temporary ? Temporary->getDestructor() : nullptr) {
        CallStep Step;
        Step.Call = Bind->getSubExpr();
        Step.Callee = Dtor;
        Step.Implicit = ImplicitCall::Temporary;
        Step.Discarded = Discarded.contains(Bind);
        Step.Loc = Bind->getBeginLoc();
        Work.push_back({S, Kind::Destroy, Step});
      }
    } else if (const auto *Delete = dyn_cast<CXXDeleteExpr>(S)) {
      if (const CXXDestructorDecl *Dtor = destructorOf(Delete->getDestroyedType())) {
        CallStep Step;
        Step.Call = Delete;
        Step.Callee = Dtor;
        Step.Implicit = ImplicitCall::Delete;
        Work.push_back({S, Kind::Destroy, Step});
      }
    } else if (const auto *Block = dyn_cast<CompoundStmt>(S)) {
      for (const Stmt *Child : Block->body()) {
        if (const CXXBindTemporaryExpr *Bind = discardedTemporary(Child))
          Discarded.insert(Bind);
        const auto *Decls = dyn_cast_or_null<DeclStmt>(Child);
        if (!Decls)
          continue;
        // Pushed before the block's statements, so popped after them, the
        // last declared first.
        for (const Decl *D : Decls->decls()) {
          const auto *Var = dyn_cast<VarDecl>(D);
          if (!Var || !Var->hasLocalStorage() || Var->getType()->isReferenceType())
            continue;
          const CXXDestructorDecl *Dtor = destructorOf(Var->getType());
          if (!Dtor)
            continue;
          CallStep Step;
          Step.Call = Var->getInit();
          Step.Callee = Dtor;
          Step.Implicit = ImplicitCall::ScopeEnd;
          Step.Destroyed = Var;
          Step.Loc = Var->getLocation();
          Work.push_back({S, Kind::Destroy, Step});
        }
      }
    }
    if (IsCall && !Offloads)
      Work.push_back({S, Kind::Call, {}});
    // Children pushed in reverse so that they are visited in source order.
    const Stmt *Dead = nullptr;
    if (const auto *If = dyn_cast<IfStmt>(S))
      if (Within)
        Dead = constantlyDeadBranch(*If, Within->getASTContext());
    llvm::SmallVector<const Stmt *, 8> Children;
    for (const Stmt *Child : S->children()) {
      if (Child && Child != Dead && runsEveryTime(*S, *Child))
        Children.push_back(Child);
      // `if (n % every != 0) continue;`: what follows in the block runs only
      // when the guard lets it, like the body of `if (n % every == 0)`.
      if (Child && Mode == Reach::EveryExecution && isa<CompoundStmt>(S) && mayContinue(*Child))
        break;
    }
    for (const Stmt *Child : llvm::reverse(Children)) {
      Work.push_back({Child, Kind::Visit, {}});
      if (InvokesLambdas)
        if (const auto *Arg = dyn_cast<Expr>(Child))
          if (const LambdaExpr *Lambda = lambdaPassed(Arg))
            Work.push_back({Lambda->getBody(), Kind::Visit, {}});
    }
  }
  return std::nullopt;
}

} // namespace lastword::analysis
