//===--- FinalizerCycleCheck.cpp - gc-finalizer-cycle ---------------------===//

#include "gc/FinalizerCycleCheck.h"
#include "analysis/AccessPath.h"
#include "analysis/ApiCalls.h"
#include "analysis/Callables.h"
#include "analysis/Finalizers.h"
#include "analysis/Stores.h"
#include "analysis/TracedFields.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include <deque>
#include <functional>

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

constexpr llvm::StringLiteral CycleAdvice =
    "register the finalizer on one owner outside the cycle, or break an edge";

bool isInMainFile(SourceLocation Loc, const SourceManager &SM) {
  return Loc.isValid() && SM.isInMainFile(SM.getExpansionLoc(Loc));
}

// The collected type a registration's object argument points to.
QualType registeredType(const Expr *Object) {
  const RecordDecl *Record = registeredRecord(Object);
  return Record ? QualType(Record->getTypeForDecl(), 0) : QualType();
}

bool isUnorderedRegistration(const ApiCall &Api) {
  return Api.Function && (StringRef(Api.Function->Name).contains("no_order") ||
                          StringRef(Api.Function->Name).contains("unreachable"));
}

// The parameter of \p Wrapper's function that \p Var is, or -1.
int wrapperParameter(const RegistrationWrapper &Wrapper, const ValueDecl *Var) {
  const auto *Param = dyn_cast_or_null<ParmVarDecl>(Var);
  if (!Param)
    return -1;
  const auto *Owner = dyn_cast_or_null<FunctionDecl>(Param->getDeclContext());
  if (!Owner || Owner->getCanonicalDecl() != Wrapper.Function->getCanonicalDecl())
    return -1;
  return static_cast<int>(Param->getFunctionScopeIndex());
}

// Do the wrapper's calls say more than the registration in its body: the
// callable or data is a parameter, the callable captures one, or the object
// is typeless (`void *obj`)?
bool forwardsParameters(const RegistrationWrapper &Wrapper, bool TypelessObject) {
  if (TypelessObject || Wrapper.CallbackParam >= 0 || Wrapper.DataParam >= 0)
    return true;
  std::optional<CallableTarget> Target = resolveCallable(Wrapper.Inner.Callback);
  if (!Target)
    return false;
  if (Target->Lambda)
    for (const LambdaCapture &Capture : Target->Lambda->captures())
      if (Capture.capturesVariable() && wrapperParameter(Wrapper, Capture.getCapturedVar()) >= 0)
        return true;
  for (const Expr *Stored : Target->StoredArguments)
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripObjectWrappers(Stored)))
      if (wrapperParameter(Wrapper, Ref->getDecl()) >= 0)
        return true;
  return false;
}

} // namespace

FinalizerCycleCheck::FinalizerCycleCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context), SelfCycles(Options.get("SelfCycles", false)),
      ExportFactsDirectory(Options.getLocalOrGlobal("ExportFactsDirectory", "")) {}

void FinalizerCycleCheck::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "SelfCycles", SelfCycles);
  Options.store(Opts, "ExportFactsDirectory", ExportFactsDirectory);
}

void FinalizerCycleCheck::registerMatchers(MatchFinder *Finder) {
  // Every record of user code, class template instantiations included.
  Finder->addMatcher(recordDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("record"),
                     this);
  for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup})
    if (!Profile.functions(Role).empty())
      Finder->addMatcher(callExpr(apiCallTo(Profile, Role), unless(isExpansionInSystemHeader()))
                             .bind("registration"),
                         this);
  if (Profile.readsBoehmCpp())
    Finder->addMatcher(cxxNewExpr(unless(isExpansionInSystemHeader())).bind("registration"), this);
  // Stores into fields, as written; one matcher per node kind, so each is
  // tried only on nodes of its kind, not on every statement.
  auto Field = ignoringParenImpCasts(memberExpr().bind("field"));
  auto User = unless(isExpansionInSystemHeader());
  for (StatementMatcher Store :
       {StatementMatcher(binaryOperator(hasOperatorName("="), hasLHS(Field), User)),
        StatementMatcher(
            cxxOperatorCallExpr(hasOverloadedOperatorName("="), hasArgument(0, Field), User)),
        StatementMatcher(cxxMemberCallExpr(on(Field), User))})
    Finder->addMatcher(traverse(TK_IgnoreUnlessSpelledInSource, stmt(Store).bind("store")), this);
  if (!Profile.functions(ApiRole::Allocation).empty())
    Finder->addMatcher(
        traverse(TK_IgnoreUnlessSpelledInSource,
                 callExpr(unless(argumentCountIs(0)), apiCallTo(Profile, ApiRole::Allocation),
                          unless(isExpansionInSystemHeader()))
                     .bind("store")),
        this);
}

