//===--- FinalizerAsReleaseCheck.cpp - gc-finalizer-as-release ------------===//

#include "gc/FinalizerAsReleaseCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/CollectedTypes.h"
#include "analysis/ExprNormalise.h"
#include "analysis/Finalizers.h"
#include "analysis/OptionLists.h"
#include "analysis/ReleasePaths.h"
#include "analysis/ReleasedFields.h"
#include "analysis/SourceUtils.h"
#include "analysis/ThrowingCalls.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {

struct FinalizerAsReleaseCheck::TypeFacts {
  /// Fields the finalizers and cleanups of the type release, and how.
  ReleasedFields::FieldList Fields;
  ReleasedFields::CallList Calls;
  /// A constructor registers the finalizer on `this`: every new object is
  /// finalizable.
  bool ConstructorRegisters = false;
  /// The functions registered as its finalizer (`set_finalizer(f, &close_file)`).
  llvm::SmallPtrSet<const FunctionDecl *, 2> FinalizerFunctions;
  /// Explicit releases, computed on first use.
  bool ReleasesKnown = false;
  std::vector<Release> Explicit;
  /// Methods that give the handle up without releasing it (`fd_ = -1` after
  /// handing it to a pool: `release_to_pool()`, `detach()`): the finalizer
  /// has nothing left to release, so calling one settles the object, but
  /// they are not suggested as the release.
  std::vector<const FunctionDecl *> GivingUp;
};

namespace {

// Does \p Method set one of \p Fields to a constant (`fd_ = -1;`,
// `native_ = nullptr;`) in its own body?
bool resetsField(const FunctionDecl &Method, llvm::ArrayRef<const FieldDecl *> Fields) {
  const FunctionDecl *Definition = nullptr;
  if (Fields.empty() || !Method.hasBody(Definition) || !Definition)
    return false;
  bool Resets = false;
  visitStmts(Definition->getBody(), [&](const Stmt &S) {
    const auto *Assign = dyn_cast<BinaryOperator>(&S);
    if (Resets || !Assign || Assign->getOpcode() != BO_Assign)
      return !Resets;
    const auto *Member = dyn_cast<MemberExpr>(Assign->getLHS()->IgnoreParenImpCasts());
    const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
    const Expr *Value = Assign->getRHS()->IgnoreParenImpCasts();
    if (Field && isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()) &&
        llvm::is_contained(Fields, fieldPattern(Field)) &&
        (Value->isNullPointerConstant(Definition->getASTContext(),
                                      Expr::NPC_ValueDependentIsNotNull) ||
         (!Value->isValueDependent() && Value->isIntegerConstantExpr(Definition->getASTContext()))))
      Resets = true;
    return !Resets;
  });
  return Resets;
}

constexpr const char *DefaultReleaseMethods =
    "close;Close;release;Release;dispose;Dispose;shutdown;Shutdown;disconnect;Disconnect";

const FunctionDecl *canonicalFunction(const FunctionDecl *F) {
  return ReleasedFields::canonicalCallee(F);
}

// Do two functions release the same field through the same function? (A
// field alone is not enough: `send(fd, ...)` and `::close(fd)` both take it.)
bool sharesRelease(llvm::ArrayRef<ReleasedFields::ReleaseCall> A,
                   llvm::ArrayRef<ReleasedFields::ReleaseCall> B) {
  for (const ReleasedFields::ReleaseCall &X : A)
    for (const ReleasedFields::ReleaseCall &Y : B)
      if (X.Field == Y.Field && X.Via == Y.Via)
        return true;
  return false;
}

// The per-TU judgement: facts about finalizable types, summaries of
// functions, one pass over the functions that obtain objects.
class Judge {
public:
  using TypeFacts = FinalizerAsReleaseCheck::TypeFacts;
  using Release = FinalizerAsReleaseCheck::Release;
  using UseKind = FinalizerAsReleaseCheck::UseKind;

  Judge(ClangTidyCheck &Check, const ApiProfile &Profile,
        const std::vector<std::string> &ReleaseMethodNames, ASTContext &Context)
      : Check(Check), Profile(Profile), ReleaseMethodNames(ReleaseMethodNames), Context(Context),
        SM(Context.getSourceManager()), Flows(Context), Throwing(Context) {}

  void run(llvm::ArrayRef<const FunctionDecl *> Seen);

private:
  struct Candidate {
    const VarDecl *Var;
    const FunctionDecl *Function;
  };
  struct Event {
    const Stmt *At;
    UseKind Kind;
  };

