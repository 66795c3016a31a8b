//===--- FinalizerCycleCheck.cpp - gc-finalizer-cycle ---------------------===//

#include "gc/FinalizerCycleCheck.h"
#include "analysis/AccessPath.h"
#include "analysis/ApiCalls.h"
#include "analysis/Callables.h"
#include "analysis/Stores.h"
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
#include <map>

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

constexpr llvm::StringLiteral CycleAdvice =
    "register the finalizer on one owner outside the cycle, or break an edge";

// Fields of these hold traced references (the template argument is the target).
bool isTracedMemberTemplate(const ClassTemplateSpecializationDecl &Spec) {
  std::string Name = Spec.getQualifiedNameAsString();
  if (Name == "lastword::member" || Name == "cppgc::Member")
    return true;
  // cppgc::Member<T> is BasicMember<T, StrongMemberTag, ...>; weak and
  // untraced members are not edges.
  if (Name == "cppgc::internal::BasicMember" && Spec.getTemplateArgs().size() > 1 &&
      Spec.getTemplateArgs()[1].getKind() == TemplateArgument::Type)
    return Spec.getTemplateArgs()[1].getAsType().getAsString().find("StrongMemberTag") !=
           std::string::npos;
  return false;
}

// Standard storage that holds its elements in the object itself.
bool isInlineStdStorage(llvm::StringRef Name) {
  return Name == "array" || Name == "pair" || Name == "tuple" || Name == "optional" ||
         Name == "variant";
}

bool isContainer(llvm::StringRef Name) {
  return Name == "vector" || Name == "deque" || Name == "list" || Name == "forward_list" ||
         Name == "map" || Name == "multimap" || Name == "set" || Name == "multiset" ||
         Name == "unordered_map" || Name == "unordered_multimap" || Name == "unordered_set" ||
         Name == "unordered_multiset";
}

// The collectors' own types (handles, records, registries) are no user objects.
bool isApiRecord(const RecordDecl &Record) {
  const DeclContext *Context = Record.getDeclContext();
  while (Context && !Context->isTranslationUnit() && !isa<NamespaceDecl>(Context))
    Context = Context->getParent();
  for (; Context && isa<NamespaceDecl>(Context); Context = Context->getParent()) {
    const auto *Namespace = cast<NamespaceDecl>(Context);
    if (isa<TranslationUnitDecl>(Namespace->getParent()) &&
        (hasName(Namespace, "lastword") || hasName(Namespace, "cppgc")))
      return true;
  }
  return false;
}

bool isBoehmAllocator(QualType Type) {
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  llvm::StringRef Name = Record ? identifierName(Record) : "";
  return Name == "gc_allocator" || Name == "traceable_allocator" ||
         Name == "gc_allocator_ignore_off_page";
}

