//===--- BlockingCalls.cpp ------------------------------------------------===//

#include "analysis/BlockingCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace clang;

namespace lastword::analysis {
namespace {

// Constant-initialised: no static constructor runs when the plugin loads.
const char *const DefaultNames[] = {
    // Mutexes: lock and the timed forms (a zero timeout does not block).
    "std::mutex::lock", "std::recursive_mutex::lock", "std::timed_mutex::lock",
    "std::timed_mutex::try_lock_for", "std::timed_mutex::try_lock_until",
    "std::recursive_timed_mutex::lock", "std::recursive_timed_mutex::try_lock_for",
    "std::recursive_timed_mutex::try_lock_until", "std::shared_mutex::lock",
    "std::shared_mutex::lock_shared", "std::shared_timed_mutex::lock",
    "std::shared_timed_mutex::lock_shared", "std::shared_timed_mutex::try_lock_for",
    "std::shared_timed_mutex::try_lock_until", "std::shared_timed_mutex::try_lock_shared_for",
    "std::shared_timed_mutex::try_lock_shared_until",
    // Lock owners: constructions lock unless given a tag, and lock() later.
    "std::lock_guard", "std::unique_lock", "std::scoped_lock", "std::shared_lock",
    "std::unique_lock::lock", "std::unique_lock::try_lock_for", "std::unique_lock::try_lock_until",
    "std::shared_lock::lock", "std::shared_lock::try_lock_for", "std::shared_lock::try_lock_until",
    "std::lock",
    // Waiting for another thread.
    "std::condition_variable::wait", "std::condition_variable::wait_for",
    "std::condition_variable::wait_until", "std::condition_variable_any::wait",
    "std::condition_variable_any::wait_for", "std::condition_variable_any::wait_until",
    "std::future::get", "std::future::wait", "std::future::wait_for", "std::future::wait_until",
    "std::shared_future::get", "std::shared_future::wait", "std::shared_future::wait_for",
    "std::shared_future::wait_until", "std::thread::join", "std::jthread::join",
    // Destructors that wait: a joinable jthread, the future of std::async.
    "std::jthread::~jthread", "std::future::~future", "std::counting_semaphore::acquire",
    "std::counting_semaphore::try_acquire_for", "std::counting_semaphore::try_acquire_until",
    "std::latch::wait", "std::latch::arrive_and_wait", "std::barrier::wait",
    "std::barrier::arrive_and_wait", "std::atomic::wait", "std::atomic_flag::wait",
    // Sleeping.
    "std::this_thread::sleep_for", "std::this_thread::sleep_until", "sleep", "usleep", "nanosleep",
    "clock_nanosleep",
    // POSIX I/O, sockets, processes, locks.
    "read", "write", "pread", "pwrite", "readv", "writev", "recv", "recvfrom", "recvmsg", "send",
    "sendto", "sendmsg", "accept", "accept4", "connect", "fsync", "fdatasync", "poll", "ppoll",
    "select", "pselect", "epoll_wait", "epoll_pwait", "pthread_join", "pthread_mutex_lock",
    "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", "pthread_cond_wait", "pthread_cond_timedwait",
    "sem_wait", "sem_timedwait", "wait", "waitpid", "flock", "lockf"};

// A C function whose argument says "return at once".
enum class Escape { IntTimeout, PointerTimeout, Flag };
struct ArgumentEscape {
  const char *Name;
  unsigned Arg;
  Escape Kind;
  uint64_t Flag = 0; // Linux values of WNOHANG, LOCK_NB, MSG_DONTWAIT, F_TLOCK
};
const ArgumentEscape Escapes[] = {{"poll", 2, Escape::IntTimeout},
                                  {"epoll_wait", 3, Escape::IntTimeout},
                                  {"epoll_pwait", 3, Escape::IntTimeout},
                                  {"sleep", 0, Escape::IntTimeout},
                                  {"usleep", 0, Escape::IntTimeout},
                                  {"select", 4, Escape::PointerTimeout},
                                  {"pselect", 4, Escape::PointerTimeout},
                                  {"ppoll", 2, Escape::PointerTimeout},
                                  {"nanosleep", 0, Escape::PointerTimeout},
                                  {"waitpid", 2, Escape::Flag, 1},
                                  {"flock", 1, Escape::Flag, 4},
                                  {"recv", 3, Escape::Flag, 0x40},
                                  {"recvfrom", 3, Escape::Flag, 0x40},
                                  {"recvmsg", 2, Escape::Flag, 0x40},
                                  {"send", 3, Escape::Flag, 0x40},
                                  {"sendto", 3, Escape::Flag, 0x40},
                                  {"sendmsg", 2, Escape::Flag, 0x40}};

bool isDependent(const Expr &E) {
  return E.isValueDependent() || E.isTypeDependent() || E.isInstantiationDependent() ||
         E.containsErrors();
}

bool isZeroValue(const APValue &V) {
  switch (V.getKind()) {
  case APValue::Int:
    return V.getInt().isZero();
  case APValue::Float:
    return V.getFloat().isZero();
  case APValue::Struct:
    for (unsigned I = 0; I < V.getStructNumBases(); ++I)
      if (!isZeroValue(V.getStructBase(I)))
        return false;
    for (unsigned I = 0; I < V.getStructNumFields(); ++I)
      if (!isZeroValue(V.getStructField(I)))
        return false;
    return true;
  case APValue::Array:
    for (unsigned I = 0; I < V.getArrayInitializedElts(); ++I)
      if (!isZeroValue(V.getArrayInitializedElt(I)))
        return false;
    return !V.hasArrayFiller() || isZeroValue(V.getArrayFiller());
  default:
    return false;
  }
}

/// A constant that evaluates to zero: `0`, `0ms`, `std::chrono::seconds(0)`,
/// `milliseconds{}`, `milliseconds::zero()`, `{0, 0}`.
bool isZeroConstant(const Expr *E, const ASTContext &Context) {
  E = skipTemporaries(E);
  if (!E || isDependent(*E))
    return false;
  if (const auto *List = dyn_cast<InitListExpr>(E))
    if (List->getNumInits() == 0)
      return true;
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    if (Construct->getNumArgs() == 0 && Construct->getConstructor()->isDefaultConstructor() &&
        Construct->requiresZeroInitialization())
      return true;
  Expr::EvalResult Result;
  if (!E->EvaluateAsRValue(Result, Context) || Result.HasSideEffects)
    return false;
  return isZeroValue(Result.Val);
}

std::optional<llvm::APSInt> integerConstant(const Expr *E, const ASTContext &Context) {
  E = skipTemporaries(E);
  if (!E || isDependent(*E) || !E->getType()->isIntegralOrEnumerationType())
    return std::nullopt;
  Expr::EvalResult Result;
  if (!E->EvaluateAsInt(Result, Context))
    return std::nullopt;
  return Result.Val.getInt();
}

bool isStdChronoRecord(QualType Type, llvm::StringRef Name) {
  const auto *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  if (!Record || !hasName(Record, Name))
    return false;
  const auto *Chrono = dyn_cast<NamespaceDecl>(Record->getDeclContext());
  return Chrono && hasName(Chrono, "chrono") && Chrono->isInStdNamespace();
}

bool isLockTag(QualType Type) {
  const auto *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  if (!Record || !Record->isInStdNamespace() || !Record->getIdentifier())
    return false;
  return llvm::is_contained({"try_to_lock_t", "defer_lock_t", "adopt_lock_t"}, Record->getName());
}

/// `clock::now()`: a deadline that has already come.
bool isNow(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(skipTemporaries(E));
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  return Callee && Callee->getIdentifier() && Callee->getName() == "now";
}

/// True when some duration or time_point argument is visibly zero (or now).
bool hasZeroTimeout(llvm::ArrayRef<const Expr *> Args, const ASTContext &Context) {
  for (const Expr *Arg : Args) {
    if (!Arg || isa<CXXDefaultArgExpr>(Arg))
      continue;
    QualType Type = Arg->getType();
    if (isStdChronoRecord(Type, "duration") && isZeroConstant(Arg, Context))
      return true;
    if (isStdChronoRecord(Type, "time_point") && (isZeroConstant(Arg, Context) || isNow(Arg)))
      return true;
  }
  return false;
}

/// The class of the object a member function is called on, as written
/// (before the conversion to the base that declares the member).
const CXXRecordDecl *objectClass(const CXXMemberCallExpr &Call) {
  const Expr *Object = Call.getImplicitObjectArgument();
  if (!Object)
    return nullptr;
  QualType Type = Object->IgnoreImpCasts()->getType();
  if (Type.isNull())
    return nullptr;
  if (const auto *Pointer = Type->getAs<PointerType>())
    Type = Pointer->getPointeeType();
  return Type->getAsCXXRecordDecl();
}

const VarDecl *referencedVar(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E ? E->IgnoreParenImpCasts() : nullptr);
  return Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

/// Whether \p E designates \p Var or one of its fields.
bool designates(const Expr *E, const VarDecl &Var) {
  for (unsigned Depth = 0; E && Depth < 8; ++Depth) {
    E = E->IgnoreParenImpCasts();
    if (referencedVar(E) == &Var)
      return true;
    const auto *Member = dyn_cast<MemberExpr>(E);
    if (!Member || Member->isArrow())
      return false;
    E = Member->getBase();
  }
  return false;
}

/// The writes to a local struct (timeval, timespec) in its function.
struct LocalWrites {
  unsigned Writes = 0;
  bool NonZero = false;
};

void noteWrite(const Stmt &S, const VarDecl &Var, const ASTContext &Context, LocalWrites &W) {
  if (const auto *Op = dyn_cast<BinaryOperator>(&S)) {
    if (!Op->isAssignmentOp() || !designates(Op->getLHS(), Var))
      return;
    ++W.Writes;
    if (Op->getOpcode() != BO_Assign || !isZeroConstant(Op->getRHS(), Context))
      W.NonZero = true;
    return;
  }
  if (const auto *Op = dyn_cast<UnaryOperator>(&S)) {
    if (Op->isIncrementDecrementOp() && designates(Op->getSubExpr(), Var))
      W.NonZero = true;
    return;
  }
  const auto *Call = dyn_cast<CallExpr>(&S);
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || !Callee->getIdentifier() || Call->getNumArgs() < 2 || !Call->getArg(0))
    return;
  const auto *Addr = dyn_cast<UnaryOperator>(Call->getArg(0)->IgnoreParenImpCasts());
  if (!Addr || Addr->getOpcode() != UO_AddrOf || !designates(Addr->getSubExpr(), Var))
    return;
  llvm::StringRef Name = Callee->getName();
  if (Name == "memset" || Name == "__builtin_memset") {
    ++W.Writes;
    if (!isZeroConstant(Call->getArg(1), Context))
      W.NonZero = true;
  } else if (Name != "select" && Name != "pselect" && Name != "ppoll" && Name != "nanosleep") {
    W.NonZero = true; // filled in by someone else
  }
}

/// `&tv` where every value written to `tv` that we can see is zero.
bool pointsToVisibleZero(const Expr *E, const ASTContext &Context) {
  E = E ? E->IgnoreParenImpCasts() : nullptr;
  const auto *Addr = dyn_cast_or_null<UnaryOperator>(E);
  if (!Addr || Addr->getOpcode() != UO_AddrOf)
    return false;
  const VarDecl *Var = referencedVar(Addr->getSubExpr());
  if (!Var || Var->getType()->isReferenceType())
    return false;
  unsigned Writes = 0;
  const Expr *Init = Var->getInit();
  // `timeval tv;`: default-initialised, nothing written yet.
  if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Init))
    if (Construct->getNumArgs() == 0 && Construct->getConstructor()->isTrivial() &&
        !Construct->requiresZeroInitialization())
      Init = nullptr;
  if (Init) {
    if (!isZeroConstant(Init, Context))
      return false;
    ++Writes;
  }
  if (!Var->hasLocalStorage())
    return Writes > 0 && Var->getType().isConstQualified();
  const auto *Function = dyn_cast_or_null<FunctionDecl>(Var->getParentFunctionOrMethod());
  if (!Function || !Function->getBody())
    return false;
  LocalWrites Seen;
  visitStmts(Function->getBody(), [&](const Stmt &S) {
    noteWrite(S, *Var, Context, Seen);
    return !Seen.NonZero;
  });
  return !Seen.NonZero && Writes + Seen.Writes > 0;
}