const llvm::SmallVector<QualType, 1> &FinalizerCycleCheck::targetsOf(const FieldDecl &Field) {
  auto [It, New] = Targets.try_emplace(&Field);
  if (New)
    reachedTypes(*Types, Field.getType(), It->second);
  return It->second;
}

std::string FinalizerCycleCheck::typeKey(QualType Type) const {
  PrintingPolicy Policy(Context->getLangOpts());
  Policy.SuppressTagKeyword = true;
  Policy.FullyQualifiedName = true;
  Policy.PrintCanonicalTypes = true;
  Policy.AnonymousTagLocations = false;
  return Type.getCanonicalType().getUnqualifiedType().getAsString(Policy);
}

FactLocation FinalizerCycleCheck::factLocation(SourceLocation Loc) const {
  FactLocation Where;
  const SourceManager &SM = Context->getSourceManager();
  PresumedLoc Presumed = SM.getPresumedLoc(SM.getExpansionLoc(Loc));
  if (Presumed.isInvalid())
    return Where;
  llvm::SmallString<256> Path(Presumed.getFilename());
  SM.getFileManager().makeAbsolutePath(Path);
  llvm::sys::path::remove_dots(Path, /*remove_dot_dot=*/true);
  Where.File = std::string(Path);
  Where.Line = Presumed.getLine();
  Where.Column = Presumed.getColumn();
  return Where;
}

void FinalizerCycleCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
  if (!Types)
    Types = std::make_unique<CollectedTypes>(*Result.Context, Profile);
  if (const auto *Record = Result.Nodes.getNodeAs<RecordDecl>("record")) {
    addRecord(*Record);
    return;
  }
  if (!Functions)
    Functions = EnclosingFunctions::shared(*Result.Context);
  if (const auto *Registration = Result.Nodes.getNodeAs<Expr>("registration")) {
    addRegistration(*Registration);
    return;
  }
  const auto *Store = Result.Nodes.getNodeAs<Stmt>("store");
  if (!Store)
    return;
  if (const auto *Member = Result.Nodes.getNodeAs<MemberExpr>("field"))
    if (!isEdgeField(dyn_cast<FieldDecl>(Member->getMemberDecl())))
      return;
  if (const FunctionDecl *Function = Functions->of(*Store))
    Candidates.insert(Function);
}

void FinalizerCycleCheck::addRecord(const RecordDecl &Record) {
  if (Record.isDependentContext() || Record.isInvalidDecl() ||
      isa<ClassTemplatePartialSpecializationDecl>(Record))
    return;
  const auto *Class = dyn_cast<CXXRecordDecl>(&Record);
  if ((Class && Class->isLambda()) || ApiProfile::isInLibraryNamespace(Record))
    return;
  if (!Records.insert(&Record).second)
    return;
  std::string Owner = typeKey(Context->getRecordType(&Record));
  for (const FieldDecl *Field : Record.fields())
    for (QualType Target : targetsOf(*Field)) {
      Facts.Edges.push_back(
          {Owner, Field->getNameAsString(), typeKey(Target), factLocation(Field->getLocation())});
      EdgeLocations.push_back(Field->getLocation());
    }
  if (Class) {
    const SourceManager &SM = Context->getSourceManager();
    for (const CXXBaseSpecifier &Base : Class->bases()) {
      const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl();
      if (!BaseRecord || isInSystemCode(BaseRecord->getLocation(), SM))
        continue;
      Facts.Bases.push_back({Owner, typeKey(Base.getType())});
    }
    // Boehm C++: gc_cleanup registers an ordered finalizer for every object.
    if (Profile.readsBoehmCpp() && isBoehmCleanupClass(*Class, Profile)) {
      SourceLocation At = Class->getLocation();
      for (const CXXBaseSpecifier &Base : Class->bases())
        if (const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl())
          if (Profile.is(TypeRole::FinalizableBase, *BaseRecord) ||
              isBoehmCleanupClass(*BaseRecord, Profile)) {
            At = Base.getBeginLoc();
            break;
          }
      Facts.Finalizable.push_back({Owner, factLocation(At)});
      FinalizableLocations.push_back(At);
    }
  }
  if (Profile.is(TypeRole::Finalizable, Record)) {
    Facts.Finalizable.push_back({Owner, factLocation(Record.getLocation())});
    FinalizableLocations.push_back(SourceLocation());
  }
}

