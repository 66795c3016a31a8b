//===--- MissingKeepAliveCheck.cpp - gc-missing-keep-alive ----------------===//

#include "gc/MissingKeepAliveCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/Callables.h"
#include "analysis/ExprNormalise.h"
#include "analysis/Finalizers.h"
#include "analysis/OptionLists.h"
#include "analysis/ReachNotes.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include <optional>

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

constexpr const char *TranslationUnitId = "tu";
constexpr const char *CleanupCallId = "cleanup";

// `lastword::File` and `::File` match a written `File` and `lastword::File`.
bool nameMatches(const NamedDecl &D, StringRef Wanted) {
  Wanted.consume_front("::");
  std::string Qualified = D.getQualifiedNameAsString();
  return Qualified == Wanted || StringRef(Qualified).ends_with(("::" + Wanted).str()) ||
         identifierName(&D) == Wanted;
}

const CXXRecordDecl *recordPattern(const RecordDecl *Record) {
  const auto *Class = dyn_cast_or_null<CXXRecordDecl>(Record);
  if (!Class)
    return nullptr;
  if (const auto *Specialization = dyn_cast<ClassTemplateSpecializationDecl>(Class))
    if (ClassTemplateDecl *Template = Specialization->getSpecializedTemplate())
      return Template->getTemplatedDecl();
  return Class;
}

std::string recordName(const RecordDecl *Record) {
  if (!Record)
    return "";
  if (const CXXRecordDecl *Pattern = recordPattern(Record))
    Record = Pattern;
  return declName(*Record);
}

bool isLocalPointer(const ValueDecl *D) {
  const auto *Var = dyn_cast_or_null<VarDecl>(D);
  if (!Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var))
    return false;
  QualType Type = Var->getType();
  return Type->isPointerType() || Type->isReferenceType();
}

// `std::span`, `std::string_view`: classes that point into storage they do
// not own.
bool isViewType(QualType Type) {
  const auto *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  if (!Record || !Record->isInStdNamespace() || !Record->getIdentifier())
    return false;
  StringRef Name = Record->getName();
  return Name == "span" || Name == "basic_string_view";
}

// A value of \p Type can carry a handle (a descriptor, a raw pointer, a view
// of the handle's storage); other values of class type own a copy
// (`std::string copy = f->name`).
bool canCarryHandle(QualType Type) {
  return Type->isPointerType() || (Type->isIntegerType() && !Type->isBooleanType()) ||
         isViewType(Type);
}

// A local aggregate of the user's whose fields may carry handles
// (`struct iovec v = {f->buf, f->len}`).
bool isAggregateLocal(const VarDecl *Var) {
  if (!Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var) || Var->getType()->isReferenceType())
    return false;
  const RecordDecl *Record = Var->getType()->getAsRecordDecl();
  return Record && !Record->isInStdNamespace() && !isViewType(Var->getType());
}

// A local that can carry a handle's value.
bool isHandleLocal(const VarDecl *Var) {
  if (!Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var))
    return false;
  return canCarryHandle(Var->getType().getNonReferenceType()) || Var->getType()->isReferenceType();
}

// Visits the user's function definitions (not lambdas' operator(), which
// belong to their function; not template instantiations, which are reached
// through their template).
class UserFunctions : public UserCodeVisitor<UserFunctions> {
public:
  UserFunctions(const SourceManager &SM, llvm::function_ref<void(const FunctionDecl &)> Visit)
      : UserCodeVisitor(SM), Visit(Visit) {}
  bool shouldVisitTemplateInstantiations() const { return false; }
  bool shouldVisitImplicitCode() const { return false; }
  // Lambdas are judged with the function that contains them; one outside
  // any function (a global's initialiser) on its own.
  bool TraverseLambdaExpr(LambdaExpr *Lambda) {
    const CXXRecordDecl *Closure = Lambda->getLambdaClass();
    const CXXMethodDecl *Operator = Lambda->getCallOperator();
    if (Closure && Operator && Operator->getBody() &&
        !Closure->getDeclContext()->isFunctionOrMethod())
      Visit(*Operator);
    return true;
  }
  bool VisitFunctionDecl(FunctionDecl *Function) {
    if (Function->doesThisDeclarationHaveABody() && Function->getBody())
      Visit(*Function);
    return true;
  }

private:
  llvm::function_ref<void(const FunctionDecl &)> Visit;
};

/// Where a handle's value comes from: field \p Field of the object that
/// \p Object designates (null: `this`).
struct HandleSource {
  const FieldDecl *Field = nullptr;
  const ValueDecl *Object = nullptr;
  bool IsThis = false;
  /// Where the handle was read: the object as the read names it.
  const Expr *ReadAt = nullptr;
};

/// The fields of an aggregate that carry a handle, and where each comes from.
using CarriedHandles = llvm::SmallVector<std::pair<const FieldDecl *, HandleSource>, 1>;

/// A place where the handle's value is used.
struct HandleUse {
  const Expr *Use = nullptr;       ///< the call, or the dereference
  const Stmt *Statement = nullptr; ///< the statement of its block that contains it
  HandleSource Source;
  std::string Callee; ///< empty for a dereference
  /// `return f->fd;`: the caller gets the handle, never the object.
  bool Returned = false;
};

/// A getter: the function returns field \p Field of parameter \p Param
/// (-1: of `this`); with a \p Carrier, it returns an aggregate whose field
/// \p Carrier holds that handle (`return {b->bytes, b->size};`).
struct Getter {
  int Param = -1;
  const FieldDecl *Field = nullptr;
  const FieldDecl *Carrier = nullptr;
};

/// What one function's body shows, collected in one walk.
struct BodyFacts {
  const FunctionDecl *Function = nullptr;
  llvm::DenseMap<const VarDecl *, HandleSource> HandleLocals;
  /// Local aggregates, by the fields that carry a handle.
  llvm::DenseMap<const VarDecl *, CarriedHandles> FieldLocals;
  std::vector<HandleUse> Uses;
  /// Calls and constructions an object variable (null: `this`) is passed
  /// to whole: it is in use for as long as they run.
  llvm::DenseMap<const ValueDecl *, llvm::SmallVector<const Expr *, 2>> PassedTo;
  /// Object variables that escape the function's view: captured, address
  /// taken, handed to a construction or stored through another object.
  llvm::SmallPtrSet<const ValueDecl *, 4> Escaped;
  /// The lambdas of the body, judged as functions of their own.
  std::vector<std::pair<const FunctionDecl *, const Stmt *>> Lambdas;
};

/// A call that passes a parameter's object and is its last use in the
/// caller: the caller does not keep the object alive during the call.
struct DroppingCall {
  const CallExpr *Call = nullptr;
  std::string Object; ///< the argument as the caller writes it
};

class Judge {
public:
  Judge(ClangTidyCheck &Check, const ApiProfile &Profile,
        const llvm::DenseMap<const FieldDecl *, MissingKeepAliveState::Releaser> &Handles,
        const llvm::DenseSet<const FunctionDecl *> &FinalizerCode, FlowCache &Flows,
        llvm::DenseSet<SourceLocation> &Reported, bool ParametersKeptAlive, ASTContext &Context)
      : Check(Check), Profile(Profile), Handles(Handles), FinalizerCode(FinalizerCode),
        Flows(Flows), Reported(Reported), ParametersKeptAlive(ParametersKeptAlive),
        Context(Context), SM(Context.getSourceManager()) {}