// \p Embedded: the object of \p Type lies inside the collected object (a
// field, an array element, a std::pair or std::array part), not in memory
// of its own that the collector does not trace.
void collectTargets(QualType Type, bool Boehm, bool Embedded, unsigned Depth,
                    llvm::SmallVectorImpl<QualType> &Out) {
  if (Type.isNull() || Depth > 4 || Type->isDependentType())
    return;
  Type = Type.getCanonicalType().getUnqualifiedType();
  if (const ArrayType *Array = Type->getAsArrayTypeUnsafe()) {
    collectTargets(Array->getElementType(), Boehm, Embedded, Depth + 1, Out);
    return;
  }
  if (Type->isPointerType()) {
    // A conservative collector follows every pointer in a collected object.
    QualType Pointee = Type->getPointeeType().getCanonicalType().getUnqualifiedType();
    if (Boehm && Embedded && Pointee->isRecordType())
      Out.push_back(Pointee);
    return;
  }
  const RecordDecl *Record = Type->getAsRecordDecl();
  if (!Record)
    return;
  const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record);
  if (Spec && isTracedMemberTemplate(*Spec)) {
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    if (Args.size() > 0 && Args[0].getKind() == TemplateArgument::Type) {
      QualType Target = Args[0].getAsType().getCanonicalType().getUnqualifiedType();
      if (Target->isRecordType())
        Out.push_back(Target);
    }
    return;
  }
  if (Spec && Spec->isInStdNamespace()) {
    const TemplateArgumentList &Args = Spec->getTemplateArgs();
    bool Inline = isInlineStdStorage(identifierName(Spec));
    bool Scanned = llvm::any_of(Args.asArray(), [](const TemplateArgument &Arg) {
          return Arg.getKind() == TemplateArgument::Type && isBoehmAllocator(Arg.getAsType());
        });
    // Under Boehm, a container's heap storage is scanned only when it comes
    // from a collecting allocator; a precise collector follows the members
    // a trace() visits in any container.
    if (Boehm && !Inline && !Scanned)
      return;
    bool Holds = Embedded && (Inline || Scanned || (!Boehm && isContainer(identifierName(Spec))));
    for (const TemplateArgument &Arg : Args.asArray())
      if (Arg.getKind() == TemplateArgument::Type && !isBoehmAllocator(Arg.getAsType()))
        collectTargets(Arg.getAsType(), Boehm, Holds, Depth + 1, Out);
    return;
  }
  // An object embedded by value: its own fields are the edges, so it is an
  // intermediate node of the graph (user types only).
  if (Embedded && !Record->isInStdNamespace() && !isApiRecord(*Record) &&
      !Record->field_empty())
    Out.push_back(Type);
}

bool isInMainFile(SourceLocation Loc, const SourceManager &SM) {
  return Loc.isValid() && SM.isInMainFile(SM.getExpansionLoc(Loc));
}

// The collected type an object expression points to (`p`, `this`, `(void *)p`).
QualType pointeeRecord(const Expr *Object) {
  if (!Object)
    return QualType();
  const Expr *E = Object->IgnoreParenCasts();
  QualType Type = E->getType();
  if (Type.isNull() || Type->isDependentType())
    return QualType();
  if (Type->isPointerType())
    Type = Type->getPointeeType();
  if (!Type->isRecordType())
    return QualType();
  return Type;
}

} // namespace

FinalizerCycleCheck::FinalizerCycleCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)),
      Excluded(ExcludedPaths::fromOptions(*this, Options)),
      SelfCycles(Options.get("SelfCycles", false)),
      ExportFactsDirectory(Options.getLocalOrGlobal("ExportFactsDirectory", "")) {
  // The profile's FinalizableTypes (read locally, then globally).
  for (StringRef Name : Profile.types(TypeRole::Finalizable).patterns()) {
    Name.consume_front("::");
    if (!Name.empty())
      FinalizableTypeNames.insert(Name);
  }
}

void FinalizerCycleCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Profile.storeOptions(Options, Opts);
  Excluded.storeOptions(Options, Opts);
  Options.store(Opts, "SelfCycles", SelfCycles);
  Options.store(Opts, "ExportFactsDirectory", ExportFactsDirectory);
}

void FinalizerCycleCheck::onStartOfTranslationUnit() {
  Context = nullptr;
  Facts = CycleFacts();
  EdgeLocations.clear();
  FinalizableLocations.clear();
  Targets.clear();
  Records.clear();
  Registrations.clear();
  Candidates.clear();
  TypesOnReportedCycles.clear();
  Functions.reset();
  Summaries = CalleeSummaries();
  Reported.clear();
  Excluded.forget();
}