void FinalizerCycleCheck::addRegistration(const Expr &Registration) {
  if (!Registrations.insert(&Registration).second)
    return;
  std::optional<ApiCall> Api;
  if (const auto *Call = dyn_cast<CallExpr>(&Registration))
    Api = classifyCall(*Call, Profile);
  else if (const auto *New = dyn_cast<CXXNewExpr>(&Registration)) {
    Api = classifyBoehmNew(*New, Profile);
    // `new Endpoint` of a gc_cleanup class registers its destructor: the
    // objects it builds are finalizable, so its function is walked.
    const CXXRecordDecl *Built = New->getAllocatedType()->getAsCXXRecordDecl();
    if (!Api && Built && Built->hasDefinition() && isBoehmCleanupClass(*Built, Profile))
      if (const FunctionDecl *Function = Functions->of(Registration))
        Candidates.insert(Function);
  }
  if (!Api || Api->Unregisters)
    return;
  if (const FunctionDecl *Function = Functions->of(Registration))
    Candidates.insert(Function);
  // A helper registering on its parameter: its callers' objects get the
  // finalizer, and what it hands the finalizer besides (see forwardsParameters).
  if (std::optional<RegistrationWrapper> Wrapper = registrationWrapperOf(*Api))
    if (forwardsParameters(*Wrapper, registeredType(Api->Object).isNull()))
      Wrappers.push_back(std::move(*Wrapper));
  if (Api->Role != ApiRole::Finalizer)
    return;
  // Boehm's unordered registrations finalize cycles too.
  if (isUnorderedRegistration(*Api))
    return;
  QualType Type;
  if (const auto *New = dyn_cast<CXXNewExpr>(&Registration))
    Type = New->getAllocatedType();
  else
    Type = registeredType(Api->Object);
  if (Type.isNull() || Type->isDependentType() || !Type->isRecordType())
    return;
  Facts.Finalizable.push_back({typeKey(Type), factLocation(Registration.getBeginLoc())});
  FinalizableLocations.push_back(Registration.getBeginLoc());
}

void FinalizerCycleCheck::onEndOfTranslationUnit() {
  if (!Context)
    return;
  if (!Wrappers.empty()) {
    for (ApiCall &Api : registrationsThroughWrappers(*Context, std::move(Wrappers))) {
      const auto *Call = cast<CallExpr>(Api.Call);
      if (Api.Unregisters)
        continue;
      if (const FunctionDecl *Function = Functions->of(*Call))
        Candidates.insert(Function);
      QualType Type = registeredType(Api.Object);
      bool Finalizer = Api.Role == ApiRole::Finalizer && !isUnorderedRegistration(Api);
      WrapperCalls[Call] = std::move(Api);
      if (!Finalizer || Type.isNull())
        continue;
      Facts.Finalizable.push_back({typeKey(Type), factLocation(Call->getBeginLoc())});
      FinalizableLocations.push_back(Call->getBeginLoc());
    }
    Wrappers.clear();
  }
  if (!Excluded.excludesMainFile(Context->getSourceManager())) {
    reportTypeCycles();
    for (const FunctionDecl *Function : Candidates)
      analyseFunction(*Function);
  }
  if (!ExportFactsDirectory.empty())
    exportFacts();
}

void FinalizerCycleCheck::reportTypeCycles() {
  const SourceManager &SM = Context->getSourceManager();
  for (const TypeCycle &Cycle : findTypeCycles(Facts, SelfCycles)) {
    SourceLocation Warn;
    for (const CycleStep &Step : Cycle.Steps)
      if (isInMainFile(EdgeLocations[Step.Edge], SM)) {
        Warn = EdgeLocations[Step.Edge];
        break;
      }
    SourceLocation MadeFinalizable = FinalizableLocations[Cycle.Finalizable];
    if (Warn.isInvalid())
      Warn = isInMainFile(MadeFinalizable, SM) ? MadeFinalizable
                                               : EdgeLocations[Cycle.Steps.front().Edge];
    for (const CycleStep &Step : Cycle.Steps)
      TypesOnReportedCycles.insert(Step.To);
    if (!Reported.insert(SM.getExpansionLoc(Warn)).second)
      continue;
    diag(Warn, "'%0' is finalizable and can reach itself (%1): once unreachable, none of "
               "the cycle is ever finalized and it leaks with everything it holds; %2")
        << Cycle.Start << Cycle.spelling() << CycleAdvice;
    for (const CycleStep &Step : Cycle.Steps) {
      const TypeEdgeFact &Edge = Facts.Edges[Step.Edge];
      diag(EdgeLocations[Step.Edge], "'%0::%1' leads to '%2'", DiagnosticIDs::Note)
          << Edge.Owner << Edge.Field << Step.To;
    }
    if (MadeFinalizable.isValid())
      diag(MadeFinalizable, "'%0' gets a finalizer here", DiagnosticIDs::Note) << Cycle.Start;
  }
}