  void judgeBody(const FunctionDecl &Function, const Stmt *Body);

private:
  const BodyFacts &factsOf(const FunctionDecl &Function, const Stmt *Body);
  std::optional<DroppingCall> callerDrops(const FunctionDecl &Callee, unsigned Param,
                                          unsigned Depth);
  bool freshObject(const Expr *Value);
  void indexCallSites();
  std::optional<HandleSource> handleSource(const Expr *E, const BodyFacts &Facts,
                                           unsigned Depth = 0);
  std::optional<HandleSource> objectOf(const Expr *Base, bool Arrow, const FieldDecl *Field);
  std::optional<Getter> getterOf(const FunctionDecl *Function, unsigned Depth);
  /// A getter that returns the handle itself, not an aggregate carrying it.
  std::optional<Getter> valueGetterOf(const FunctionDecl *Function, unsigned Depth) {
    std::optional<Getter> G = getterOf(Function, Depth);
    return G && !G->Carrier ? G : std::nullopt;
  }
  bool isOwnGetter(const CXXMethodDecl *Method, unsigned Depth) {
    std::optional<Getter> G = valueGetterOf(Method, Depth);
    return G && G->Param < 0;
  }
  /// The handles the aggregate \p Init initialises a local with: braces,
  /// a helper's aggregate, a copy of another local.
  CarriedHandles aggregateHandles(const Expr *Init, const BodyFacts &Facts, unsigned Depth);
  /// The handle that field \p Field of the aggregate \p Base carries.
  std::optional<HandleSource> carriedHandle(const Expr *Base, const FieldDecl *Field,
                                            const BodyFacts &Facts, unsigned Depth);
  bool returnsHeldObject(const FunctionDecl *Function);
  void judgeUse(const HandleUse &Use, const BodyFacts &Facts);
  void report(const HandleUse &Use, const Expr *LastUse,
              const std::optional<DroppingCall> &Dropping);

  struct Group {
    llvm::SmallVector<const ValueDecl *, 2> Members;
    llvm::SmallVector<const Expr *, 8> UseExprs;
    llvm::SmallVector<FlowPoint, 8> UsePoints;
    llvm::SmallVector<FlowPoint, 2> Replaced;
  };
  std::optional<Group> groupOf(const ValueDecl *Object, const BodyFacts &Facts,
                               const FunctionFlow &Flow);
  static bool droppedAfter(const FunctionFlow &Flow, FlowPoint At, const Group &G, FlowPoint Read);

  ClangTidyCheck &Check;
  const ApiProfile &Profile;
  const llvm::DenseMap<const FieldDecl *, MissingKeepAliveState::Releaser> &Handles;
  const llvm::DenseSet<const FunctionDecl *> &FinalizerCode;
  FlowCache &Flows;
  llvm::DenseSet<SourceLocation> &Reported;
  bool ParametersKeptAlive;
  ASTContext &Context;
  const SourceManager &SM;
  /// 0: no getter, 1: getter, 2: being computed.
  llvm::DenseMap<const FunctionDecl *, std::optional<Getter>> Getters;
  llvm::DenseSet<const FunctionDecl *> GettersInProgress;
  llvm::DenseMap<const FunctionDecl *, bool> HeldReturns;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<BodyFacts>> FactsCache;
  /// factsOf calls in progress: a getter's facts can ask for another's.
  unsigned FactsNesting = 0;
  /// The TU's direct calls, by the callee's pattern (its first declaration):
  /// the call and the function that makes it.
  llvm::DenseMap<const FunctionDecl *,
                 llvm::SmallVector<std::pair<const CallExpr *, const FunctionDecl *>, 2>>
      CallSites;
  bool CallSitesIndexed = false;
  llvm::DenseMap<std::pair<const FunctionDecl *, unsigned>, std::optional<DroppingCall>> Drops;
};

// A function whose body is not visible and whose name says it hands out an
// object someone else holds (`get_current_file()`, `find_session(id)`).
bool namesLookup(const FunctionDecl *Function) {
  const FunctionDecl *Definition = nullptr;
  if (Function->hasBody(Definition))
    return false;
  std::string Name = StringRef(identifierName(Function)).lower();
  StringRef N(Name);
  return N.starts_with("get") || N.starts_with("find") || N.starts_with("lookup") ||
         N.starts_with("current") || N.contains("instance") || N.starts_with("global") ||
         N.starts_with("default") || N.starts_with("cached") || N.starts_with("peek");
}

// Calls that only read a descriptor's number (logging, formatting) do not
// use the descriptor: variadic functions and the standard library's.
bool readsNumberOnly(const FunctionDecl *Callee) {
  return Callee && (Callee->isVariadic() || Callee->isInStdNamespace());
}

// Methods that hand out the storage a handle names: its pointer, or an
// iterator into it (`bytes.begin()` of a view over the mapping).
bool isAccessor(const CXXMethodDecl *Method) {
  StringRef Name = identifierName(Method);
  return Name == "data" || Name == "get" || Name == "c_str" || Name == "native_handle" ||
         Name == "handle" || Name == "begin" || Name == "end" || Name == "cbegin" || Name == "cend";
}

std::optional<HandleSource> Judge::objectOf(const Expr *Base, bool Arrow, const FieldDecl *Field) {
  const Expr *Object = lookThroughArrow(Base);
  if (!Object)
    return std::nullopt;
  HandleSource Source;
  Source.Field = Field;
  Source.ReadAt = Object;
  if (isa<CXXThisExpr>(Object)) {
    Source.IsThis = true;
    return Source;
  }
  const auto *Ref = dyn_cast<DeclRefExpr>(Object);
  const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!Var)
    return std::nullopt;
  // `file.fd` on an object of the frame itself: not a collected object.
  if (!Arrow && !Var->getType()->isReferenceType() && !Var->getType()->isPointerType())
    return std::nullopt;
  Source.Object = Var;
  return Source;
}