  void scan(const FunctionDecl &Function);
  void learnRegistration(const CallExpr &Call, const FunctionDecl &Function);
  void learnCleanupClass(const CXXRecordDecl &Class);
  static void mergeReleases(TypeFacts &Facts, const ReleasedFields::FieldList &Fields,
                            llvm::ArrayRef<ReleasedFields::ReleaseCall> Calls);
  TypeFacts *factsOf(const RecordDecl *Record) {
    auto It = Types.find(Record);
    return It == Types.end() ? nullptr : &It->second;
  }
  const std::vector<Release> &explicitReleases(const RecordDecl *Record, TypeFacts &Facts);
  /// A function of the translation unit and its first parameter that points
  /// to a given record.
  struct PointerParam {
    const FunctionDecl *Function;
    unsigned Index;
  };
  llvm::ArrayRef<PointerParam> pointerParamsOf(const RecordDecl *Record);
  bool isReleaseMethod(const FunctionDecl *Method, const RecordDecl *Record);
  /// Does a function of the translation unit call \p Function by name?
  bool calledDirectly(const FunctionDecl &Function);
  /// A direct call of the scanned code, and the function that makes it.
  struct CallSite {
    const CallExpr *Call;
    const FunctionDecl *Caller;
  };
  llvm::ArrayRef<CallSite> callSitesOf(const FunctionDecl &Function);
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallSite, 2>> CallSites;
  bool CallSitesIndexed = false;
  /// \p Function is called, and only from the type's finalizers: it is
  /// part of the finalizer, not a release the code can call instead.
  bool calledOnlyByFinalizers(const FunctionDecl &Function, const TypeFacts &Facts,
                              unsigned Depth = 0);
  int releaseFunctionParam(const FunctionDecl *Callee, const RecordDecl *Record);
  bool isRegisteringFactory(const FunctionDecl *Callee, const RecordDecl *Record, unsigned Depth);
  /// Does \p Body store a local pointer to a \p Record beyond its frame?
  bool storesObject(const Stmt &Body, const RecordDecl *Record);
  bool isFresh(const Candidate &C, const RecordDecl *Record,
               const llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases);
  /// The index of \p Body, built on first use.
  const LocalUses &usesIn(const Stmt *Body);
  /// Every use of the object through \p Aliases in the indexed body,
  /// classified.
  std::vector<Event> eventsOf(const LocalUses &Uses,
                              const llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases,
                              const RecordDecl *Record, unsigned Depth);
  UseKind classifyUse(const DeclRefExpr &Use, const LocalUses &Parents,
                      const llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases,
                      const RecordDecl *Record, unsigned Depth, const Stmt *&At);
  UseKind parameterSummary(const FunctionDecl *Callee, unsigned Index, const RecordDecl *Record,
                           unsigned Depth);
  void judge(const Candidate &C);
  /// Where \p Function calls what may throw, outside its try blocks.
  llvm::ArrayRef<FlowPoint> throwingPointsOf(const FunctionDecl &Function,
                                             const FunctionFlow &Flow);
  std::string releaseName(const Release &R) const;
  std::optional<std::string> releaseCall(const Release &R, const VarDecl &Var) const;

  ClangTidyCheck &Check;
  const ApiProfile &Profile;
  const std::vector<std::string> &ReleaseMethodNames;
  ASTContext &Context;
  const SourceManager &SM;
  FlowCache Flows;
  ThrowingCalls Throwing;
  llvm::DenseMap<const FunctionDecl *, std::vector<FlowPoint>> ThrowingPoints;
  ReleasedFields Released;
  llvm::DenseMap<const RecordDecl *, TypeFacts> Types;
  std::vector<const FunctionDecl *> Scanned;
  llvm::DenseMap<const RecordDecl *, llvm::SmallVector<PointerParam, 2>> PointerParams;
  bool PointerParamsIndexed = false;
  llvm::DenseSet<const FunctionDecl *> ScannedSet;
  llvm::SmallPtrSet<const CXXRecordDecl *, 4> LearnedCleanupClasses;
  std::vector<Candidate> Candidates;
  llvm::StringSet<> RegistrationNames;
  /// Per function, the variables it registers a finalizer or cleanup on.
  llvm::DenseMap<const FunctionDecl *, llvm::SmallPtrSet<const ValueDecl *, 4>> RegisteredVars;
  /// Per function body, its uses of local variables.
  llvm::DenseMap<const Stmt *, std::unique_ptr<LocalUses>> Bodies;
  llvm::DenseMap<std::pair<const FunctionDecl *, const RecordDecl *>, signed char> Factories;
  llvm::DenseMap<std::tuple<const FunctionDecl *, unsigned, const RecordDecl *>, UseKind> Summaries;
  llvm::DenseSet<SourceLocation> Reported;
};

void Judge::run(llvm::ArrayRef<const FunctionDecl *> Seen) {
  for (const FunctionDecl *Function : Seen) {
    if (Function->isDependentContext()) {
      forEachInstantiation(*Function, [&](const FunctionDecl &Instance) { scan(Instance); });
      // Dependent code is judged through its instantiations only.
      continue;
    }
    scan(*Function);
  }
  if (Types.empty())
    return;
  for (const Candidate &C : Candidates)
    judge(C);
}

// The unqualified name a call is made by: the callee's, or the function
// pointer field or variable it goes through.
StringRef calledName(const CallExpr &Call) {
  if (const FunctionDecl *Callee = Call.getDirectCallee())
    return identifierName(Callee);
  const Expr *Callee = Call.getCallee() ? Call.getCallee()->IgnoreParenImpCasts() : nullptr;
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(Callee))
    return identifierName(Member->getMemberDecl());
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Callee))
    return identifierName(Ref->getDecl());
  return "";
}

void Judge::scan(const FunctionDecl &Function) {
  const Stmt *Body = Function.getBody();
  if (!Body || !ScannedSet.insert(&Function).second)
    return;
  if (RegistrationNames.empty())
    for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup})
      for (const ApiFunction &F : Profile.functions(Role)) {
        StringRef Name = F.Name;
        size_t Colons = Name.rfind("::");
        RegistrationNames.insert(Colons == StringRef::npos ? Name : Name.substr(Colons + 2));
      }
  Scanned.push_back(&Function);
  visitStmts(Body, [&](const Stmt &S) {
    if (isa<LambdaExpr>(S))
      return false;
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      // Most calls are not registrations: compare the name before classifying.
      StringRef Name = calledName(*Call);
      if (!Name.empty() && RegistrationNames.contains(Name))
        learnRegistration(*Call, Function);
      return true;
    }
    if (const auto *New = dyn_cast<CXXNewExpr>(&S)) {
      const CXXRecordDecl *Built = New->getAllocatedType()->getAsCXXRecordDecl();
      if (Built && Built->hasDefinition() && isBoehmCleanupClass(*Built, Profile))
        learnCleanupClass(*Built->getDefinition());
      return true;
    }
    if (const auto *Decls = dyn_cast<DeclStmt>(&S))
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (Var->hasLocalStorage() && !isa<ParmVarDecl>(Var) && Var->getInit() &&
              Var->getType()->isPointerType() && recordOf(Var->getType()))
            Candidates.push_back({Var, &Function});
    return true;
  });
}