namespace {

// The objects one function handles and the edges it creates between them,
// in source order: a variable reassigned names a new object, a field
// assigned again drops the edge it held.
class ObjectGraph {
public:
  explicit ObjectGraph(const SourceManager &SM) : SM(SM) {}

  struct Edge {
    unsigned To;
    SourceLocation Loc;
    std::string How;
    /// Made by a finalizer or cleanup's callable or data, not a field.
    bool ByRegistration = false;
  };
  struct Node {
    std::string Name;
    QualType Type;
    SourceLocation FinalizerAt;
    /// Single-valued fields: the edge each holds now.
    llvm::DenseMap<const FieldDecl *, Edge> Fields;
    /// Containers filled, callables: every edge stays.
    std::vector<Edge> Others;
  };

  std::vector<Node> Nodes;
  llvm::DenseMap<const ValueDecl *, unsigned> Current;
  std::optional<unsigned> ThisNode;

  unsigned fresh(std::string Name, QualType Type) {
    Node Fresh;
    Fresh.Name = std::move(Name);
    Fresh.Type = Type;
    Nodes.push_back(std::move(Fresh));
    return Nodes.size() - 1;
  }

  std::vector<const Edge *> edgesOf(unsigned N) const {
    std::vector<const Edge *> Out;
    for (const auto &[Field, E] : Nodes[N].Fields)
      Out.push_back(&E);
    for (const Edge &E : Nodes[N].Others)
      Out.push_back(&E);
    // Source order, whatever order the map keeps: an edge the function did
    // not write (what a field held before it ran) first, ties by target.
    llvm::sort(Out, [this](const Edge *A, const Edge *B) {
      if (A->Loc != B->Loc) {
        if (A->Loc.isInvalid() || B->Loc.isInvalid())
          return A->Loc.isInvalid();
        return SM.isBeforeInTranslationUnit(A->Loc, B->Loc);
      }
      if (A->To != B->To)
        return A->To < B->To;
      return A->How < B->How;
    });
    return Out;
  }

  /// Shortest cycle from \p Start back to itself.
  std::optional<std::vector<const Edge *>> cycleThrough(unsigned Start) const {
    std::vector<std::optional<std::pair<unsigned, const Edge *>>> Parent(Nodes.size());
    std::vector<bool> Seen(Nodes.size());
    std::deque<unsigned> Queue{Start};
    while (!Queue.empty()) {
      unsigned At = Queue.front();
      Queue.pop_front();
      for (const Edge *E : edgesOf(At)) {
        if (E->To == Start) {
          std::vector<const Edge *> Path{E};
          for (unsigned Back = At; Back != Start; Back = Parent[Back]->first)
            Path.push_back(Parent[Back]->second);
          std::reverse(Path.begin(), Path.end());
          return Path;
        }
        if (Seen[E->To])
          continue;
        Seen[E->To] = true;
        Parent[E->To] = {At, E};
        Queue.push_back(E->To);
      }
    }
    return std::nullopt;
  }

private:
  const SourceManager &SM;
};

bool holdsObjectPointer(QualType Type) {
  return !Type.isNull() && Type->isPointerType() && Type->getPointeeType()->isRecordType();
}

} // namespace