std::optional<HandleSource> Judge::handleSource(const Expr *E, const BodyFacts &Facts,
                                                unsigned Depth) {
  bool ThroughAccessor = false;
  for (unsigned Step = 0; E && Step < 12; ++Step) {
    // `f->buf.get()` before lookThrough, which sees through a smart
    // pointer's get() to the smart pointer itself.
    // A getter of the object's own handle named like one (`native_handle()`
    // returning `fd_`) is a getter.
    if (const auto *Accessor = dyn_cast<CXXMemberCallExpr>(E->IgnoreImplicit()->IgnoreParenCasts());
        Accessor && Accessor->getMethodDecl() && isAccessor(Accessor->getMethodDecl()) &&
        !isOwnGetter(Accessor->getMethodDecl(), Depth)) {
      E = Accessor->getImplicitObjectArgument();
      ThroughAccessor = true;
      continue;
    }
    E = lookThrough(E);
    if (!E)
      return std::nullopt;
    // `bytes + sent`, `base - 1`: an offset into the handle's storage.
    if (const auto *Offset = dyn_cast<BinaryOperator>(E);
        Offset && Offset->isAdditiveOp() && Offset->getType()->isPointerType()) {
      E = Offset->getLHS()->getType()->isPointerType() ? Offset->getLHS() : Offset->getRHS();
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() != UO_AddrOf)
        return std::nullopt;
      const Expr *Sub = Unary->getSubExpr()->IgnoreParens();
      if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(Sub))
        Sub = Subscript->getBase();
      E = Sub;
      ThroughAccessor = true;
      continue;
    }
    if (const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *Method = MemberCall->getMethodDecl();
      if (Method && isAccessor(Method) && !isOwnGetter(Method, Depth)) {
        E = MemberCall->getImplicitObjectArgument();
        ThroughAccessor = true;
        continue;
      }
      std::optional<Getter> G = valueGetterOf(Method, Depth);
      if (!G || G->Param >= 0)
        return std::nullopt;
      const Expr *Object = MemberCall->getImplicitObjectArgument();
      const auto *Member = dyn_cast_or_null<MemberExpr>(MemberCall->getCallee()->IgnoreParens());
      return objectOf(Object, !Member || Member->isArrow(), G->Field);
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      if (isa<CXXOperatorCallExpr>(Call))
        return std::nullopt;
      std::optional<Getter> G = valueGetterOf(Call->getDirectCallee(), Depth);
      if (!G || G->Param < 0 || static_cast<unsigned>(G->Param) >= Call->getNumArgs())
        return std::nullopt;
      return objectOf(Call->getArg(G->Param), true, G->Field);
    }
    // `std::span<T>(f->buf, n)`: the view points at its first argument.
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E);
        Construct && isViewType(Construct->getType()) && Construct->getNumArgs() > 0 &&
        !Construct->getConstructor()->isCopyOrMoveConstructor()) {
      E = Construct->getArg(0);
      continue;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (!Field)
        return std::nullopt;
      if (!Member->isArrow())
        if (std::optional<HandleSource> Carried =
                carriedHandle(Member->getBase(), Field, Facts, Depth))
          return Carried;
      const FieldDecl *Pattern = fieldPattern(Field);
      if (!Handles.count(Pattern))
        return std::nullopt;
      // An object field is used through its storage (`buf.data()`); passed
      // whole it is a reference into the object, or a copy.
      if (Field->getType()->isRecordType() && !ThroughAccessor)
        return std::nullopt;
      return objectOf(Member->getBase(), Member->isArrow(), Pattern);
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      auto It = Var ? Facts.HandleLocals.find(Var) : Facts.HandleLocals.end();
      if (It == Facts.HandleLocals.end())
        return std::nullopt;
      return It->second;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Getter> Judge::getterOf(const FunctionDecl *Function, unsigned Depth) {
  const FunctionDecl *Definition = nullptr;
  if (!Function || !Function->hasBody(Definition) || !Definition || !Definition->getBody() ||
      Depth > 4)
    return std::nullopt;
  auto Known = Getters.find(Definition);
  if (Known != Getters.end())
    return Known->second;
  if (!GettersInProgress.insert(Definition).second || isInSystemCode(Definition->getLocation(), SM))
    return std::nullopt;
  std::optional<Getter> Result;
  bool Other = false;
  BodyFacts Empty;
  visitStmts(Definition->getBody(), [&](const Stmt &S) {
    if (isa<LambdaExpr>(&S))
      return false;
    const auto *Return = dyn_cast<ReturnStmt>(&S);
    if (!Return || !Return->getRetValue())
      return true;
    const Expr *Value = lookThrough(Return->getRetValue());
    if (isa_and_nonnull<IntegerLiteral, CXXNullPtrLiteralExpr, GNUNullExpr>(Value) ||
        (isa_and_nonnull<UnaryOperator>(Value) &&
         isa<IntegerLiteral>(cast<UnaryOperator>(Value)->getSubExpr()->IgnoreParens())))
      return true;
    std::optional<HandleSource> Source;
    const FieldDecl *Carrier = nullptr;
    if (Value && Value->getType()->isRecordType() && !isViewType(Value->getType())) {
      // A helper's own locals (`struct iovec v; v.iov_base = f->buf; return
      // v;`), a few helpers deep.
      const BodyFacts &Facts =
          FactsNesting < 3 ? factsOf(*Definition, Definition->getBody()) : Empty;
      CarriedHandles Carried = aggregateHandles(Value, Facts, Depth + 1);
      if (Carried.size() == 1) {
        Carrier = Carried.front().first;
        Source = Carried.front().second;
      }
    } else {
      Source = handleSource(Value, Empty, Depth + 1);
    }
    if (!Source) {
      Other = true;
      return false;
    }
    Getter G;
    G.Carrier = Carrier;
    G.Field = Source->Field;
    if (Source->IsThis) {
      G.Param = -1;
    } else {
      const auto *Param = dyn_cast_or_null<ParmVarDecl>(Source->Object);
      if (!Param) {
        Other = true;
        return false;
      }
      G.Param = static_cast<int>(Param->getFunctionScopeIndex());
    }
    if (Result &&
        (Result->Param != G.Param || Result->Field != G.Field || Result->Carrier != G.Carrier))
      Other = true;
    Result = G;
    return true;
  });
  GettersInProgress.erase(Definition);
  if (Other)
    Result.reset();
  Getters[Definition] = Result;
  return Result;
}

CarriedHandles Judge::aggregateHandles(const Expr *Init, const BodyFacts &Facts, unsigned Depth) {
  CarriedHandles Carried;
  const Expr *Value = lookThrough(Init);
  if (!Value || Depth > 4)
    return Carried;
  if (const auto *List = dyn_cast<InitListExpr>(Value)) {
    const RecordDecl *Record = List->getType()->getAsRecordDecl();
    if (!Record || Record->isUnion())
      return Carried;
    unsigned Index = 0;
    for (const FieldDecl *Field : Record->fields()) {
      if (Index >= List->getNumInits())
        break;
      const Expr *FieldInit = List->getInit(Index++);
      if (canCarryHandle(Field->getType()))
        if (std::optional<HandleSource> Source = handleSource(FieldInit, Facts, Depth))
          Carried.push_back({Field, *Source});
    }
    return Carried;
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(Value)) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (auto It = Var ? Facts.FieldLocals.find(Var) : Facts.FieldLocals.end();
        It != Facts.FieldLocals.end())
      Carried = It->second;
    return Carried;
  }
  if (const auto *Call = dyn_cast<CallExpr>(Value); Call && !isa<CXXOperatorCallExpr>(Call)) {
    std::optional<Getter> G = getterOf(Call->getDirectCallee(), Depth);
    if (!G || !G->Carrier || G->Param < 0 || static_cast<unsigned>(G->Param) >= Call->getNumArgs())
      return Carried;
    if (std::optional<HandleSource> Source = objectOf(Call->getArg(G->Param), true, G->Field))
      Carried.push_back({G->Carrier, *Source});
  }
  return Carried;
}