void Judge::learnRegistration(const CallExpr &Call, const FunctionDecl &Function) {
  for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup}) {
    std::optional<ApiCall> Api = classifyCall(Call, Profile, Role);
    if (!Api || Api->Unregisters || !Api->Object)
      continue;
    const Expr *Object = skipTemporaries(stripObjectWrappers(Api->Object), SkipAlso::Casts);
    const RecordDecl *Record = nullptr;
    if (const auto *This = dyn_cast<CXXThisExpr>(Object))
      Record = recordOf(This->getType());
    else
      Record = recordOf(Object->getType());
    if (!Record)
      return;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
      RegisteredVars[&Function].insert(Ref->getDecl());
    TypeFacts &Facts = Types[Record];
    if (isa<CXXThisExpr>(Object) && isa<CXXConstructorDecl>(Function))
      Facts.ConstructorRegisters = true;
    if (Role == ApiRole::Finalizer) {
      for (const FinalizerBody &Body : findFinalizerBodies(Call, Profile)) {
        if (!Body.Body || !Body.Body->getBody())
          continue;
        int ObjectParam = isa<CXXDestructorDecl>(Body.Body) ? -1 : 0;
        Facts.FinalizerFunctions.insert(canonicalFunction(Body.Body));
        ReleasedFields::FieldList Fields = Released.releasedBy(*Body.Body, ObjectParam);
        ReleasedFields::CallList Calls = Released.releaseCallsOf(*Body.Body, ObjectParam);
        mergeReleases(Facts, Fields, Calls);
      }
    } else if (const FieldDecl *Field =
                   ReleasedFields::fieldPassedAs(Api->Data, Api->Object, &Function)) {
      // A cleanup gets the handle itself: what it does with it is the release.
      ReleasedFields::CallList Calls;
      std::optional<CallableTarget> Target = resolveCallable(Api->Callback);
      if (Target && Target->Body)
        for (const FunctionDecl *Via : ReleasedFields::callsTakingParameter(*Target->Body, 0))
          Calls.push_back({Field, Via});
      mergeReleases(Facts, {Field}, Calls);
    }
    return;
  }
}

void Judge::mergeReleases(TypeFacts &Facts, const ReleasedFields::FieldList &Fields,
                          llvm::ArrayRef<ReleasedFields::ReleaseCall> Calls) {
  for (const FieldDecl *Field : Fields)
    if (!llvm::is_contained(Facts.Fields, Field))
      Facts.Fields.push_back(Field);
  for (const ReleasedFields::ReleaseCall &Call : Calls)
    if (!llvm::any_of(Facts.Calls, [&](const ReleasedFields::ReleaseCall &Known) {
          return Known.Field == Call.Field && Known.Via == Call.Via;
        }))
      Facts.Calls.push_back(Call);
}

// Boehm's gc_cleanup: its constructor registers the class's destructor as the
// finalizer of every object built with `new`.
void Judge::learnCleanupClass(const CXXRecordDecl &Class) {
  if (!LearnedCleanupClasses.insert(&Class).second)
    return;
  TypeFacts &Facts = Types[&Class];
  Facts.ConstructorRegisters = true;
  const CXXDestructorDecl *Destructor = Class.getDestructor();
  const FunctionDecl *Definition = nullptr;
  if (!Destructor || !Destructor->hasBody(Definition) || !Definition)
    return;
  mergeReleases(Facts, Released.releasedBy(*Definition, -1),
                Released.releaseCallsOf(*Definition, -1));
}

llvm::ArrayRef<Judge::CallSite> Judge::callSitesOf(const FunctionDecl &Function) {
  // Indexed once over the scanned functions: asking every candidate release
  // of every type to walk every function would be quadratic.
  if (!CallSitesIndexed) {
    CallSitesIndexed = true;
    for (const FunctionDecl *Caller : Scanned)
      visitStmts(Caller->getBody(), [&](const Stmt &S) {
        if (const auto *Call = dyn_cast<CallExpr>(&S))
          if (const FunctionDecl *Callee = Call->getDirectCallee())
            CallSites[canonicalFunction(Callee)].push_back({Call, Caller});
        return true;
      });
  }
  auto It = CallSites.find(canonicalFunction(&Function));
  if (It == CallSites.end())
    return {};
  return It->second;
}

bool Judge::calledOnlyByFinalizers(const FunctionDecl &Function, const TypeFacts &Facts,
                                   unsigned Depth) {
  llvm::ArrayRef<CallSite> Sites = callSitesOf(Function);
  if (Sites.empty())
    return false;
  llvm::SmallVector<SourceRange, 2> FinalizerBodies;
  for (const FunctionDecl *Finalizer : Facts.FinalizerFunctions) {
    const FunctionDecl *Definition = nullptr;
    if (Finalizer->hasBody(Definition) && Definition && Definition->getBody())
      FinalizerBodies.push_back(Definition->getBody()->getSourceRange());
  }
  auto InFinalizer = [&](SourceLocation Loc) {
    return llvm::any_of(FinalizerBodies, [&](SourceRange Body) {
      return !SM.isBeforeInTranslationUnit(Loc, Body.getBegin()) &&
             !SM.isBeforeInTranslationUnit(Body.getEnd(), Loc);
    });
  };
  const FunctionDecl *Wanted = canonicalFunction(&Function);
  // Called from a helper that only the finalizers call: still theirs.
  return llvm::all_of(Sites, [&](const CallSite &Site) {
    return InFinalizer(Site.Call->getBeginLoc()) ||
           (Depth < 3 && canonicalFunction(Site.Caller) != Wanted &&
            calledOnlyByFinalizers(*Site.Caller, Facts, Depth + 1));
  });
}