/// A form of a listed C function that returns at once.
bool escapesByArgument(llvm::StringRef Name, const CallExpr &Call, const ASTContext &Context) {
  for (const ArgumentEscape &Escape : Escapes) {
    if (Name != Escape.Name || Escape.Arg >= Call.getNumArgs())
      continue;
    const Expr *Arg = Call.getArg(Escape.Arg);
    switch (Escape.Kind) {
    case Escape::IntTimeout: {
      std::optional<llvm::APSInt> Value = integerConstant(Arg, Context);
      return Value && Value->isZero();
    }
    case Escape::PointerTimeout:
      return pointsToVisibleZero(Arg, Context);
    case Escape::Flag: {
      std::optional<llvm::APSInt> Value = integerConstant(Arg, Context);
      return Value && (Value->getZExtValue() & Escape.Flag) != 0;
    }
    }
  }
  // lockf(fd, F_TLOCK, len) tries; F_LOCK (1) waits.
  if (Name == "lockf" && Call.getNumArgs() >= 2) {
    std::optional<llvm::APSInt> Value = integerConstant(Call.getArg(1), Context);
    return Value && *Value != 1;
  }
  return false;
}

/// A function of the C library: declared in a system header or with C
/// linkage (also when the user declares it without the header).
bool isLibraryFunction(const FunctionDecl &Function) {
  if (Function.isExternC())
    return true;
  const SourceManager &SM = Function.getASTContext().getSourceManager();
  for (const FunctionDecl *Redecl : Function.redecls())
    if (Redecl && isInSystemCode(Redecl->getLocation(), SM))
      return true;
  return false;
}