std::optional<HandleSource> Judge::carriedHandle(const Expr *Base, const FieldDecl *Field,
                                                 const BodyFacts &Facts, unsigned Depth) {
  if (!Base || !Base->getType()->isRecordType())
    return std::nullopt;
  for (const auto &[Carrier, Source] : aggregateHandles(Base, Facts, Depth))
    if (Carrier == Field)
      return Source;
  return std::nullopt;
}

// Does the function hand out an object someone else holds (a field, a
// global, an element)? Then the caller's pointer is not the only one.
bool Judge::returnsHeldObject(const FunctionDecl *Function) {
  const FunctionDecl *Definition = nullptr;
  if (!Function || !Function->hasBody(Definition) || !Definition || !Definition->getBody())
    return false;
  auto [It, Inserted] = HeldReturns.try_emplace(Definition, false);
  if (!Inserted)
    return It->second;
  bool Held = false;
  visitStmts(Definition->getBody(), [&](const Stmt &S) {
    if (Held || isa<LambdaExpr>(&S))
      return false;
    const auto *Return = dyn_cast<ReturnStmt>(&S);
    if (!Return || !Return->getRetValue())
      return true;
    const Expr *Value = lookThroughArrow(Return->getRetValue());
    if (isa_and_nonnull<MemberExpr, ArraySubscriptExpr, CXXOperatorCallExpr, CXXMemberCallExpr,
                        CXXThisExpr>(Value))
      Held = true;
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Value))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
        if (!Var->hasLocalStorage() || isa<ParmVarDecl>(Var))
          Held = true;
    return true;
  });
  HeldReturns[Definition] = Held;
  return Held;
}

std::optional<Judge::Group> Judge::groupOf(const ValueDecl *Object, const BodyFacts &Facts,
                                           const FunctionFlow &Flow) {
  Group Result;
  const Stmt *Body = Facts.Function->getBody();
  auto AddUses = [&](const ValueDecl *Member) {
    llvm::SmallPtrSet<const Expr *, 4> Targets;
    for (unsigned Index : Flow.replacingWritesOf(Member)) {
      const Write &W = Flow.writes()[Index];
      if (W.Target.isRoot() && W.TargetExpr)
        Targets.insert(W.TargetExpr->IgnoreParenImpCasts());
      if (W.Target.isRoot() && Member)
        if (FlowPoint P = Flow.pointOfWrite(Index); P.isValid())
          Result.Replaced.push_back(P);
    }
    for (const Expr *Use : evaluatedUses(Body, Member)) {
      if (Targets.contains(Use))
        continue;
      if (FlowPoint P = Flow.pointOf(Use); P.isValid()) {
        Result.UseExprs.push_back(Use);
        Result.UsePoints.push_back(P);
      }
    }
    auto Passed = Facts.PassedTo.find(Member);
    if (Passed != Facts.PassedTo.end())
      for (const Expr *Call : Passed->second)
        if (FlowPoint P = Flow.pointOf(Call); P.isValid()) {
          Result.UseExprs.push_back(Call);
          Result.UsePoints.push_back(P);
        }
  };

  if (!Object) {
    if (Facts.Escaped.contains(nullptr))
      return std::nullopt;
    Result.Members.push_back(nullptr);
    AddUses(nullptr);
    return Result;
  }

  // Find the variable the object first lands in, and make sure every value
  // the variables of the group take is a fresh object.
  const ValueDecl *Root = Object;
  // A parameter judged like a local (TreatParametersAsKeptAlive off) is
  // the caller's object: where it came from is not this function's to see.
  for (unsigned Step = 0; Step < 8 && !isa<ParmVarDecl>(Root); ++Step) {
    const ValueDecl *AliasOf = nullptr;
    bool Fresh = false, Held = false;
    for (unsigned Index : Flow.replacingWritesOf(Root)) {
      const Write &W = Flow.writes()[Index];
      if (!W.Target.isRoot() || W.Target.Variable != Root || !W.Value)
        continue;
      const Expr *Value = lookThrough(W.Value);
      if (!Value || isa<CXXNullPtrLiteralExpr, GNUNullExpr, IntegerLiteral>(Value))
        continue;
      if (isa<CXXNewExpr>(Value)) {
        Fresh = true;
      } else if (const auto *Call = dyn_cast<CallExpr>(Value)) {
        const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Call->getDirectCallee());
        if (isa<CXXOperatorCallExpr>(Call) || (Method && !Method->isStatic()) ||
            isa<CXXMemberCallExpr>(Call) || !Call->getDirectCallee() ||
            returnsHeldObject(Call->getDirectCallee()) || namesLookup(Call->getDirectCallee()))
          Held = true;
        else
          Fresh = true;
      } else if (const auto *Ref = dyn_cast<DeclRefExpr>(Value);
                 Ref && isLocalPointer(Ref->getDecl()) && !AliasOf) {
        AliasOf = Ref->getDecl();
      } else {
        Held = true;
      }
    }
    if (Held || (AliasOf && Fresh))
      return std::nullopt;
    if (AliasOf) {
      Root = AliasOf;
      continue;
    }
    if (!Fresh)
      return std::nullopt;
    break;
  }

  // The variables that copy the pointer; any other store lets it escape.
  llvm::SmallVector<const ValueDecl *, 4> Work{Root};
  while (!Work.empty()) {
    const ValueDecl *Member = Work.pop_back_val();
    if (llvm::is_contained(Result.Members, Member))
      continue;
    if (Facts.Escaped.contains(Member))
      return std::nullopt;
    Result.Members.push_back(Member);
    for (unsigned Index : Flow.writesMentioning(Member)) {
      const Write &W = Flow.writes()[Index];
      // A call that might store it (PassedTo) is a use, judged as one.
      if (!W.Value || W.WriteKind == Write::Kind::PassedTo || !refersTo(W.Value, Member))
        continue;
      if (W.makesAlias() && isLocalPointer(W.Target.Variable))
        Work.push_back(W.Target.Variable);
      else
        return std::nullopt;
    }
  }
  for (const ValueDecl *Member : Result.Members)
    AddUses(Member);
  return Result;
}

// Is the group's object no longer used after \p At on some path: no later
// use before the exit, or given another object first?
bool Judge::droppedAfter(const FunctionFlow &Flow, FlowPoint At, const Group &G, FlowPoint Read) {
  if (Flow.reaches(At, Flow.exit(), G.UsePoints))
    return true;
  for (FlowPoint Replaced : G.Replaced)
    // Given another object after the use, or between the read and the use
    // (later uses are then of the other object).
    if (Flow.reaches(At, Replaced, G.UsePoints) ||
        (Read.isValid() && Flow.reaches(Read, Replaced, {At}) &&
         Flow.reaches(Replaced, At, {Read})))
      return true;
  return false;
}