bool Judge::calledDirectly(const FunctionDecl &Function) { return !callSitesOf(Function).empty(); }

bool Judge::isReleaseMethod(const FunctionDecl *Method, const RecordDecl *Record) {
  TypeFacts *Facts = factsOf(Record);
  if (!Facts || !Method)
    return false;
  for (const Release &R : explicitReleases(Record, *Facts))
    if (R.Param < 0 && canonicalFunction(R.Function) == canonicalFunction(Method))
      return true;
  return llvm::is_contained(Facts->GivingUp, canonicalFunction(Method));
}

int Judge::releaseFunctionParam(const FunctionDecl *Callee, const RecordDecl *Record) {
  TypeFacts *Facts = factsOf(Record);
  if (!Facts || !Callee)
    return -1;
  for (const Release &R : explicitReleases(Record, *Facts))
    if (R.Param >= 0 && canonicalFunction(R.Function) == canonicalFunction(Callee))
      return R.Param;
  return -1;
}

const std::vector<FinalizerAsReleaseCheck::Release> &
Judge::explicitReleases(const RecordDecl *Record, TypeFacts &Facts) {
  if (Facts.ReleasesKnown)
    return Facts.Explicit;
  Facts.ReleasesKnown = true;
  // Methods named in ReleaseMethods, and methods that release a field the
  // finalizer releases.
  if (const auto *Class = dyn_cast<CXXRecordDecl>(Record)) {
    for (const CXXMethodDecl *Method : Class->methods()) {
      if (Method->isStatic() || isa<CXXConstructorDecl, CXXDestructorDecl>(Method) ||
          Method->isOverloadedOperator() || Method->isImplicit())
        continue;
      bool Named = !identifierName(Method).empty() &&
                   llvm::is_contained(ReleaseMethodNames, identifierName(Method).str());
      bool Releases = !Named && !Facts.Calls.empty() && Method->hasBody() &&
                      sharesRelease(Released.releaseCallsOf(*Method, -1), Facts.Calls) &&
                      !calledOnlyByFinalizers(*Method, Facts);
      if (Named || Releases)
        Facts.Explicit.push_back({Method, -1});
      else if (Method->hasBody() && resetsField(*Method, Facts.Fields))
        Facts.GivingUp.push_back(canonicalFunction(Method));
    }
  }
  // Functions taking the object that release such a field through it; not
  // the finalizer itself unless the code also calls it (calling it by hand
  // would release the handle a second time when the collector runs it).
  if (!Facts.Calls.empty())
    for (const PointerParam &P : pointerParamsOf(Record))
      if ((!Facts.FinalizerFunctions.contains(canonicalFunction(P.Function)) ||
           calledDirectly(*P.Function)) &&
          sharesRelease(Released.releaseCallsOf(*P.Function, static_cast<int>(P.Index)),
                        Facts.Calls) &&
          !calledOnlyByFinalizers(*P.Function, Facts))
        Facts.Explicit.push_back({P.Function, static_cast<int>(P.Index)});
  return Facts.Explicit;
}

llvm::ArrayRef<Judge::PointerParam> Judge::pointerParamsOf(const RecordDecl *Record) {
  // Indexed once over the scanned functions, so that each finalizable type
  // does not walk every function of the translation unit again.
  if (!PointerParamsIndexed) {
    PointerParamsIndexed = true;
    for (const FunctionDecl *F : Scanned) {
      if (isa<CXXMethodDecl>(F))
        continue;
      llvm::SmallPtrSet<const RecordDecl *, 4> Seen;
      for (unsigned I = 0; I < F->getNumParams(); ++I) {
        QualType Type = F->getParamDecl(I)->getType();
        if (!Type->isPointerType())
          continue;
        // The first parameter pointing to a record is the one judged.
        if (const RecordDecl *Pointee = recordOf(Type); Pointee && Seen.insert(Pointee).second)
          PointerParams[Pointee].push_back({F, I});
      }
    }
  }
  auto It = PointerParams.find(Record);
  if (It == PointerParams.end())
    return {};
  return It->second;
}

bool Judge::isRegisteringFactory(const FunctionDecl *Callee, const RecordDecl *Record,
                                 unsigned Depth) {
  const FunctionDecl *Definition = nullptr;
  if (!Callee || !Callee->hasBody(Definition) || !Definition || Depth > 4 ||
      isInSystemCode(Definition->getLocation(), SM) ||
      recordOf(Definition->getReturnType()) != Record)
    return false;
  auto Key = std::make_pair(Definition, Record);
  if (auto It = Factories.find(Key); It != Factories.end())
    return It->second == 1;
  Factories[Key] = 0;
  bool Registers = false;
  TypeFacts *Facts = factsOf(Record);
  visitStmts(Definition->getBody(), [&](const Stmt &S) {
    if (Registers || isa<LambdaExpr>(S))
      return false;
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      if (classifyCall(*Call, Profile, ApiRole::Finalizer) ||
          classifyCall(*Call, Profile, ApiRole::Cleanup))
        Registers = true;
      else if (classifyCall(*Call, Profile, ApiRole::Allocation))
        Registers = Facts && Facts->ConstructorRegisters && recordOf(Call->getType()) == Record;
      else if (const FunctionDecl *Inner = Call->getDirectCallee())
        Registers = Inner != Definition && isRegisteringFactory(Inner, Record, Depth + 1);
    } else if (const auto *New = dyn_cast<CXXNewExpr>(&S)) {
      Registers = Facts && Facts->ConstructorRegisters && recordOf(New->getType()) == Record;
    }
    return true;
  });
  // A factory that also keeps what it makes (`samples_[n++] = s; return s;`)
  // hands out an object someone else holds, not a fresh one.
  if (Registers && storesObject(*Definition->getBody(), Record))
    Registers = false;
  Factories[Key] = Registers ? 1 : 0;
  return Registers;
}