// ---- Futures found ready before get(). ----

bool isFutureClass(const CXXRecordDecl *Record) {
  if (!Record || !Record->isInStdNamespace() || !Record->getIdentifier())
    return false;
  return hasName(Record, "future") || hasName(Record, "shared_future");
}

/// `X.name(...)` on a std::future / std::shared_future: the object X.
const Expr *futureCallObject(const Expr *E, llvm::ArrayRef<llvm::StringRef> Methods) {
  const auto *Call = dyn_cast_or_null<CXXMemberCallExpr>(skipTemporaries(E));
  const CXXMethodDecl *Method = Call ? Call->getMethodDecl() : nullptr;
  if (!Method || !Method->getIdentifier() || !llvm::is_contained(Methods, Method->getName()))
    return nullptr;
  if (!isFutureClass(objectClass(*Call)) && !isFutureClass(Method->getParent()))
    return nullptr;
  return Call->getImplicitObjectArgument();
}

/// The declarations along `a.b.c` / `p->b` / `v`, outermost last; empty when
/// \p E is anything else.
llvm::SmallVector<const Decl *, 4> objectPath(const Expr *E) {
  llvm::SmallVector<const Decl *, 4> Path;
  for (unsigned Depth = 0; E && Depth < 8; ++Depth) {
    E = E->IgnoreParenImpCasts();
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      Path.push_back(Ref->getDecl());
      return Path;
    }
    if (isa<CXXThisExpr>(E)) {
      Path.push_back(nullptr);
      return Path;
    }
    const auto *Member = dyn_cast<MemberExpr>(E);
    if (!Member)
      break;
    Path.push_back(Member->getMemberDecl());
    E = Member->getBase();
  }
  return {};
}