void FinalizerCycleCheck::registerMatchers(MatchFinder *Finder) {
  // Every record of user code, class template instantiations included.
  Finder->addMatcher(recordDecl(isDefinition(), unless(isExpansionInSystemHeader())).bind("record"),
                     this);
  for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup})
    if (!Profile.functions(Role).empty())
      Finder->addMatcher(
          callExpr(apiCallTo(Profile, Role), unless(isExpansionInSystemHeader())).bind("registration"),
          this);
  if (Profile.readsBoehmCpp())
    Finder->addMatcher(cxxNewExpr(unless(isExpansionInSystemHeader())).bind("registration"), this);
  // Stores into fields, as written.
  auto Field = ignoringParenImpCasts(memberExpr().bind("field"));
  Finder->addMatcher(
      traverse(TK_IgnoreUnlessSpelledInSource,
               stmt(unless(isExpansionInSystemHeader()),
                    anyOf(binaryOperator(hasOperatorName("="), hasLHS(Field)),
                          cxxOperatorCallExpr(hasOverloadedOperatorName("="), hasArgument(0, Field)),
                          cxxMemberCallExpr(on(Field))))
                   .bind("store")),
      this);
  if (!Profile.functions(ApiRole::Allocation).empty())
    Finder->addMatcher(traverse(TK_IgnoreUnlessSpelledInSource,
                                callExpr(apiCallTo(Profile, ApiRole::Allocation),
                                         unless(argumentCountIs(0)),
                                         unless(isExpansionInSystemHeader()))
                                    .bind("store")),
                       this);
}

const llvm::SmallVector<QualType, 1> &FinalizerCycleCheck::targetsOf(const FieldDecl &Field) {
  auto [It, New] = Targets.try_emplace(&Field);
  if (New)
    collectTargets(Field.getType(), Profile.flavor() == ApiFlavor::Bdwgc, /*Embedded=*/true, 0,
                   It->second);
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
  if (const auto *Record = Result.Nodes.getNodeAs<RecordDecl>("record")) {
    addRecord(*Record);
    return;
  }
  if (!Functions)
    Functions = std::make_unique<EnclosingFunctions>(*Result.Context);
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
  if ((Class && Class->isLambda()) || isApiRecord(Record))
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
  if (!FinalizableTypeNames.empty()) {
    std::string Qualified = Record.getQualifiedNameAsString();
    if (FinalizableTypeNames.contains(Owner) || FinalizableTypeNames.contains(Qualified)) {
      Facts.Finalizable.push_back({Owner, factLocation(Record.getLocation())});
      FinalizableLocations.push_back(SourceLocation());
    }
  }
}

void FinalizerCycleCheck::addRegistration(const Expr &Registration) {
  if (!Registrations.insert(&Registration).second)
    return;
  std::optional<ApiCall> Api;
  if (const auto *Call = dyn_cast<CallExpr>(&Registration))
    Api = classifyCall(*Call, Profile);
  else if (const auto *New = dyn_cast<CXXNewExpr>(&Registration))
    Api = classifyBoehmNew(*New, Profile);
  if (!Api || Api->Unregisters)
    return;
  if (const FunctionDecl *Function = Functions->of(Registration))
    Candidates.insert(Function);
  if (Api->Role != ApiRole::Finalizer)
    return;
  // Boehm's unordered registrations finalize cycles too.
  if (Api->Function && (StringRef(Api->Function->Name).contains("no_order") ||
                        StringRef(Api->Function->Name).contains("unreachable")))
    return;
  QualType Type;
  if (const auto *New = dyn_cast<CXXNewExpr>(&Registration))
    Type = New->getAllocatedType();
  else
    Type = pointeeRecord(Api->Object);
  if (Type.isNull() || Type->isDependentType() || !Type->isRecordType())
    return;
  Facts.Finalizable.push_back({typeKey(Type), factLocation(Registration.getBeginLoc())});
  FinalizableLocations.push_back(Registration.getBeginLoc());
}