bool Judge::storesObject(const Stmt &Body, const RecordDecl *Record) {
  auto IsObjectLocal = [&](const Expr *E) {
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(skipTemporaries(E, SkipAlso::Casts));
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return Var && Var->hasLocalStorage() && Var->getType()->isPointerType() &&
           recordOf(Var->getType()) == Record;
  };
  // The value stored carries the object (`s`, `persistent<T>(s)`,
  // `std::make_pair(s, n)`), not only something read through it (`s->n`).
  auto CarriesObject = [&](const Expr *Value) {
    llvm::SmallPtrSet<const Expr *, 4> ReadThrough;
    bool Carries = false;
    visitStmts(Value, [&](const Stmt &S) {
      if (Carries || isa<LambdaExpr>(S))
        return false;
      if (const auto *Member = dyn_cast<MemberExpr>(&S))
        ReadThrough.insert(Member->getBase()->IgnoreParenImpCasts());
      if (const auto *Ref = dyn_cast<DeclRefExpr>(&S))
        Carries = !ReadThrough.contains(Ref) && IsObjectLocal(Ref);
      return !Carries;
    });
    return Carries;
  };
  auto IsLocal = [&](const Expr *E) {
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(skipTemporaries(E, SkipAlso::Casts));
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    return Var && Var->hasLocalStorage() && !Var->getType()->isReferenceType();
  };
  bool Stores = false;
  visitStmts(&Body, [&](const Stmt &S) {
    if (Stores || isa<LambdaExpr>(S))
      return false;
    // Into a field, an element, a global or through a pointer.
    if (const auto *Assign = dyn_cast<BinaryOperator>(&S);
        Assign && Assign->getOpcode() == BO_Assign && CarriesObject(Assign->getRHS()) &&
        !IsLocal(Assign->getLHS()))
      Stores = true;
    // Into a standard container.
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(&S)) {
      const CXXMethodDecl *Method = Call->getMethodDecl();
      StringRef Name = identifierName(Method);
      if (Method && Method->getParent()->isInStdNamespace() &&
          llvm::is_contained({"push_back", "emplace_back", "push_front", "emplace_front", "insert",
                              "emplace", "push", "try_emplace", "insert_or_assign"},
                             Name))
        Stores = llvm::any_of(Call->arguments(), CarriesObject);
    }
    return !Stores;
  });
  return Stores;
}

const LocalUses &Judge::usesIn(const Stmt *Body) {
  std::unique_ptr<LocalUses> &Uses = Bodies[Body];
  if (!Uses)
    Uses = std::make_unique<LocalUses>(Body);
  return *Uses;
}

bool Judge::isFresh(const Candidate &C, const RecordDecl *Record,
                    const llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases) {
  const TypeFacts *Facts = factsOf(Record);
  const Expr *Init = skipTemporaries(C.Var->getInit(), SkipAlso::Casts);
  auto RegisteredHere = [&] {
    auto It = RegisteredVars.find(C.Function);
    if (It == RegisteredVars.end())
      return false;
    for (const ValueDecl *Alias : Aliases)
      if (It->second.count(Alias))
        return true;
    return false;
  };
  if (const auto *New = dyn_cast_or_null<CXXNewExpr>(Init))
    return (Facts->ConstructorRegisters && recordOf(New->getType()) == Record) || RegisteredHere();
  const auto *Call = dyn_cast_or_null<CallExpr>(Init);
  if (!Call)
    return false;
  if (classifyCall(*Call, Profile, ApiRole::Allocation))
    return Facts->ConstructorRegisters || RegisteredHere();
  return isRegisteringFactory(Call->getDirectCallee(), Record, 0);
}

FinalizerAsReleaseCheck::UseKind Judge::parameterSummary(const FunctionDecl *Callee, unsigned Index,
                                                         const RecordDecl *Record, unsigned Depth) {
  const FunctionDecl *Definition = nullptr;
  if (!Callee || !Callee->hasBody(Definition) || !Definition ||
      isInSystemCode(Definition->getLocation(), SM) || Index >= Definition->getNumParams() ||
      Depth > 4)
    return UseKind::Keep;
  auto Key = std::make_tuple(Definition, Index, Record);
  if (auto It = Summaries.find(Key); It != Summaries.end())
    return It->second;
  Summaries[Key] = UseKind::Keep; // a recursion may keep it
  const LocalUses &Uses = usesIn(Definition->getBody());
  llvm::SmallPtrSet<const ValueDecl *, 4> Aliases;
  Uses.aliasesOf(Definition->getParamDecl(Index), Aliases);
  UseKind Result = UseKind::Plain;
  for (const Event &E : eventsOf(Uses, Aliases, Record, Depth + 1)) {
    if (E.Kind == UseKind::Keep) {
      Result = UseKind::Keep;
      break;
    }
    if (E.Kind == UseKind::Release)
      Result = UseKind::Release;
  }
  Summaries[Key] = Result;
  return Result;
}