bool isReadyStatus(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E ? E->IgnoreParenImpCasts() : nullptr);
  const auto *Enumerator = Ref ? dyn_cast<EnumConstantDecl>(Ref->getDecl()) : nullptr;
  return Enumerator && hasName(Enumerator, "ready");
}

/// In a condition (through `&&` and `!`-free parentheses): `X.wait_for(0) ==
/// ready` (\p Equal) or `!=`; returns X's path.
llvm::SmallVector<const Decl *, 4> readyTest(const Expr *Cond, bool WantEqual) {
  llvm::SmallVector<const Expr *, 4> Work;
  if (Cond)
    Work.push_back(Cond);
  while (!Work.empty()) {
    const Expr *E = skipTemporaries(Work.pop_back_val());
    if (!E)
      continue;
    const Expr *LHS = nullptr, *RHS = nullptr;
    bool Equal = false;
    if (const auto *Op = dyn_cast<BinaryOperator>(E)) {
      if (Op->getOpcode() == BO_LAnd && WantEqual) {
        Work.push_back(Op->getLHS());
        Work.push_back(Op->getRHS());
        continue;
      }
      if (Op->getOpcode() == BO_LOr && !WantEqual) {
        Work.push_back(Op->getLHS());
        Work.push_back(Op->getRHS());
        continue;
      }
      if (!Op->isEqualityOp())
        continue;
      LHS = Op->getLHS();
      RHS = Op->getRHS();
      Equal = Op->getOpcode() == BO_EQ;
    } else {
      continue;
    }
    if (Equal != WantEqual)
      continue;
    if (isReadyStatus(LHS))
      std::swap(LHS, RHS);
    if (!isReadyStatus(RHS))
      continue;
    const auto *Wait = dyn_cast_or_null<CXXMemberCallExpr>(skipTemporaries(LHS));
    const Expr *Object = futureCallObject(LHS, {"wait_for", "wait_until"});
    if (!Wait || !Object)
      continue;
    llvm::SmallVector<const Expr *, 2> Args(Wait->arguments());
    if (!hasZeroTimeout(Args, Wait->getMethodDecl()->getASTContext()))
      continue;
    auto Path = objectPath(Object);
    if (!Path.empty())
      return Path;
  }
  return {};
}