void FinalizerCycleCheck::analyseFunction(const FunctionDecl &Function) {
  const Stmt *Body = Function.getBody();
  if (!Body)
    return;
  // A template (`Streamer<T>::link` registering through a wrapper) is judged
  // through its instantiations; their statements keep the template's
  // locations, so a cycle is reported once, at the template.
  if (Function.isDependentContext()) {
    forEachInstantiation(Function, [&](const FunctionDecl &Instance) {
      if (!Instance.isDependentContext())
        analyseFunction(Instance);
    });
    return;
  }
  const SourceManager &SM = Context->getSourceManager();
  ObjectGraph Graph(SM);

  // The object an expression designates; nullopt when the function does not show it.
  std::function<std::optional<unsigned>(const Expr *)> NodeOf =
      [&](const Expr *E) -> std::optional<unsigned> {
    E = stripObjectWrappers(E);
    if (!E)
      return std::nullopt;
    if (const auto *This = dyn_cast<CXXThisExpr>(E)) {
      if (!Graph.ThisNode)
        Graph.ThisNode = Graph.fresh("this", This->getType()->getPointeeType());
      return Graph.ThisNode;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (!Var || !holdsObjectPointer(Var->getType()))
        return std::nullopt;
      auto [It, New] = Graph.Current.try_emplace(Var, 0);
      if (New)
        It->second = Graph.fresh(Var->getNameAsString(), Var->getType()->getPointeeType());
      return It->second;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (!Field || !isEdgeField(Field) || targetsOf(*Field).size() != 1)
        return std::nullopt;
      std::optional<unsigned> Owner = NodeOf(Member->getBase());
      if (!Owner)
        return std::nullopt;
      auto It = Graph.Nodes[*Owner].Fields.find(Field);
      if (It != Graph.Nodes[*Owner].Fields.end())
        return It->second.To;
      // What the field held before the function ran: one object per field.
      unsigned Held = Graph.fresh(Graph.Nodes[*Owner].Name + (Member->isArrow() ? "->" : ".") +
                                      Field->getNameAsString(),
                                  targetsOf(*Field).front());
      Graph.Nodes[*Owner].Fields[Field] = {Held, SourceLocation(), ""};
      return Held;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Allocation);
      const CXXRecordDecl *Built = Api ? builtRecord(*Call) : nullptr;
      if (!Built)
        return std::nullopt;
      unsigned Made = Graph.fresh("new '" + typeKey(Context->getRecordType(Built)) + "'",
                                  Context->getRecordType(Built));
      // The constructor keeps its arguments in traced fields.
      if (const CXXConstructorDecl *Ctor = onlyConstructorTaking(Built, Call->getNumArgs()))
        for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
          const FieldDecl *Field = Summaries.fieldStoringParameter(*Ctor, I);
          if (!isEdgeField(Field))
            continue;
          if (std::optional<unsigned> Arg = NodeOf(Call->getArg(I)))
            Graph.Nodes[Made].Others.push_back({*Arg, Call->getArg(I)->getBeginLoc(),
                                                "'" + Graph.Nodes[*Arg].Name + "' is stored in '" +
                                                    Field->getParent()->getNameAsString() +
                                                    "::" + Field->getNameAsString() +
                                                    "' by the constructor here"});
        }
      return Made;
    }
    return std::nullopt;
  };

  auto Describe = [&](unsigned N) { return "'" + Graph.Nodes[N].Name + "'"; };

  auto Bind = [&](const VarDecl *Var, const Expr *Value) {
    if (!holdsObjectPointer(Var->getType()))
      return;
    std::optional<unsigned> Node = Value ? NodeOf(Value) : std::nullopt;
    if (!Node)
      Node = Graph.fresh(Var->getNameAsString(), Var->getType()->getPointeeType());
    else if (Graph.Nodes[*Node].Name.starts_with("new "))
      Graph.Nodes[*Node].Name = Var->getNameAsString();
    Graph.Current[Var] = *Node;
  };

  // Through a wrapper's call (\p Through), its parameters are the call's
  // arguments, and the edges are the call's.
  RegistrationWrapper WrapperOfCall;
  const CallExpr *Through = nullptr;
  auto ArgumentFor = [&](const ValueDecl *Var) -> const Expr * {
    int Index = Through ? wrapperParameter(WrapperOfCall, Var) : -1;
    if (Index < 0 || static_cast<unsigned>(Index) >= Through->getNumArgs())
      return nullptr;
    return Through->getArg(Index);
  };
  auto EdgeText = [&](unsigned Owner, StringRef What, StringRef Verb, unsigned Captured) {
    std::string Of = "the " + What.str() + " of " + Describe(Owner);
    if (Through)
      if (const FunctionDecl *Callee = Through->getDirectCallee())
        Of += " that '" + displayName(*Callee) + "' registers";
    return Of + " " + Verb.str() + " " + Describe(Captured) + " here";
  };
  auto AddCaptures = [&](unsigned Owner, const Expr *Callback, StringRef What) {
    std::optional<CallableTarget> Target = resolveCallable(Callback);
    if (!Target)
      return;
    // A lambda a helper returns captures the helper's variables, not ours.
    if (Target->Lambda && !Target->ReturnedBy) {
      for (const LambdaCapture &Capture : Target->Lambda->captures()) {
        std::optional<unsigned> Captured;
        if (Capture.capturesThis()) {
          if (!Graph.ThisNode)
            continue;
          Captured = Graph.ThisNode;
        } else if (Capture.capturesVariable()) {
          const auto *Var = dyn_cast_or_null<VarDecl>(Capture.getCapturedVar());
          if (!Var || Var->isInitCapture())
            continue;
          if (const Expr *Argument = ArgumentFor(Var)) {
            Captured = NodeOf(Argument);
          } else if (!Through) {
            auto It = Graph.Current.find(Var);
            if (It == Graph.Current.end())
              continue;
            Captured = It->second;
          }
        }
        // A callable that holds its own object is gc-finalizer-self-reference.
        if (Captured && *Captured != Owner)
          Graph.Nodes[Owner].Others.push_back(
              {*Captured, Through ? Through->getBeginLoc() : Capture.getLocation(),
               EdgeText(Owner, What, "captures", *Captured), true});
      }
    }
    for (const Expr *Stored : Target->StoredArguments) {
      if (Through) {
        const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripObjectWrappers(Stored));
        Stored = Ref ? ArgumentFor(Ref->getDecl()) : nullptr;
      }
      if (std::optional<unsigned> Captured = NodeOf(Stored); Captured && *Captured != Owner)
        Graph.Nodes[Owner].Others.push_back(
            {*Captured, Through ? Through->getBeginLoc() : Stored->getBeginLoc(),
             EdgeText(Owner, What, "holds", *Captured), true});
    }
  };

  auto StoreInto = [&](const Expr *Target, const FieldDecl *Field, const Expr *Value, bool Replaces,
                       SourceLocation Loc) {
    std::optional<unsigned> Owner = NodeOf(Target);
    if (!Owner)
      return;
    std::optional<unsigned> Stored = Value ? NodeOf(Value) : std::nullopt;
    auto &Node = Graph.Nodes[*Owner];
    if (!Stored) {
      if (Replaces)
        Node.Fields.erase(Field);
      return;
    }
    ObjectGraph::Edge E{*Stored, Loc,
                        Describe(*Stored) + " is stored in '" + Node.Name + "->" +
                            Field->getNameAsString() + "' here"};
    if (Replaces)
      Node.Fields[Field] = std::move(E);
    else
      Node.Others.push_back(std::move(E));
  };

  visitStmts(Body, [&](const Stmt &S) {
    if (isa<LambdaExpr>(S))
      return false;
    if (const auto *Decls = dyn_cast<DeclStmt>(&S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (Var->hasLocalStorage())
            Bind(Var, Var->getInit());
      return true;
    }
    const Expr *Lhs = nullptr, *Rhs = nullptr;
    if (const auto *Binary = dyn_cast<BinaryOperator>(&S);
        Binary && Binary->getOpcode() == BO_Assign) {
      Lhs = Binary->getLHS();
      Rhs = Binary->getRHS();
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(&S);
               Op && Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      Lhs = Op->getArg(0);
      Rhs = Op->getArg(1);
    }
    if (Lhs) {
      const Expr *Place = Lhs->IgnoreParenImpCasts();
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Place)) {
        if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
          Bind(Var, Rhs);
      } else if (const auto *Member = dyn_cast<MemberExpr>(Place)) {
        const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
        if (isEdgeField(Field))
          StoreInto(Member->getBase(), Field, Rhs, /*Replaces=*/true, S.getBeginLoc());
      }
      return true;
    }
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      auto Wrapped = WrapperCalls.find(Call);
      if (Wrapped != WrapperCalls.end()) {
        const ApiCall &Api = Wrapped->second;
        std::optional<unsigned> Owner = NodeOf(Api.Object);
        if (!Owner)
          return true;
        if (Api.Role == ApiRole::Finalizer && !isUnorderedRegistration(Api) &&
            Graph.Nodes[*Owner].FinalizerAt.isInvalid())
          Graph.Nodes[*Owner].FinalizerAt = Call->getBeginLoc();
        const FunctionDecl *Callee = Call->getDirectCallee();
        if (!Callee)
          return true;
        WrapperOfCall = RegistrationWrapper();
        WrapperOfCall.Function = Callee;
        Through = Call;
        StringRef What = Api.Role == ApiRole::Finalizer ? "finalizer" : "cleanup";
        if (Api.Callback)
          AddCaptures(*Owner, Api.Callback, What);
        if (Api.Data) {
          const Expr *Data = Api.Data;
          if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(stripObjectWrappers(Data));
              Ref && isa<ParmVarDecl>(Ref->getDecl()))
            Data = ArgumentFor(Ref->getDecl());
          if (std::optional<unsigned> Held = Data ? NodeOf(Data) : std::nullopt;
              Held && *Held != *Owner)
            Graph.Nodes[*Owner].Others.push_back(
                {*Held, Call->getBeginLoc(), EdgeText(*Owner, What, "holds", *Held), true});
        }
        Through = nullptr;
        return true;
      }
    }
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(&S)) {
      const CXXMethodDecl *Method = Call->getMethodDecl();
      const Expr *Receiver = Call->getImplicitObjectArgument();
      if (!Method || !Receiver)
        return true;
      const auto *Member = dyn_cast<MemberExpr>(Receiver->IgnoreParenImpCasts());
      const auto *Field = Member ? dyn_cast<FieldDecl>(Member->getMemberDecl()) : nullptr;
      if (isEdgeField(Field)) {
        if (isStdInserter(*Method))
          for (const Expr *Arg : Call->arguments())
            StoreInto(Member->getBase(), Field, Arg, /*Replaces=*/false, S.getBeginLoc());
        else if (isStdClearer(*Call))
          if (std::optional<unsigned> Owner = NodeOf(Member->getBase()))
            llvm::erase_if(Graph.Nodes[*Owner].Others, [&](const ObjectGraph::Edge &E) {
              return E.How.find("->" + Field->getNameAsString() + "'") != std::string::npos;
            });
        return true;
      }
      // `a->attach(b)` whose body keeps b in a traced field of a.
      for (unsigned I = 0; I < Call->getNumArgs(); ++I) {
        const FieldDecl *Kept = Summaries.fieldStoringParameter(*Method, I);
        if (!isEdgeField(Kept))
          continue;
        std::optional<unsigned> Owner = NodeOf(Receiver);
        std::optional<unsigned> Stored = NodeOf(Call->getArg(I));
        if (Owner && Stored)
          Graph.Nodes[*Owner].Others.push_back({*Stored, S.getBeginLoc(),
                                                Describe(*Stored) + " is stored in " +
                                                    Describe(*Owner) + " by '" +
                                                    displayName(*Method) + "' here"});
      }
      return true;
    }
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      std::optional<ApiCall> Api = classifyCall(*Call, Profile);
      if (!Api || Api->Unregisters ||
          (Api->Role != ApiRole::Finalizer && Api->Role != ApiRole::Cleanup))
        return true;
      std::optional<unsigned> Owner = NodeOf(Api->Object);
      if (!Owner)
        return true;
      bool Ordered = Api->Role == ApiRole::Finalizer &&
                     !(Api->Function && (StringRef(Api->Function->Name).contains("no_order") ||
                                         StringRef(Api->Function->Name).contains("unreachable")));
      if (Ordered && Graph.Nodes[*Owner].FinalizerAt.isInvalid())
        Graph.Nodes[*Owner].FinalizerAt = Call->getBeginLoc();
      StringRef What = Api->Role == ApiRole::Finalizer ? "finalizer" : "cleanup";
      if (Api->Callback)
        AddCaptures(*Owner, Api->Callback, What);
      if (Api->Data)
        if (std::optional<unsigned> Data = NodeOf(Api->Data); Data && *Data != *Owner)
          Graph.Nodes[*Owner].Others.push_back({*Data, Api->Data->getBeginLoc(),
                                                "the " + What.str() + " of " + Describe(*Owner) +
                                                    " holds " + Describe(*Data) + " here",
                                                true});
    }
    return true;
  });

  llvm::StringSet<> FinalizableTypes;
  for (const FinalizableFact &Fact : Facts.Finalizable)
    FinalizableTypes.insert(Fact.Type);
  std::vector<bool> Covered(Graph.Nodes.size());
  // Objects given a finalizer here first: the cycle is told from them.
  std::vector<unsigned> Order;
  for (unsigned N = 0; N < Graph.Nodes.size(); ++N)
    if (Graph.Nodes[N].FinalizerAt.isValid())
      Order.push_back(N);
  for (unsigned N = 0; N < Graph.Nodes.size(); ++N)
    if (Graph.Nodes[N].FinalizerAt.isInvalid())
      Order.push_back(N);
  for (unsigned N : Order) {
    const ObjectGraph::Node &Node = Graph.Nodes[N];
    std::string Type = Node.Type.isNull() ? "" : typeKey(Node.Type);
    bool Finalizable = Node.FinalizerAt.isValid() || FinalizableTypes.contains(Type);
    if (!Finalizable || Covered[N])
      continue;
    std::optional<std::vector<const ObjectGraph::Edge *>> Cycle = Graph.cycleThrough(N);
    if (!Cycle)
      continue;
    std::string Spelling = "'" + Node.Name + "'";
    bool AllTypesReported = true;
    const ObjectGraph::Edge *Closing = Cycle->front();
    for (const ObjectGraph::Edge *E : *Cycle) {
      Covered[E->To] = true;
      Spelling += " -> '" + Graph.Nodes[E->To].Name + "'";
      const QualType &To = Graph.Nodes[E->To].Type;
      if (To.isNull() || !TypesOnReportedCycles.contains(typeKey(To)))
        AllTypesReported = false;
      if (SM.isBeforeInTranslationUnit(Closing->Loc, E->Loc))
        Closing = E;
    }
    // The type level already said it of these types.
    if (AllTypesReported && Cycle->size() > 1)
      continue;
    // A callable or client data that leads back to its own object, the only
    // finalizable one on the way, is gc-finalizer-self-reference's finding.
    bool OtherFinalizable = false, OwnRegistrationOnly = true;
    for (size_t I = 0; I < Cycle->size(); ++I) {
      unsigned From = I == 0 ? N : (*Cycle)[I - 1]->To;
      const ObjectGraph::Node &Hop = Graph.Nodes[From];
      if (From != N && (Hop.FinalizerAt.isValid() ||
                        (!Hop.Type.isNull() && FinalizableTypes.contains(typeKey(Hop.Type)))))
        OtherFinalizable = true;
      if ((*Cycle)[I]->ByRegistration && From != N)
        OwnRegistrationOnly = false;
    }
    bool ThroughRegistration =
        llvm::any_of(*Cycle, [](const ObjectGraph::Edge *E) { return E->ByRegistration; });
    if (ThroughRegistration && OwnRegistrationOnly && !OtherFinalizable)
      continue;
    if (Closing->Loc.isInvalid() || !Reported.insert(SM.getExpansionLoc(Closing->Loc)).second)
      continue;
    if (Cycle->size() == 1)
      diag(Closing->Loc, "finalizable '%1' reaches itself (%0): it is never finalized and "
                         "everything it holds leaks; %2")
          << Spelling << Node.Name << CycleAdvice;
    else
      diag(Closing->Loc, "these objects reach each other in a cycle (%0) through finalizable "
                         "'%1': none of them is ever finalized and everything they hold leaks; %2")
          << Spelling << Node.Name << CycleAdvice;
    for (const ObjectGraph::Edge *E : *Cycle)
      diag(E->Loc, E->How, DiagnosticIDs::Note);
    if (Node.FinalizerAt.isValid())
      diag(Node.FinalizerAt, "'%0' gets a finalizer here", DiagnosticIDs::Note) << Node.Name;
  }
}