// A fresh object handed straight to a call (`slurp(File::open(path))`):
// nothing but the callee's parameter refers to it.
bool Judge::freshObject(const Expr *Value) {
  Value = lookThrough(Value);
  if (isa_and_nonnull<CXXNewExpr>(Value))
    return true;
  const auto *Call = dyn_cast_or_null<CallExpr>(Value);
  if (!Call || isa<CXXOperatorCallExpr, CXXMemberCallExpr>(Call))
    return false;
  const FunctionDecl *Callee = Call->getDirectCallee();
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Callee);
  return Callee && (!Method || Method->isStatic()) && Callee->getReturnType()->isPointerType() &&
         !returnsHeldObject(Callee) && !namesLookup(Callee);
}

// The key of a callee in CallSites: its pattern's first declaration.
const FunctionDecl *calleeKey(const FunctionDecl *Function) {
  if (!Function)
    return nullptr;
  if (const FunctionDecl *Pattern = Function->getTemplateInstantiationPattern())
    Function = Pattern;
  return Function->getFirstDecl();
}

void Judge::indexCallSites() {
  if (CallSitesIndexed)
    return;
  CallSitesIndexed = true;
  auto IndexBody = [&](const FunctionDecl &Caller) {
    visitStmts(Caller.getBody(), [&](const Stmt &S) {
      // Calls in a lambda are the lambda's; not indexed (their callee's
      // parameters stay kept alive).
      if (isa<LambdaExpr>(&S))
        return false;
      const auto *Call = dyn_cast<CallExpr>(&S);
      if (Call && !isa<CXXOperatorCallExpr>(Call))
        if (const FunctionDecl *Key = calleeKey(Call->getDirectCallee()))
          CallSites[Key].push_back({Call, &Caller});
      return true;
    });
  };
  UserFunctions(SM, [&](const FunctionDecl &Function) {
    if (Function.isDependentContext()) {
      forEachInstantiation(Function, IndexBody);
      return;
    }
    IndexBody(Function);
  }).TraverseDecl(Context.getTranslationUnitDecl());
}

// A call site of the TU that passes, as parameter \p Param of \p Callee,
// an object the caller no longer uses after the call on some path (no
// later use, no keep-alive): a fresh local, a fresh temporary, or a
// parameter of the caller that its own callers drop.
std::optional<DroppingCall> Judge::callerDrops(const FunctionDecl &Callee, unsigned Param,
                                               unsigned Depth) {
  const FunctionDecl *Key = calleeKey(&Callee);
  auto Known = Drops.find({Key, Param});
  if (Known != Drops.end())
    return Known->second;
  // A caller chain deeper than this, and recursion, count as kept alive.
  if (Depth > 3)
    return std::nullopt;
  Drops[{Key, Param}] = std::nullopt;
  indexCallSites();
  std::optional<DroppingCall> Found;
  auto Sites = CallSites.find(Key);
  if (Sites == CallSites.end())
    return std::nullopt;
  // Copied: callerDrops below may grow the cache it lives in.
  auto List = Sites->second;
  for (const auto &[Call, Caller] : List) {
    if (Found)
      break;
    if (Param >= Call->getNumArgs() || FinalizerCode.contains(Caller))
      continue;
    const Expr *Arg = Call->getArg(Param);
    if (freshObject(Arg)) {
      Found = DroppingCall{Call, exprText(Arg, Context)};
      break;
    }
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(lookThrough(Arg));
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Var || Var->getDeclContext() != Caller)
      continue;
    if (const auto *CallerParam = dyn_cast<ParmVarDecl>(Var)) {
      if (callerDrops(*Caller, CallerParam->getFunctionScopeIndex(), Depth + 1))
        Found = DroppingCall{Call, declName(*Var)};
      continue;
    }
    // Globals, statics, persistent handles, objects of the frame: kept.
    if (!isLocalPointer(Var) || !Caller->getBody())
      continue;
    const BodyFacts &Facts = factsOf(*Caller, Caller->getBody());
    const FunctionFlow &Flow = Flows.of(*Caller);
    if (!Flow.hasCFG())
      continue;
    FlowPoint At = Flow.pointOf(Call);
    if (!At.isValid())
      continue;
    std::optional<Group> G = groupOf(Var, Facts, Flow);
    if (G && droppedAfter(Flow, At, *G, FlowPoint{}))
      Found = DroppingCall{Call, declName(*Var)};
  }
  Drops[{Key, Param}] = Found;
  return Found;
}

void Judge::judgeUse(const HandleUse &Use, const BodyFacts &Facts) {
  const HandleSource &Source = Use.Source;
  std::optional<DroppingCall> Dropping;
  // A finalizer, a cleanup, or `this` in a destructor: the object is
  // already dying.
  const FunctionDecl *Pattern = Facts.Function->getTemplateInstantiationPattern();
  if (FinalizerCode.contains(Facts.Function) || (Pattern && FinalizerCode.contains(Pattern)) ||
      (Source.IsThis && isa<CXXDestructorDecl>(Facts.Function)))
    return;
  // A getter's caller holds the object; its use of the result is judged
  // there (the getter rule).
  if (Use.Returned && (Source.IsThis || isa<ParmVarDecl>(Source.Object)))
    return;
  if (Source.IsThis) {
    if (ParametersKeptAlive)
      return;
  } else {
    if (const auto *Param = dyn_cast<ParmVarDecl>(Source.Object)) {
      // Kept alive by the caller, unless a caller of the TU passes an
      // object it no longer uses after the call.
      if (ParametersKeptAlive) {
        if (Param->getDeclContext() != Facts.Function)
          return;
        Dropping = callerDrops(*Facts.Function, Param->getFunctionScopeIndex(), 0);
        if (!Dropping)
          return;
      }
    } else if (!isLocalPointer(Source.Object)) {
      return;
    }
    // A variable of an enclosing function, captured: the closure holds it.
    if (Source.Object->getDeclContext() != Facts.Function)
      return;
  }
  const FunctionFlow &Flow = Flows.of(*Facts.Function);
  if (!Flow.hasCFG())
    return;
  FlowPoint At = Flow.pointOf(Use.Use);
  if (!At.isValid())
    return;
  std::optional<Group> G = groupOf(Source.IsThis ? nullptr : Source.Object, Facts, Flow);
  if (!G)
    return;
  // The call takes the object itself too: it is in use throughout.
  for (const Expr *E : G->UseExprs)
    if (E == Use.Use)
      return;
  FlowPoint Read = Source.ReadAt ? Flow.pointOf(Source.ReadAt) : FlowPoint{};
  if (!droppedAfter(Flow, At, *G, Read))
    return;
  // The note: the object's last use before the handle's, in source order.
  const Expr *Last = nullptr;
  SourceLocation UseLoc = SM.getExpansionRange(Use.Use->getEndLoc()).getEnd();
  for (size_t I = 0; I < G->UseExprs.size(); ++I) {
    const Expr *E = G->UseExprs[I];
    SourceLocation Loc = SM.getExpansionLoc(E->getBeginLoc());
    if (!SM.isBeforeInTranslationUnit(Loc, UseLoc) && Loc != UseLoc)
      continue;
    if (!(G->UsePoints[I].Block == At.Block && G->UsePoints[I].Index < At.Index) &&
        !Flow.reaches(G->UsePoints[I], At, {}))
      continue;
    if (!Last || SM.isBeforeInTranslationUnit(SM.getExpansionLoc(Last->getBeginLoc()), Loc))
      Last = E;
  }
  report(Use, Last, Dropping);
}