void exemptFutureCalls(const Stmt *S, llvm::ArrayRef<const Decl *> Object,
                       llvm::DenseSet<const Expr *> &Out) {
  visitStmts(S, [&](const Stmt &Child) {
    if (isa<LambdaExpr>(Child))
      return false;
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(&Child))
      if (const Expr *Target = futureCallObject(Call, {"get", "wait"}))
        if (llvm::ArrayRef<const Decl *>(objectPath(Target)) == Object)
          Out.insert(Call);
    return true;
  });
}

/// `return`, `throw`, `break`, `continue`, alone or last in a block.
bool leaves(const Stmt *S) {
  for (unsigned Depth = 0; S && Depth < 8; ++Depth) {
    if (isa<ReturnStmt, CXXThrowExpr, BreakStmt, ContinueStmt>(S))
      return true;
    const auto *Block = dyn_cast<CompoundStmt>(S);
    if (!Block || Block->body_empty())
      return false;
    S = Block->body_back();
  }
  return false;
}

// ---- Destructors that wait. ----

/// `std::async(...)` without `std::launch::deferred`.
bool isAsyncCall(const Expr *E) {
  const auto *Call = dyn_cast_or_null<CallExpr>(skipTemporaries(E));
  const FunctionDecl *Callee = Call ? Call->getDirectCallee() : nullptr;
  if (!Callee || !Callee->isInStdNamespace() || !Callee->getIdentifier() ||
      Callee->getName() != "async")
    return false;
  if (Call->getNumArgs() > 0)
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Call->getArg(0)->IgnoreParenImpCasts()))
      if (const auto *Policy = dyn_cast<EnumConstantDecl>(Ref->getDecl()))
        return Policy->getName() != "deferred";
  return true;
}

bool refersTo(const Expr *E, const VarDecl &Var) { return referencedVar(E) == &Var; }

/// Whether the function around \p Var moves it away, returns it, or detaches
/// or swaps it: its destructor then has nothing to wait for.
bool isHandedOff(const VarDecl &Var) {
  const auto *Function = dyn_cast_or_null<FunctionDecl>(Var.getParentFunctionOrMethod());
  const Stmt *Body = Function ? Function->getBody() : nullptr;
  if (!Body)
    return true; // cannot tell: stay silent
  bool HandedOff = false;
  visitStmts(Body, [&](const Stmt &S) {
    if (HandedOff)
      return false;
    if (const auto *Return = dyn_cast<ReturnStmt>(&S))
      HandedOff = refersTo(skipTemporaries(Return->getRetValue()), Var);
    else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&S)) {
      const CXXMethodDecl *Method = Member->getMethodDecl();
      HandedOff = Method && Method->getIdentifier() &&
                  (Method->getName() == "detach" || Method->getName() == "swap") &&
                  refersTo(Member->getImplicitObjectArgument(), Var);
    } else if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      HandedOff =
          Callee && Callee->isInStdNamespace() && Callee->getIdentifier() &&
          (Callee->getName() == "move" || Callee->getName() == "forward" ||
           Callee->getName() == "swap" || Callee->getName() == "exchange") &&
          llvm::any_of(Call->arguments(), [&](const Expr *Arg) { return refersTo(Arg, Var); });
    }
    return !HandedOff;
  });
  return HandedOff;
}

} // namespace