std::vector<Judge::Event> Judge::eventsOf(const LocalUses &Uses,
                                          const llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases,
                                          const RecordDecl *Record, unsigned Depth) {
  std::vector<Event> Events;
  // A lambda that captures the object may outlive the call, or release it
  // (a scope guard): either way it is handed on.
  for (const ValueDecl *Alias : Aliases)
    for (const LambdaExpr *Lambda : Uses.lambdasCapturing(Alias))
      Events.push_back({Lambda, UseKind::Keep});
  for (const ValueDecl *Alias : Aliases)
    for (const DeclRefExpr *Ref : Uses.referencesTo(Alias)) {
      const Stmt *At = Ref;
      UseKind Kind = classifyUse(*Ref, Uses, Aliases, Record, Depth, At);
      if (Kind != UseKind::Plain)
        Events.push_back({At, Kind});
    }
  return Events;
}

FinalizerAsReleaseCheck::UseKind
Judge::classifyUse(const DeclRefExpr &Use, const LocalUses &Parents,
                   const llvm::SmallPtrSetImpl<const ValueDecl *> &Aliases,
                   const RecordDecl *Record, unsigned Depth, const Stmt *&At) {
  const Stmt *E = &Use;
  const Stmt *P = Parents.parent(E);
  while (P && isa<ImplicitCastExpr, ParenExpr, CStyleCastExpr, CXXStaticCastExpr, CXXConstCastExpr,
                  CXXReinterpretCastExpr>(P)) {
    E = P;
    P = Parents.parent(P);
  }
  At = E;
  if (!P)
    return UseKind::Keep;
  TypeFacts *Facts = factsOf(Record);
  auto IsAlias = [&](const Expr *X) {
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(skipTemporaries(X, SkipAlso::Casts));
    return Ref && Aliases.count(Ref->getDecl());
  };
  auto InSet = [&](const FieldDecl *Field, const FunctionDecl *Via) {
    Field = fieldPattern(Field);
    Via = canonicalFunction(Via);
    return llvm::any_of(Facts->Calls, [&](const ReleasedFields::ReleaseCall &Known) {
      return Known.Field == Field && Known.Via == Via;
    });
  };
  if (const auto *Member = dyn_cast<MemberExpr>(P)) {
    if (const auto *Method = dyn_cast<CXXMethodDecl>(Member->getMemberDecl())) {
      const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(Parents.parent(Member));
      if (Call && isReleaseMethod(Method, Record)) {
        At = Call;
        return UseKind::Release;
      }
      return UseKind::Plain;
    }
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return UseKind::Plain;
    // `::close(c->fd)`, `c->sock.close()`, `delete c->buf`: the handle
    // released by hand, as the finalizer does.
    const Stmt *Q = Member;
    const Stmt *Up = Parents.parent(Q);
    for (unsigned Step = 0; Up && Step < 8; ++Step) {
      if (isa<ImplicitCastExpr, ParenExpr, CStyleCastExpr, CXXStaticCastExpr, MemberExpr>(Up) ||
          (isa<UnaryOperator>(Up) && cast<UnaryOperator>(Up)->getOpcode() == UO_AddrOf)) {
        Q = Up;
        Up = Parents.parent(Up);
        continue;
      }
      break;
    }
    if (const auto *MemberCall =
            dyn_cast_or_null<CXXMemberCallExpr>(Up ? Parents.parent(Up) : nullptr);
        MemberCall && MemberCall->getCallee() == Up) {
      if (InSet(Field, MemberCall->getDirectCallee())) {
        At = MemberCall;
        return UseKind::Release;
      }
      // An accessor (`c->buf.data()`) whose result is released.
      if (MemberCall->getNumArgs() == 0) {
        Q = MemberCall;
        Up = Parents.parent(Q);
        while (Up && isa<ImplicitCastExpr, ParenExpr>(Up)) {
          Q = Up;
          Up = Parents.parent(Up);
        }
      }
    }
    if (const auto *Call = dyn_cast_or_null<CallExpr>(Up)) {
      for (const Expr *Arg : Call->arguments())
        if (Arg == Q && InSet(Field, Call->getDirectCallee())) {
          At = Call;
          return UseKind::Release;
        }
    }
    if (const auto *Delete = dyn_cast_or_null<CXXDeleteExpr>(Up); Delete && InSet(Field, nullptr)) {
      At = Delete;
      return UseKind::Release;
    }
    return UseKind::Plain;
  }
  if (const auto *Unary = dyn_cast<UnaryOperator>(P)) {
    if (Unary->getOpcode() == UO_Deref || Unary->getOpcode() == UO_LNot)
      return UseKind::Plain;
    return UseKind::Keep;
  }
  if (const auto *Binary = dyn_cast<BinaryOperator>(P)) {
    if (Binary->isComparisonOp() || Binary->isLogicalOp())
      return UseKind::Plain;
    if (Binary->getOpcode() == BO_Comma)
      return Binary->getLHS() == E ? UseKind::Plain : UseKind::Keep;
    if (Binary->getOpcode() == BO_Assign) {
      if (Binary->getLHS() == E)
        return UseKind::Plain;
      if (IsAlias(Binary->getLHS()) || [&] {
            const auto *Ref =
                dyn_cast<DeclRefExpr>(skipTemporaries(Binary->getLHS(), SkipAlso::Casts));
            return Ref && Aliases.count(Ref->getDecl());
          }())
        return UseKind::Plain;
    }
    return UseKind::Keep;
  }
  if (const auto *If = dyn_cast<IfStmt>(P); If && If->getCond() == E)
    return UseKind::Plain;
  if (const auto *While = dyn_cast<WhileStmt>(P); While && While->getCond() == E)
    return UseKind::Plain;
  if (const auto *Do = dyn_cast<DoStmt>(P); Do && Do->getCond() == E)
    return UseKind::Plain;
  if (const auto *For = dyn_cast<ForStmt>(P); For && For->getCond() == E)
    return UseKind::Plain;
  if (const auto *Cond = dyn_cast<ConditionalOperator>(P); Cond && Cond->getCond() == E)
    return UseKind::Plain;
  if (const auto *Decls = dyn_cast<DeclStmt>(P)) {
    for (const Decl *D : Decls->decls())
      if (const auto *V = dyn_cast<VarDecl>(D); V && V->getInit() == E)
        return Aliases.count(V) ? UseKind::Plain : UseKind::Keep;
    return UseKind::Keep;
  }
  if (const auto *Call = dyn_cast<CallExpr>(P)) {
    if (Call->getCallee() == E)
      return UseKind::Plain;
    for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup, ApiRole::KeepAlive})
      if (classifyCall(*Call, Profile, Role))
        return UseKind::Plain;
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee)
      return UseKind::Keep;
    unsigned First = isa<CXXOperatorCallExpr>(Call) && isa<CXXMethodDecl>(Callee) ? 1 : 0;
    for (unsigned I = First; I < Call->getNumArgs(); ++I) {
      if (Call->getArg(I) != E)
        continue;
      unsigned Index = I - First;
      At = Call;
      int Param = releaseFunctionParam(Callee, Record);
      if (Param >= 0 && static_cast<unsigned>(Param) == Index)
        return UseKind::Release;
      if (Index >= Callee->getNumParams())
        return Callee->isVariadic() ? UseKind::Plain : UseKind::Keep;
      QualType ParamType = Callee->getParamDecl(Index)->getType();
      if (!ParamType->isPointerType() && !ParamType->isReferenceType() &&
          !ParamType->isRecordType() && !ParamType->isDependentType())
        return UseKind::Plain; // converted to a bool or an integer
      return parameterSummary(Callee, Index, Record, Depth);
    }
    return UseKind::Keep;
  }
  return UseKind::Keep;
}