void Judge::report(const HandleUse &Use, const Expr *LastUse,
                   const std::optional<DroppingCall> &Dropping) {
  SourceLocation Loc = SM.getFileLoc(Use.Use->getBeginLoc());
  if (Loc.isInvalid() || isInSystemCode(Use.Use->getBeginLoc(), SM) || !Reported.insert(Loc).second)
    return;
  auto Found = Handles.find(Use.Source.Field);
  if (Found == Handles.end())
    return;
  std::string Handle = declName(*Use.Source.Field);
  std::string Object = Use.Source.IsThis ? "this" : declName(*Use.Source.Object);

  // The fix: a keep-alive right after the statement that uses the handle,
  // when that statement is a plain one of its block.
  std::optional<FixItHint> Fix;
  const Stmt *Statement = Use.Statement;
  if (Statement && (isa<Expr>(Statement) || isa<DeclStmt>(Statement))) {
    const LangOptions &Lang = Context.getLangOpts();
    SourceLocation End;
    if (const auto *Decls = dyn_cast<DeclStmt>(Statement)) {
      if (Decls->getEndLoc().isFileID())
        End = Lexer::getLocForEndOfToken(Decls->getEndLoc(), 0, SM, Lang);
    } else {
      SourceLocation Last = SM.getExpansionRange(Statement->getEndLoc()).getEnd();
      End = Lexer::findLocationAfterToken(Last, tok::semi, SM, Lang, false);
    }
    SourceLocation Begin = SM.getExpansionLoc(Statement->getBeginLoc());
    if (End.isValid() && End.isFileID() && Begin.isValid()) {
      std::string Indent;
      bool Invalid = false;
      unsigned Column = SM.getSpellingColumnNumber(Begin, &Invalid);
      const char *Line = SM.getCharacterData(Begin, &Invalid);
      if (!Invalid && Column > 0) {
        StringRef Prefix(Line - (Column - 1), Column - 1);
        if (Prefix.trim().empty())
          Indent = Prefix.str();
        else
          Indent = " ";
      }
      std::string Text = "\n" + Indent + Profile.keepAliveSpelling() + "(" + Object + ");";
      if (Indent == " ")
        Text = " " + Profile.keepAliveSpelling() + "(" + Object + ");";
      Fix = FixItHint::CreateInsertion(End, Text);
    }
  }
  if (Use.Returned) {
    // No fix: a keep-alive here ends before the caller uses the handle.
    Check.diag(Loc, "handle '%0' of '%1' is returned after the last use of '%1': %2 may run "
                    "while the caller still uses '%0' and release it")
        << Handle << Object << Found->second.Description;
  } else {
    auto Diag =
        Use.Callee.empty()
            ? Check.diag(Loc, "handle '%0' of '%1' is used after the last use of '%1': %2 may "
                              "run first and release '%0'")
            : Check.diag(Loc, "handle '%0' of '%1' is passed to '%3' after the last use of "
                              "'%1': %2 may run during the call and release '%0'");
    Diag << Handle << Object << Found->second.Description;
    if (!Use.Callee.empty())
      Diag << Use.Callee;
    if (Fix)
      Diag << *Fix;
  }
  if (LastUse)
    Check.diag(SM.getFileLoc(LastUse->getBeginLoc()), "'%0' is last used here", DiagnosticIDs::Note)
        << Object;
  if (Dropping)
    Check.diag(SM.getFileLoc(Dropping->Call->getBeginLoc()),
               "'%0' is passed as '%1' here and not used after the call: the caller does not "
               "keep it alive",
               DiagnosticIDs::Note)
        << Dropping->Object << Object;
}

void Judge::judgeBody(const FunctionDecl &Function, const Stmt *Body) {
  if (!Body)
    return;
  const BodyFacts &Facts = factsOf(Function, Body);
  for (const HandleUse &Use : Facts.Uses)
    judgeUse(Use, Facts);
  for (const auto &[Operator, LambdaBody] : Facts.Lambdas)
    judgeBody(*Operator, LambdaBody);
}