const CXXMethodDecl *BlockingCalls::userMutexLock(const Expr &CallOrConstruct) {
  const auto *Construct = dyn_cast<CXXConstructExpr>(&CallOrConstruct);
  const CXXConstructorDecl *Ctor = Construct ? Construct->getConstructor() : nullptr;
  const CXXRecordDecl *Owner = Ctor ? Ctor->getParent() : nullptr;
  if (!Owner || !Owner->isInStdNamespace() || !Owner->getIdentifier() ||
      !llvm::is_contained({"lock_guard", "unique_lock", "scoped_lock", "shared_lock"},
                          Owner->getName()))
    return nullptr;
  llvm::StringRef Member = Owner->getName() == "shared_lock" ? "lock_shared" : "lock";
  const SourceManager &SM = Ctor->getASTContext().getSourceManager();
  for (const Expr *Arg : Construct->arguments()) {
    const CXXRecordDecl *Mutex =
        Arg ? Arg->getType().getNonReferenceType()->getAsCXXRecordDecl() : nullptr;
    if (!Mutex || !Mutex->hasDefinition() || Mutex->isInStdNamespace() ||
        isInSystemCode(Mutex->getLocation(), SM))
      continue;
    for (const CXXMethodDecl *Method : Mutex->getDefinition()->methods())
      if (Method->getIdentifier() && Method->getName() == Member && Method->param_empty())
        return Method;
  }
  return nullptr;
}

std::optional<std::string> BlockingCalls::blockingDestruction(const CallStep &Step) const {
  const auto *Dtor = dyn_cast_or_null<CXXDestructorDecl>(Step.Callee);
  const CXXRecordDecl *Record = Dtor ? Dtor->getParent() : nullptr;
  if (!Record || !Record->getIdentifier())
    return std::nullopt;
  std::string Name = plainQualifiedName(*Record) + "::~" + Record->getNameAsString();
  if (!Names.contains(Name))
    return std::nullopt;
  const auto *Var = dyn_cast_or_null<VarDecl>(Step.Destroyed);
  bool IsFuture = Record->isInStdNamespace() && Record->getName() == "future";
  switch (Step.Implicit) {
  case ImplicitCall::None:
  case ImplicitCall::Base:
    return std::nullopt;
  case ImplicitCall::ScopeEnd:
    if (!Var || isHandedOff(*Var) || (IsFuture && !isAsyncCall(Var->getInit())))
      return std::nullopt;
    return Name;
  case ImplicitCall::Temporary:
    if (!Step.Discarded || (IsFuture && !isAsyncCall(Step.Call)))
      return std::nullopt;
    return Name;
  case ImplicitCall::Delete:
  case ImplicitCall::Member:
    // A future's origin is not visible from here.
    return IsFuture ? std::nullopt : std::optional<std::string>(Name);
  }
  return std::nullopt;
}

void BlockingCalls::collectGuardedCalls(const Stmt *Body, llvm::DenseSet<const Expr *> &Out) {
  visitStmts(Body, [&](const Stmt &S) {
    if (const auto *If = dyn_cast<IfStmt>(&S)) {
      auto Ready = readyTest(If->getCond(), /*WantEqual=*/true);
      if (!Ready.empty())
        exemptFutureCalls(If->getThen(), Ready, Out);
      auto NotReady = readyTest(If->getCond(), /*WantEqual=*/false);
      if (!NotReady.empty() && If->getElse())
        exemptFutureCalls(If->getElse(), NotReady, Out);
    }
    // `if (not ready) return;` guards the rest of the block.
    if (const auto *Block = dyn_cast<CompoundStmt>(&S)) {
      for (auto It = Block->body_begin(); It != Block->body_end(); ++It) {
        const auto *If = dyn_cast_or_null<IfStmt>(*It);
        if (!If || !leaves(If->getThen()))
          continue;
        auto NotReady = readyTest(If->getCond(), /*WantEqual=*/false);
        if (NotReady.empty())
          continue;
        for (auto Rest = std::next(It); Rest != Block->body_end(); ++Rest)
          exemptFutureCalls(*Rest, NotReady, Out);
      }
    }
    return true;
  });
}