void FinalizerCycleCheck::exportFacts() {
  const SourceManager &SM = Context->getSourceManager();
  OptionalFileEntryRef Main = SM.getFileEntryRefForID(SM.getMainFileID());
  if (!Main)
    return;
  llvm::SmallString<256> MainPath(Main->getName());
  SM.getFileManager().makeAbsolutePath(MainPath);
  llvm::sys::path::remove_dots(MainPath, /*remove_dot_dot=*/true);
  Facts.Unit = std::string(MainPath);
  llvm::SmallString<256> Out(ExportFactsDirectory);
  llvm::sys::path::append(Out, llvm::sys::path::filename(MainPath) + "-" +
                                   llvm::utohexstr(llvm::xxh3_64bits(MainPath), true) + ".facts");
  std::error_code EC = llvm::sys::fs::create_directories(ExportFactsDirectory);
  llvm::SmallString<256> Temporary;
  int FD = -1;
  if (!EC)
    EC = llvm::sys::fs::createUniqueFile(Out + ".%%%%%%.tmp", FD, Temporary);
  if (!EC) {
    {
      llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
      OS << serialiseCycleFacts(Facts);
    }
    EC = llvm::sys::fs::rename(Temporary, Out);
  }
  if (EC)
    configurationDiag("cannot write cycle facts to '%0': %1") << Out << EC.message();
}

} // namespace clang::tidy::gc