const BodyFacts &Judge::factsOf(const FunctionDecl &Function, const Stmt *Body) {
  std::unique_ptr<BodyFacts> &Slot = FactsCache[&Function];
  if (Slot)
    return *Slot;
  Slot = std::make_unique<BodyFacts>();
  BodyFacts &Facts = *Slot;
  ++FactsNesting;
  auto Done = llvm::make_scope_exit([&] { --FactsNesting; });
  Facts.Function = &Function;
  auto &Lambdas = Facts.Lambdas;

  struct Item {
    const Stmt *S;
    const Stmt *Statement;
  };
  llvm::SmallVector<Item, 64> Work{{Body, nullptr}};
  auto NoteWhole = [&](const Expr *Arg, const Expr *Where, bool Stores) {
    const Expr *Object = lookThroughArrow(Arg);
    if (!Object)
      return;
    const ValueDecl *Var = nullptr;
    if (isa<CXXThisExpr>(Object))
      Var = nullptr;
    else if (const auto *Ref = dyn_cast<DeclRefExpr>(Object))
      Var = Ref->getDecl();
    else
      return;
    Facts.PassedTo[Var].push_back(Where);
    if (Stores)
      Facts.Escaped.insert(Var);
  };
  while (!Work.empty()) {
    Item Current = Work.pop_back_val();
    const Stmt *S = Current.S;
    if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
      for (const LambdaCapture &Capture : Lambda->captures()) {
        if (Capture.capturesVariable())
          Facts.Escaped.insert(Capture.getCapturedVar());
        else if (Capture.capturesThis())
          Facts.Escaped.insert(nullptr);
      }
      if (const CXXMethodDecl *Operator = Lambda->getCallOperator())
        Lambdas.push_back({Operator, Lambda->getBody()});
      for (const Expr *Init : Lambda->capture_inits())
        if (Init)
          Work.push_back({Init, Current.Statement});
      continue;
    }
    if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : Decls->decls()) {
        const auto *Var = dyn_cast<VarDecl>(D);
        const Expr *Init = Var ? Var->getInit() : nullptr;
        if (!Init)
          continue;
        if (isHandleLocal(Var)) {
          if (std::optional<HandleSource> Source = handleSource(Init, Facts))
            Facts.HandleLocals[Var] = *Source;
          continue;
        }
        if (isAggregateLocal(Var))
          if (auto Carried = aggregateHandles(Init, Facts, 0); !Carried.empty()) {
            Facts.FieldLocals[Var] = std::move(Carried);
            continue;
          }
        // `FdReader reader(f->fd);`: an object of the function's own that
        // wraps the handle uses it whenever it is used. Standard classes
        // copy what they are given (`std::string s(f->buf, n)`).
        const auto *Construct = dyn_cast<CXXConstructExpr>(skipTemporaries(Init));
        const CXXConstructorDecl *Constructor = Construct ? Construct->getConstructor() : nullptr;
        if (!Var->hasLocalStorage() || !Constructor || Constructor->isCopyOrMoveConstructor() ||
            Constructor->getParent()->isInStdNamespace())
          continue;
        for (const Expr *Arg : Construct->arguments()) {
          if (!canCarryHandle(Arg->getType()))
            continue;
          if (std::optional<HandleSource> Source = handleSource(Arg, Facts)) {
            Facts.HandleLocals[Var] = *Source;
            break;
          }
        }
      }
    } else if (const auto *Assign = dyn_cast<BinaryOperator>(S)) {
      if (Assign->getOpcode() == BO_Assign) {
        const Expr *Target = Assign->getLHS()->IgnoreParenImpCasts();
        if (const auto *Ref = dyn_cast<DeclRefExpr>(Target))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && isHandleLocal(Var))
            if (std::optional<HandleSource> Source = handleSource(Assign->getRHS(), Facts))
              Facts.HandleLocals[Var] = *Source;
        // `v.base = f->buf;` on a local aggregate.
        if (const auto *Member = dyn_cast<MemberExpr>(Target); Member && !Member->isArrow())
          if (const auto *Ref = dyn_cast<DeclRefExpr>(Member->getBase()->IgnoreParenImpCasts()))
            if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && isAggregateLocal(Var))
              if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
                  Field && canCarryHandle(Field->getType()))
                if (std::optional<HandleSource> Source = handleSource(Assign->getRHS(), Facts)) {
                  auto &Carried = Facts.FieldLocals[Var];
                  llvm::erase_if(Carried, [&](const auto &Entry) { return Entry.first == Field; });
                  Carried.push_back({Field, *Source});
                }
      }
    } else if (const auto *Unary = dyn_cast<UnaryOperator>(S)) {
      if (Unary->getOpcode() == UO_AddrOf) {
        if (const auto *Ref = dyn_cast<DeclRefExpr>(Unary->getSubExpr()->IgnoreParens()))
          Facts.Escaped.insert(Ref->getDecl());
      } else if (Unary->getOpcode() == UO_Deref) {
        const auto *Ref = dyn_cast<DeclRefExpr>(lookThrough(Unary->getSubExpr()));
        const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
        if (auto It = Var ? Facts.HandleLocals.find(Var) : Facts.HandleLocals.end();
            It != Facts.HandleLocals.end())
          Facts.Uses.push_back({Unary, Current.Statement, It->second, ""});
      }
    } else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(S)) {
      const auto *Ref = dyn_cast<DeclRefExpr>(lookThrough(Subscript->getBase()));
      const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
      if (auto It = Var ? Facts.HandleLocals.find(Var) : Facts.HandleLocals.end();
          It != Facts.HandleLocals.end())
        Facts.Uses.push_back({Subscript, Current.Statement, It->second, ""});
    } else if (const auto *Member = dyn_cast<MemberExpr>(S)) {
      if (Member->isArrow()) {
        const auto *Ref = dyn_cast<DeclRefExpr>(lookThrough(Member->getBase()));
        const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
        if (auto It = Var ? Facts.HandleLocals.find(Var) : Facts.HandleLocals.end();
            It != Facts.HandleLocals.end())
          Facts.Uses.push_back({Member, Current.Statement, It->second, ""});
      }
    } else if (const auto *Return = dyn_cast<ReturnStmt>(S)) {
      // The caller uses what it gets after this function dropped the
      // object: nothing there can keep the object alive.
      const Expr *Value = Return->getRetValue();
      if (Value && canCarryHandle(Value->getType()))
        if (std::optional<HandleSource> Source = handleSource(Value, Facts)) {
          HandleUse Use{Value, Current.Statement, *Source, ""};
          Use.Returned = true;
          Facts.Uses.push_back(Use);
        }
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(S)) {
      for (const Expr *Arg : Construct->arguments())
        NoteWhole(Arg, Construct, /*Stores=*/true);
    } else if (const auto *List = dyn_cast<InitListExpr>(S)) {
      // `Pin pin{c};`: an aggregate guard whose destructor runs at scope
      // end holds the object like a constructed one does.
      const CXXRecordDecl *Class = List->getType()->getAsCXXRecordDecl();
      const CXXDestructorDecl *Destructor = Class ? Class->getDestructor() : nullptr;
      if (Destructor && Destructor->isUserProvided() && !Class->isInStdNamespace())
        for (const Expr *Init : List->inits())
          if (Init->getType()->isPointerType())
            NoteWhole(Init, List, /*Stores=*/true);
    } else if (const auto *Call = dyn_cast<CallExpr>(S); Call && !isa<CXXOperatorCallExpr>(S)) {
      const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(Call);
      const Expr *Implicit = MemberCall ? MemberCall->getImplicitObjectArgument() : nullptr;
      bool IsKeepAlive = static_cast<bool>(classifyCall(*Call, Profile, ApiRole::KeepAlive));
      // A member call on another object may keep what it is given.
      bool OtherObject = MemberCall && Implicit && !isa<CXXThisExpr>(lookThroughArrow(Implicit)) &&
                         MemberCall->getMethodDecl() && !MemberCall->getMethodDecl()->isConst();
      // `make<Stream>(m, gain)`: the new object's constructor may keep it.
      bool Allocates = static_cast<bool>(classifyCall(*Call, Profile, ApiRole::Allocation));
      if (Implicit)
        NoteWhole(Implicit, Call, false);
      for (const Expr *Arg : Call->arguments())
        NoteWhole(Arg, Call, (OtherObject && !IsKeepAlive) || Allocates);
      if (!IsKeepAlive && !handleSource(Call, Facts)) {
        const FunctionDecl *Callee = Call->getDirectCallee();
        std::string Name = Callee ? displayName(*Callee) : std::string("the callee");
        bool Found = false;
        for (const Expr *Arg : Call->arguments())
          if (std::optional<HandleSource> Source = handleSource(Arg, Facts)) {
            if (readsNumberOnly(Callee) && Arg->getType()->isIntegerType())
              continue;
            Facts.Uses.push_back({Call, Current.Statement, *Source, Name});
            Found = true;
            break;
          }
        // `f->native->flush()`: a call on the handle itself; `reader.next()`
        // on a local object that wraps it.
        if (!Found && Implicit) {
          const auto *Wrapper = dyn_cast<DeclRefExpr>(lookThrough(Implicit));
          const auto *Var = Wrapper ? dyn_cast<VarDecl>(Wrapper->getDecl()) : nullptr;
          if (Implicit->getType()->isPointerType() ||
              (Var && !isHandleLocal(Var) && Facts.HandleLocals.count(Var)))
            if (std::optional<HandleSource> Source = handleSource(Implicit, Facts))
              Facts.Uses.push_back({Call, Current.Statement, *Source, Name});
        }
      }
    }
    size_t First = Work.size();
    // A statement of a block, or labelled in one (`case 1: read(...);`).
    bool Block = isa<CompoundStmt>(S) || (isa<SwitchCase, LabelStmt>(S) && Current.Statement == S);
    for (const Stmt *Child : S->children())
      if (Child)
        Work.push_back({Child, Block ? Child : Current.Statement});
    std::reverse(Work.begin() + First, Work.end());
  }
  return Facts;
}

} // namespace