std::string plainQualifiedName(const NamedDecl &D) {
  llvm::SmallVector<std::string, 4> Parts;
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(&D))
    Parts.push_back(Ctor->getParent()->getNameAsString());
  else
    Parts.push_back(D.getNameAsString());
  for (const DeclContext *Context = D.getDeclContext(); Context; Context = Context->getParent()) {
    if (const auto *Namespace = dyn_cast<NamespaceDecl>(Context)) {
      if (Namespace->isInline() || Namespace->isAnonymousNamespace())
        continue;
      Parts.push_back(Namespace->getNameAsString());
    } else if (const auto *Record = dyn_cast<RecordDecl>(Context)) {
      if (Record->getIdentifier())
        Parts.push_back(Record->getNameAsString());
    } else if (const auto *Function = dyn_cast<FunctionDecl>(Context)) {
      Parts.push_back(Function->getNameAsString());
    }
  }
  std::string Name;
  for (auto It = Parts.rbegin(); It != Parts.rend(); ++It) {
    if (!Name.empty())
      Name += "::";
    Name += *It;
  }
  return Name;
}

BlockingCalls::BlockingCalls(const std::vector<std::string> &QualifiedNames) {
  for (const std::string &Name : QualifiedNames)
    add(Name);
}

void BlockingCalls::add(llvm::StringRef QualifiedName) {
  QualifiedName = QualifiedName.trim();
  QualifiedName.consume_front("::");
  if (!QualifiedName.empty())
    Names.insert(QualifiedName);
}

const std::vector<std::string> &BlockingCalls::defaultNames() {
  static const std::vector<std::string> Names(std::begin(DefaultNames), std::end(DefaultNames));
  return Names;
}

std::optional<std::string> BlockingCalls::matchName(const NamedDecl &D) const {
  std::string Name = plainQualifiedName(D);
  if (!Names.contains(Name))
    return std::nullopt;
  // The default list's C functions (`read`, `send`, `wait`) are the C
  // library's: a C++ function of the user's that happens to share the name
  // (`static void send(Queue &, Msg)`, one in an anonymous namespace) is
  // followed into its body instead of being taken for the POSIX call.
  if (const auto *Function = dyn_cast<FunctionDecl>(&D))
    if (!Function->isCXXClassMember() && !Function->isInStdNamespace() &&
        llvm::is_contained(DefaultNames, Name) && !isLibraryFunction(*Function))
      return std::nullopt;
  return Name;
}

std::optional<std::string> BlockingCalls::blockingCallee(const Expr &CallOrConstruct) const {
  if (isDependent(CallOrConstruct))
    return std::nullopt;

  if (const auto *Construct = dyn_cast<CXXConstructExpr>(&CallOrConstruct)) {
    const CXXConstructorDecl *Ctor = Construct->getConstructor();
    if (!Ctor || Ctor->isCopyOrMoveConstructor() || Construct->getNumArgs() == 0)
      return std::nullopt;
    std::optional<std::string> Name = matchName(*Ctor->getParent());
    if (!Name || userMutexLock(*Construct))
      return std::nullopt;
    llvm::SmallVector<const Expr *, 4> Args(Construct->arguments());
    if (llvm::any_of(Args, [](const Expr *A) { return A && isLockTag(A->getType()); }) ||
        hasZeroTimeout(Args, Ctor->getASTContext()))
      return std::nullopt;
    return Name;
  }

  const auto *Call = dyn_cast<CallExpr>(&CallOrConstruct);
  if (!Call)
    return std::nullopt;
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Callee->getDeclName().isIdentifier())
    return std::nullopt;
  std::optional<std::string> Name = matchName(*Callee);
  // A member inherited from an implementation base: name it by the class
  // of the object it is called on.
  if (!Name)
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call))
      if (const CXXRecordDecl *Record = objectClass(*Member)) {
        std::string Qualified = plainQualifiedName(*Record) + "::" + Callee->getNameAsString();
        if (Names.contains(Qualified))
          Name = Qualified;
      }
  if (!Name)
    return std::nullopt;
  const ASTContext &Context = Callee->getASTContext();
  llvm::SmallVector<const Expr *, 4> Args(Call->arguments());
  if (llvm::any_of(Args, [](const Expr *A) { return A && isLockTag(A->getType()); }) ||
      hasZeroTimeout(Args, Context))
    return std::nullopt;
  if (!Callee->isCXXClassMember() && escapesByArgument(*Name, *Call, Context))
    return std::nullopt;
  return Name;
}

} // namespace lastword::analysis