std::string Judge::releaseName(const Release &R) const { return displayName(*R.Function); }

std::optional<std::string> Judge::releaseCall(const Release &R, const VarDecl &Var) const {
  std::string Name = identifierName(R.Function).str();
  if (Name.empty() || identifierName(&Var).empty())
    return std::nullopt;
  unsigned Required = R.Function->getMinRequiredArguments();
  if (R.Param < 0) {
    if (Required != 0)
      return std::nullopt;
    return (identifierName(&Var) + "->" + Name + "();").str();
  }
  if (Required != 1 || R.Param != 0 || isa<CXXMethodDecl>(R.Function))
    return std::nullopt;
  return (Name + "(" + identifierName(&Var) + ");").str();
}

llvm::ArrayRef<FlowPoint> Judge::throwingPointsOf(const FunctionDecl &Function,
                                                  const FunctionFlow &Flow) {
  auto [It, New] = ThrowingPoints.try_emplace(&Function);
  if (New)
    for (const Expr *Call : Throwing.uncaughtThrowingCalls(Function.getBody()))
      if (FlowPoint Point = Flow.pointOf(Call); Point.isValid())
        It->second.push_back(Point);
  return It->second;
}

void Judge::judge(const Candidate &C) {
  const RecordDecl *Record = recordOf(C.Var->getType());
  TypeFacts *Facts = factsOf(Record);
  if (!Facts)
    return;
  SourceLocation Loc = SM.getFileLoc(C.Var->getLocation());
  if (isInSystemCode(C.Var->getLocation(), SM) || Reported.contains(Loc))
    return;
  const std::vector<Release> &Explicit = explicitReleases(Record, *Facts);
  if (Explicit.empty())
    return;
  const Stmt *Body = C.Function->getBody();
  const LocalUses &Parents = usesIn(Body);
  llvm::SmallPtrSet<const ValueDecl *, 4> Aliases;
  Parents.aliasesOf(C.Var, Aliases);
  if (!isFresh(C, Record, Aliases))
    return;
  const FunctionFlow &Flow = Flows.of(*C.Function);
  if (!Flow.hasCFG())
    return;
  FlowPoint Acquired = Flow.pointOf(skipTemporaries(C.Var->getInit(), SkipAlso::Casts));
  if (!Acquired.isValid())
    Acquired = Flow.pointOf(C.Var->getInit());
  if (!Acquired.isValid())
    return;
  std::vector<Event> Events = eventsOf(Parents, Aliases, Record, 0);
  std::vector<FlowPoint> Settled;
  for (const Event &E : Events) {
    const Stmt *S = E.At;
    FlowPoint Point = Flow.pointOf(S);
    for (unsigned Step = 0; !Point.isValid() && S && Step < 16; ++Step) {
      S = Parents.parent(S);
      Point = S ? Flow.pointOf(S) : FlowPoint{};
    }
    if (Point.isValid())
      Settled.push_back(Point);
  }
  std::optional<ExitWitness> Witness =
      findExitAvoiding(Flow, Acquired, Settled, Aliases, throwingPointsOf(*C.Function, Flow));
  if (!Witness)
    return;
  Reported.insert(Loc);

  const Release &Preferred = Explicit.front();
  std::string ReleaseText = releaseName(Preferred);
  std::string VarName = identifierName(C.Var).str();

  // The mechanical fix: the release call right before the return (or
  // after the last statement), when no release or hand-off can come first.
  std::optional<std::string> Fix = releaseCall(Preferred, *C.Var);
  bool SettledBefore = false;
  FlowPoint ExitPoint = Witness->Exit ? Flow.pointOf(Witness->Exit) : FlowPoint{};
  for (const FlowPoint &P : Settled)
    if (Flow.reaches(Acquired, P, {}) && (!ExitPoint.isValid() || Flow.reaches(P, ExitPoint, {})))
      SettledBefore = true;
  const LangOptions &Lang = Context.getLangOpts();
  auto Indent = [&](SourceLocation At) {
    unsigned Column = SM.getSpellingColumnNumber(At);
    return std::string(Column > 0 ? Column - 1 : 0, ' ');
  };
  std::optional<FixItHint> Hint;
  SourceLocation NoteAt;
  const auto *Compound = dyn_cast<CompoundStmt>(Body);
  switch (Witness->ExitKind) {
  case ExitWitness::Kind::Return: {
    SourceLocation At = Witness->Exit->getBeginLoc();
    NoteAt = SM.getFileLoc(At);
    const Stmt *Parent = Parents.parent(Witness->Exit);
    // `return c->ping();` still uses the object: the release cannot go first.
    bool UsesObject = false;
    visitStmts(Witness->Exit, [&](const Stmt &S) {
      if (const auto *Ref = dyn_cast<DeclRefExpr>(&S); Ref && Aliases.count(Ref->getDecl()))
        UsesObject = true;
      return !UsesObject;
    });
    if (Fix && !SettledBefore && !UsesObject && !At.isMacroID() && Parent &&
        isa<CompoundStmt>(Parent))
      Hint = FixItHint::CreateInsertion(At, *Fix + "\n" + Indent(At));
    break;
  }
  case ExitWitness::Kind::Throw:
    NoteAt = SM.getFileLoc(Witness->Exit->getBeginLoc());
    break;
  case ExitWitness::Kind::EndOfBody: {
    SourceLocation End = Compound ? Compound->getRBracLoc() : Body->getEndLoc();
    NoteAt = SM.getFileLoc(End);
    if (!Fix || SettledBefore || !Compound || Compound->body_empty() || End.isMacroID())
      break;
    const Stmt *Last = Compound->body_back();
    SourceLocation LastBegin = Last->getBeginLoc();
    if (LastBegin.isMacroID() || Last->getEndLoc().isMacroID())
      break;
    // After the last statement (and its semicolon), on a line of its own.
    std::optional<Token> Semi = Lexer::findNextToken(Last->getEndLoc(), SM, Lang);
    SourceLocation After = Semi && Semi->is(tok::semi)
                               ? Semi->getEndLoc()
                               : Lexer::getLocForEndOfToken(Last->getEndLoc(), 0, SM, Lang);
    if (After.isValid())
      Hint = FixItHint::CreateInsertion(After, "\n" + Indent(LastBegin) + *Fix);
    break;
  }
  }
  {
    auto Diag = Check.diag(Loc, "'%0' may be dropped without calling '%1': the resource of this "
                                "'%2' is released only when the collector gets to it")
                << VarName << ReleaseText << Record->getName();
    if (Hint)
      Diag << *Hint;
  }
  switch (Witness->ExitKind) {
  case ExitWitness::Kind::Return:
    Check.diag(NoteAt, "'%0' is dropped here without '%1'", DiagnosticIDs::Note)
        << VarName << ReleaseText;
    break;
  case ExitWitness::Kind::Throw:
    if (const FunctionDecl *Thrower = calledFunction(*Witness->Exit))
      Check.diag(NoteAt, "'%0' may throw here, and the exception drops '%1' without '%2'",
                 DiagnosticIDs::Note)
          << displayName(*Thrower) << VarName << ReleaseText;
    else
      Check.diag(NoteAt, "the exception thrown here drops '%0' without '%1'", DiagnosticIDs::Note)
          << VarName << ReleaseText;
    break;
  case ExitWitness::Kind::EndOfBody:
    Check.diag(NoteAt, "'%0' is dropped at the end of '%1' without '%2'", DiagnosticIDs::Note)
        << VarName << displayName(*C.Function) << ReleaseText;
    break;
  }
}

} // namespace