void FinalizerCycleCheck::onEndOfTranslationUnit() {
  if (!Context)
    return;
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
  struct Edge {
    unsigned To;
    SourceLocation Loc;
    std::string How;
  };
  struct Node {
    std::string Name;
    QualType Type;
    SourceLocation FinalizerAt;
    /// Single-valued fields: the edge each holds now.
    std::map<const FieldDecl *, Edge> Fields;
    /// Containers filled, callables: every edge stays.
    std::vector<Edge> Others;
  };

  std::vector<Node> Nodes;
  llvm::DenseMap<const ValueDecl *, unsigned> Current;
  std::optional<unsigned> ThisNode;

  unsigned fresh(std::string Name, QualType Type) {
    Nodes.push_back({std::move(Name), Type, {}, {}, {}});
    return Nodes.size() - 1;
  }

  std::vector<const Edge *> edgesOf(unsigned N) const {
    std::vector<const Edge *> Out;
    for (const auto &[Field, E] : Nodes[N].Fields)
      Out.push_back(&E);
    for (const Edge &E : Nodes[N].Others)
      Out.push_back(&E);
    std::sort(Out.begin(), Out.end(), [](const Edge *A, const Edge *B) {
      return A->Loc.getRawEncoding() < B->Loc.getRawEncoding();
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
};

bool holdsObjectPointer(QualType Type) {
  return !Type.isNull() && Type->isPointerType() && Type->getPointeeType()->isRecordType();
}

} // namespace

void FinalizerCycleCheck::analyseFunction(const FunctionDecl &Function) {
  const Stmt *Body = Function.getBody();
  if (!Body || Function.isDependentContext())
    return;
  ObjectGraph Graph;
  const SourceManager &SM = Context->getSourceManager();

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
            Graph.Nodes[Made].Others.push_back(
                {*Arg, Call->getArg(I)->getBeginLoc(),
                 "'" + Graph.Nodes[*Arg].Name + "' is stored in '" +
                     Field->getParent()->getNameAsString() + "::" + Field->getNameAsString() +
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

  auto AddCaptures = [&](unsigned Owner, const Expr *Callback, StringRef What) {
    std::optional<CallableTarget> Target = resolveCallable(Callback);
    if (!Target)
      return;
    if (Target->Lambda) {
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
          auto It = Graph.Current.find(Var);
          if (It == Graph.Current.end())
            continue;
          Captured = It->second;
        }
        // A callable that holds its own object is gc-finalizer-self-reference.
        if (Captured && *Captured != Owner)
          Graph.Nodes[Owner].Others.push_back(
              {*Captured, Capture.getLocation(),
               "the " + What.str() + " of " + Describe(Owner) + " captures " +
                   Describe(*Captured) + " here"});
      }
    }
    for (const Expr *Stored : Target->StoredArguments)
      if (std::optional<unsigned> Captured = NodeOf(Stored); Captured && *Captured != Owner)
        Graph.Nodes[Owner].Others.push_back({*Captured, Stored->getBeginLoc(),
                                             "the " + What.str() + " of " + Describe(Owner) +
                                                 " holds " + Describe(*Captured) + " here"});
  };

  auto StoreInto = [&](const Expr *Target, const FieldDecl *Field, const Expr *Value,
                       bool Replaces, SourceLocation Loc) {
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
                        Describe(*Stored) + " is stored in '" + Node.Name +
                            "->" + Field->getNameAsString() +
                            "' here"};
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
    if (const auto *Binary = dyn_cast<BinaryOperator>(&S); Binary && Binary->getOpcode() == BO_Assign) {
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
          Graph.Nodes[*Owner].Others.push_back(
              {*Stored, S.getBeginLoc(),
               Describe(*Stored) + " is stored in " + Describe(*Owner) + " by '" +
                   displayName(*Method) + "' here"});
      }
      return true;
    }
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      std::optional<ApiCall> Api = classifyCall(*Call, Profile);
      if (!Api || Api->Unregisters || (Api->Role != ApiRole::Finalizer && Api->Role != ApiRole::Cleanup))
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
          Graph.Nodes[*Owner].Others.push_back(
              {*Data, Api->Data->getBeginLoc(),
               "the " + What.str() + " of " + Describe(*Owner) + " holds " + Describe(*Data) +
                   " here"});
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
    if (Closing->Loc.isInvalid() || !Reported.insert(SM.getExpansionLoc(Closing->Loc)).second)
      continue;
    diag(Closing->Loc, "these objects reach each other in a cycle (%0) through finalizable '%1': "
                       "none of them is ever finalized and everything they hold leaks; %2")
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