MissingKeepAliveCheck::MissingKeepAliveCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context),
      // The profile's FinalizableTypes (read locally, then globally).
      FinalizableTypes(Profile.types(TypeRole::Finalizable).patterns()),
      HandleFieldNames(listOption("HandleFields", "")),
      ParametersKeptAlive(Options.get("TreatParametersAsKeptAlive", true)) {}

void MissingKeepAliveCheck::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {
  storeListOption(Opts, "HandleFields", HandleFieldNames);
  Options.store(Opts, "TreatParametersAsKeptAlive", ParametersKeptAlive);
}

void MissingKeepAliveCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(translationUnitDecl().bind(TranslationUnitId), this);
  if (!Profile.functions(ApiRole::Finalizer).empty() || Profile.readsBoehmCpp())
    Finder->addMatcher(finalizerRegistrationMatcher(Profile), this);
  if (Profile.readsBoehmCpp())
    Finder->addMatcher(cleanupClassMatcher(), this);
  if (!Profile.functions(ApiRole::Cleanup).empty())
    Finder->addMatcher(
        callExpr(apiCallTo(Profile, ApiRole::Cleanup), unless(isExpansionInSystemHeader()))
            .bind(CleanupCallId),
        this);
}

void MissingKeepAliveCheck::addHandle(const FieldDecl *Field, const std::string &Description) {
  Field = fieldPattern(Field);
  if (Field && mayBeHandleType(Field->getType()))
    Handles.try_emplace(Field, Releaser{Description});
}

void MissingKeepAliveCheck::check(const MatchFinder::MatchResult &Result) {
  if (Result.Nodes.getNodeAs<TranslationUnitDecl>(TranslationUnitId)) {
    Context = Result.Context;
    return;
  }
  if (!Context)
    Context = Result.Context;

  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>(CleanupCallId)) {
    std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Cleanup);
    if (!Api || !Api->Object || !Api->Data)
      return;
    if (std::optional<CallableTarget> Target = resolveCallable(Api->Callback))
      if (Target->Body)
        FinalizerCode.insert(Target->Body);
    const RecordDecl *Record = registeredRecord(Api->Object);
    std::string Description = "the cleanup of '" + recordName(Record) + "'";
    if (const FieldDecl *Field = ReleasedFields::fieldPassedAs(Api->Data, Api->Object, nullptr))
      addHandle(Field, Description);
    return;
  }

  for (const FinalizerBody &Body : findFinalizerBodies(Result, Profile)) {
    if (!Body.Body)
      continue;
    std::string Description;
    const RecordDecl *Record = Body.CleanupClass;
    int ObjectParam = 0;
    const Expr *Object = nullptr, *Data = nullptr;
    if (Body.Source == FinalizerSource::CleanupClass) {
      ObjectParam = -1;
      Description = "the destructor of '" + recordName(Record) + "' (a gc_cleanup)";
    } else {
      if (Body.Target && Body.Target->IsBind)
        continue;
      if (const auto *Call = dyn_cast_or_null<CallExpr>(Body.Registration)) {
        if (std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Finalizer)) {
          Object = Api->Object;
          Data = Api->Data;
        }
      } else if (const auto *New = dyn_cast_or_null<CXXNewExpr>(Body.Registration)) {
        Record = New->getAllocatedType()->getAsRecordDecl();
        if (std::optional<ApiCall> Api = classifyBoehmNew(*New, Profile))
          Data = Api->Data;
      }
      if (Object)
        Record = registeredRecord(Object);
      std::string Type = recordName(Record);
      if (Body.Target && !Body.Target->Lambda && !Body.Target->FunctionObject &&
          Body.Body->getIdentifier())
        Description = "the finalizer '" + displayName(*Body.Body) + "'" +
                      (Type.empty() ? "" : " of '" + Type + "'");
      else
        Description = Type.empty() ? "the finalizer" : "the finalizer of '" + Type + "'";
    }
    FinalizerCode.insert(Body.Body);
    ReleasedFields::FieldList Fields = Released.releasedBy(*Body.Body, ObjectParam);
    for (const FieldDecl *Field : Fields)
      addHandle(Field, Description);
    if (Data && Object)
      if (const FieldDecl *Field = ReleasedFields::fieldPassedAs(Data, Object, nullptr))
        addHandle(Field, Description);
  }
}

void MissingKeepAliveCheck::addOptionHandles(const ASTContext &Ctx) {
  if (FinalizableTypes.empty() && HandleFieldNames.empty())
    return;
  // Records named by the options, declared in the user's code or headers.
  struct Finder : RecursiveASTVisitor<Finder> {
    MissingKeepAliveCheck &Self;
    explicit Finder(MissingKeepAliveCheck &Self) : Self(Self) {}
    bool shouldVisitTemplateInstantiations() const { return false; }
    bool TraverseStmt(Stmt *) { return true; }
    bool VisitRecordDecl(RecordDecl *Record) {
      if (!Record->isThisDeclarationADefinition())
        return true;
      bool Finalizable = llvm::any_of(Self.FinalizableTypes, [&](const std::string &Name) {
        return nameMatches(*Record, Name);
      });
      bool Named = false;
      for (const FieldDecl *Field : Record->fields())
        for (const std::string &Entry : Self.HandleFieldNames) {
          auto [Type, Name] = StringRef(Entry).rsplit("::");
          if (Name.empty() ? (Field->getIdentifier() && Field->getName() == Type)
                           : (Field->getIdentifier() && Field->getName() == Name &&
                              nameMatches(*Record, Type))) {
            Self.addHandle(Field, "the finalizer of '" + recordName(Record) + "'");
            Named = true;
          }
        }
      // A finalizable type named without its handles: its descriptor and
      // pointer fields.
      if (Finalizable && !Named)
        for (const FieldDecl *Field : Record->fields()) {
          QualType Type = Field->getType();
          if ((Type->isIntegerType() && !Type->isBooleanType()) || Type->isPointerType())
            Self.addHandle(Field, "the finalizer of '" + recordName(Record) + "'");
        }
      return true;
    }
  };
  Finder(*this).TraverseDecl(Ctx.getTranslationUnitDecl());
}

void MissingKeepAliveCheck::onEndOfTranslationUnit() {
  if (!Context)
    return;
  const SourceManager &SM = Context->getSourceManager();
  if (Excluded.excludesMainFile(SM))
    return;
  addOptionHandles(*Context);
  if (Handles.empty())
    return;
  if (!Flows)
    Flows = std::make_unique<FlowCache>(*Context);
  Judge J(*this, Profile, Handles, FinalizerCode, *Flows, Reported, ParametersKeptAlive, *Context);
  UserFunctions(SM, [&](const FunctionDecl &Function) {
    if (Function.isDependentContext()) {
      forEachInstantiation(Function, [&](const FunctionDecl &Instance) {
        J.judgeBody(Instance, Instance.getBody());
      });
      return;
    }
    J.judgeBody(Function, Function.getBody());
  }).TraverseDecl(Context->getTranslationUnitDecl());
}

} // namespace clang::tidy::gc