FinalizerAsReleaseCheck::FinalizerAsReleaseCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context),
      ReleaseMethodNames(listOption("ReleaseMethods", DefaultReleaseMethods)) {}

void FinalizerAsReleaseCheck::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {
  storeListOption(Opts, "ReleaseMethods", ReleaseMethodNames);
}

void FinalizerAsReleaseCheck::registerMatchers(MatchFinder *Finder) {
  // Every function of user code: registrations teach which types are
  // finalizable and what their finalizers release; local objects are
  // judged at the end of the translation unit, once all is known.
  Finder->addMatcher(
      traverse(TK_IgnoreUnlessSpelledInSource,
               functionDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("function")),
      this);
  Finder->addMatcher(traverse(TK_IgnoreUnlessSpelledInSource,
                              lambdaExpr(unless(isExpansionInSystemHeader())).bind("lambda")),
                     this);
}

void FinalizerAsReleaseCheck::check(const MatchFinder::MatchResult &Result) {
  if (!Result.Context || !Result.SourceManager || Excluded.excludesMainFile(*Result.SourceManager))
    return;
  Context = Result.Context;
  if (const auto *Function = Result.Nodes.getNodeAs<FunctionDecl>("function")) {
    if (Function->getBody())
      Functions.insert(Function);
    return;
  }
  if (const auto *Lambda = Result.Nodes.getNodeAs<LambdaExpr>("lambda"))
    if (const CXXMethodDecl *Operator = Lambda->getCallOperator())
      if (Operator->getBody())
        Functions.insert(Operator);
}

void FinalizerAsReleaseCheck::onEndOfTranslationUnit() {
  if (!Context || Functions.empty())
    return;
  Judge(*this, Profile, ReleaseMethodNames, *Context).run(Functions.getArrayRef());
  Functions.clear();
}

} // namespace clang::tidy::gc
