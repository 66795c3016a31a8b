//===--- CollectInLoopCheck.cpp - gc-collect-in-loop ----------------------===//

#include "gc/CollectInLoopCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/BlockingCalls.h"
#include "analysis/OptionLists.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

const Stmt *loopBody(const Stmt &Loop) {
  if (const auto *For = dyn_cast<ForStmt>(&Loop))
    return For->getBody();
  if (const auto *While = dyn_cast<WhileStmt>(&Loop))
    return While->getBody();
  if (const auto *Do = dyn_cast<DoStmt>(&Loop))
    return Do->getBody();
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(&Loop))
    return Range->getBody();
  return nullptr;
}

// `do { ... } while (0)` in macros and `while (false)` never repeat.
bool neverRepeats(const Stmt &Loop, const ASTContext &Context) {
  const Expr *Cond = nullptr;
  if (const auto *Do = dyn_cast<DoStmt>(&Loop))
    Cond = Do->getCond();
  else if (const auto *While = dyn_cast<WhileStmt>(&Loop))
    Cond = While->getCond();
  else if (const auto *For = dyn_cast<ForStmt>(&Loop))
    Cond = For->getCond();
  if (!Cond || Cond->isValueDependent())
    return false;
  bool Value = true;
  return Cond->EvaluateAsBooleanCondition(Value, Context) && !Value;
}

// `for (int i = 0; i < 3; ++i)`: the trip count, when the loop counts
// between constants.
std::optional<uint64_t> constantTripCount(const Stmt &Loop, const ASTContext &Context) {
  const auto *For = dyn_cast<ForStmt>(&Loop);
  if (!For || !For->getInit() || !For->getCond())
    return std::nullopt;
  const auto *Init = dyn_cast<DeclStmt>(For->getInit());
  const auto *Counter =
      Init && Init->isSingleDecl() ? dyn_cast<VarDecl>(Init->getSingleDecl()) : nullptr;
  const auto *Cond = dyn_cast<BinaryOperator>(For->getCond()->IgnoreParenImpCasts());
  if (!Counter || !Counter->getInit() || !Cond || !Cond->isComparisonOp())
    return std::nullopt;
  auto constant = [&](const Expr *E) -> std::optional<llvm::APSInt> {
    Expr::EvalResult Result;
    if (E->isValueDependent() || !E->EvaluateAsInt(Result, Context))
      return std::nullopt;
    return Result.Val.getInt();
  };
  auto isCounter = [&](const Expr *E) {
    const auto *Ref = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts());
    return Ref && Ref->getDecl() == Counter;
  };
  std::optional<llvm::APSInt> Start = constant(Counter->getInit());
  std::optional<llvm::APSInt> Limit;
  if (isCounter(Cond->getLHS()))
    Limit = constant(Cond->getRHS());
  else if (isCounter(Cond->getRHS()))
    Limit = constant(Cond->getLHS());
  if (!Start || !Limit)
    return std::nullopt;
  int64_t From = Start->getExtValue(), To = Limit->getExtValue();
  uint64_t Count = From < To ? To - From : From - To;
  if (Cond->getOpcode() == BO_LE || Cond->getOpcode() == BO_GE)
    ++Count;
  return Count;
}

// Calls that take the next piece of work from a source (a queue, a stream,
// an iterator) or ask whether it ran dry, by name.
bool isWorkSourceName(llvm::StringRef Name) {
  static const llvm::StringSet<> Words = {
      "pop",     "take",  "next",  "read",  "dequeue", "recv",      "receive", "fetch",
      "getline", "gets",  "fgets", "scanf", "fscanf",  "getc",      "fgetc",   "getchar",
      "consume", "shift", "empty", "eof",   "end",     "exhausted", "done",    "drained"};
  // Words of the name: `try_pop`, `popFront`, `readLine`.
  size_t Start = 0;
  for (size_t I = 0; I <= Name.size(); ++I) {
    bool Boundary = I == Name.size() || Name[I] == '_' ||
                    (I > Start && llvm::isUpper(Name[I]) && llvm::isLower(Name[I - 1]));
    if (!Boundary)
      continue;
    if (I > Start && Words.contains(Name.slice(Start, I).lower()))
      return true;
    Start = Name[I < Name.size() ? I : 0] == '_' ? I + 1 : I;
  }
  return false;
}

bool callsWorkSource(const Stmt *S) {
  bool Found = false;
  visitStmts(S, [&](const Stmt &Child) {
    if (Found || isa<LambdaExpr>(Child))
      return false;
    if (const auto *Call = dyn_cast<CallExpr>(&Child))
      if (const FunctionDecl *Callee = Call->getDirectCallee())
        if (Callee->getIdentifier())
          Found = isWorkSourceName(Callee->getName());
    return !Found;
  });
  return Found;
}

const VarDecl *varOf(const Expr *E) {
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E ? E->IgnoreParenImpCasts() : nullptr);
  return Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
}

// Variables the loop body fills from a work source: `auto job = q.pop();`,
// `line = read_line(in);`, `getline(in, line)`, `q.try_pop(job)`.
llvm::SmallPtrSet<const VarDecl *, 4> workSourceVars(const Stmt &Body) {
  llvm::SmallPtrSet<const VarDecl *, 4> Vars;
  visitStmts(&Body, [&](const Stmt &S) {
    if (isa<LambdaExpr>(S))
      return false;
    if (const auto *Decls = dyn_cast<DeclStmt>(&S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D);
            Var && Var->getInit() && callsWorkSource(Var->getInit()))
          Vars.insert(Var);
    } else if (const auto *Assign = dyn_cast<BinaryOperator>(&S);
               Assign && Assign->isAssignmentOp() && callsWorkSource(Assign->getRHS())) {
      if (const VarDecl *Var = varOf(Assign->getLHS()))
        Vars.insert(Var);
    } else if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee && Callee->getIdentifier() && isWorkSourceName(Callee->getName()))
        for (const Expr *Arg : Call->arguments())
          if (const VarDecl *Var = varOf(Arg))
            Vars.insert(Var);
    }
    return true;
  });
  return Vars;
}

// Exits under an `if` that asks whether the work source ran dry (`if (!job)
// break;` after `job = queue.pop()`, `if (q.empty()) break;`): the loop
// walks a batch and leaves when it is done, unlike a retry loop, which
// repeats the same failed attempt.
llvm::SmallPtrSet<const Stmt *, 4> workSourceExits(const Stmt &Body) {
  llvm::SmallPtrSet<const Stmt *, 4> Exits;
  llvm::SmallPtrSet<const VarDecl *, 4> Vars = workSourceVars(Body);
  visitStmts(&Body, [&](const Stmt &S) {
    if (isa<LambdaExpr>(S))
      return false;
    const auto *If = dyn_cast<IfStmt>(&S);
    if (!If || !If->getCond())
      return true;
    bool Dry = callsWorkSource(If->getCond());
    if (!Dry)
      visitStmts(If->getCond(), [&](const Stmt &C) {
        if (const auto *Ref = dyn_cast<DeclRefExpr>(&C))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && Vars.contains(Var))
            Dry = true;
        return !Dry;
      });
    if (const VarDecl *CondVar = If->getConditionVariable(); CondVar && Vars.contains(CondVar))
      Dry = true;
    if (Dry)
      visitStmts(If->getThen(), [&](const Stmt &Exit) {
        if (isa<LambdaExpr, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(Exit))
          return false;
        if (isa<BreakStmt, ReturnStmt, GotoStmt>(Exit))
          Exits.insert(&Exit);
        return true;
      });
    return true;
  });
  return Exits;
}

// The condition of a loop that reads its work as it goes:
// `while (std::getline(in, line))`, `while (box.take(msg))`.
bool conditionReadsWork(const Stmt &Loop) {
  const Expr *Cond = nullptr;
  if (const auto *While = dyn_cast<WhileStmt>(&Loop))
    Cond = While->getCond();
  else if (const auto *For = dyn_cast<ForStmt>(&Loop))
    Cond = For->getCond();
  else if (const auto *Do = dyn_cast<DoStmt>(&Loop))
    Cond = Do->getCond();
  return Cond && callsWorkSource(Cond);
}

// A break, return, throw or goto that leaves the loop before \p Before: the
// loop retries (collect, then allocate again) rather than walks a batch.
// Exits taken when the work source runs dry do not count.
bool exitsBefore(const Stmt &Body, SourceLocation Before, const SourceManager &SM) {
  bool Found = false;
  llvm::SmallPtrSet<const Stmt *, 4> Dry = workSourceExits(Body);
  visitStmts(&Body, [&](const Stmt &S) {
    if (Found || isa<LambdaExpr>(S))
      return false;
    if (Dry.contains(&S))
      return false;
    if (!SM.isBeforeInTranslationUnit(S.getBeginLoc(), Before))
      return false;
    // A break inside a nested loop or switch leaves only that statement.
    if (isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(S)) {
      bool Exits = false;
      visitStmts(&S, [&](const Stmt &Inner) {
        if (Exits || isa<LambdaExpr>(Inner))
          return false;
        Exits = isa<ReturnStmt, CXXThrowExpr, GotoStmt>(Inner) &&
                SM.isBeforeInTranslationUnit(Inner.getBeginLoc(), Before);
        return true;
      });
      Found = Exits;
      return false;
    }
    Found = isa<BreakStmt, ReturnStmt, CXXThrowExpr, GotoStmt>(S);
    return true;
  });
  return Found;
}

// Collector calls that may make up a loop on their own: a collection,
// waiting for or running finalizers.
bool isCollectorCall(const Expr &E, const ApiProfile &Profile) {
  const auto *Call = dyn_cast<CallExpr>(&E);
  return Call && (classifyCall(*Call, Profile, ApiRole::Collect) ||
                  classifyCall(*Call, Profile, ApiRole::WaitForFinalizers));
}

// Scalars, constants and operators on them, and collector calls: what a
// counting loop computes besides its collections.
bool onlyCollects(const Stmt *S, const ApiProfile &Profile, unsigned Depth = 0);

bool isCountingExpr(const Expr *E, const ApiProfile &Profile, unsigned Depth = 0) {
  if (!E || Depth > 16)
    return false;
  E = E->IgnoreParenCasts();
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
    E = Cleanups->getSubExpr()->IgnoreParenCasts();
  if (isCollectorCall(*E, Profile))
    return true; // its arguments (a timeout) are not work
  // `full_collection()`: a wrapper of the user's whose body only collects.
  if (const auto *Call = dyn_cast<CallExpr>(E);
      Call && !isa<CXXMemberCallExpr, CXXOperatorCallExpr>(Call) && Call->getDirectCallee()) {
    const FunctionDecl *Definition = nullptr;
    return Call->getDirectCallee()->hasBody(Definition) && Definition &&
           Definition->getLocation().isValid() &&
           !isInSystemCode(Definition->getLocation(),
                           Definition->getASTContext().getSourceManager()) &&
           llvm::all_of(Call->arguments(),
                        [&](const Expr *Arg) { return isCountingExpr(Arg, Profile, Depth + 1); }) &&
           onlyCollects(Definition->getBody(), Profile, Depth + 1);
  }
  if (isa<IntegerLiteral, CXXBoolLiteralExpr, FloatingLiteral, CharacterLiteral,
          CXXNullPtrLiteralExpr, GNUNullExpr>(E))
    return true;
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return isa<VarDecl, EnumConstantDecl, BindingDecl>(Ref->getDecl()) &&
           Ref->getType()->isScalarType();
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getType()->isScalarType() && isa<FieldDecl>(Member->getMemberDecl()) &&
           isCountingExpr(Member->getBase(), Profile, Depth + 1);
  if (isa<CXXThisExpr>(E))
    return true;
  if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
    // `++stats.collections`: a counter kept in a struct.
    if (const auto *Member = dyn_cast<MemberExpr>(Unary->getSubExpr()->IgnoreParens());
        Member && Unary->isIncrementDecrementOp() && Member->getType()->isScalarType())
      if (const auto *Base = dyn_cast<DeclRefExpr>(Member->getBase()->IgnoreParenImpCasts());
          Base && isa<VarDecl>(Base->getDecl()))
        return true;
    return Unary->getOpcode() != UO_Deref &&
           isCountingExpr(Unary->getSubExpr(), Profile, Depth + 1);
  }
  if (const auto *Binary = dyn_cast<BinaryOperator>(E))
    return isCountingExpr(Binary->getLHS(), Profile, Depth + 1) &&
           isCountingExpr(Binary->getRHS(), Profile, Depth + 1);
  if (const auto *Conditional = dyn_cast<ConditionalOperator>(E))
    return isCountingExpr(Conditional->getCond(), Profile, Depth + 1) &&
           isCountingExpr(Conditional->getTrueExpr(), Profile, Depth + 1) &&
           isCountingExpr(Conditional->getFalseExpr(), Profile, Depth + 1);
  return false;
}

// `for (i = 0; i < 10; i++) GC_gcollect();`, `while (pending) { collect();
// n += GC_invoke_finalizers(); }`: a body that does nothing but collect,
// wait for or run finalizers and count is deliberate repeated collection
// (before a huge allocation, at shutdown), whatever its trip count.
bool onlyCollects(const Stmt *S, const ApiProfile &Profile, unsigned Depth) {
  if (!S)
    return true;
  if (Depth > 16)
    return false;
  if (isa<NullStmt, BreakStmt, ContinueStmt>(S))
    return true;
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    return llvm::all_of(Block->body(),
                        [&](const Stmt *Child) { return onlyCollects(Child, Profile, Depth + 1); });
  if (const auto *If = dyn_cast<IfStmt>(S))
    return !If->getInit() && !If->getConditionVariable() &&
           isCountingExpr(If->getCond(), Profile, Depth + 1) &&
           onlyCollects(If->getThen(), Profile, Depth + 1) &&
           onlyCollects(If->getElse(), Profile, Depth + 1);
  if (const auto *Decls = dyn_cast<DeclStmt>(S))
    return llvm::all_of(Decls->decls(), [&](const Decl *D) {
      const auto *Var = dyn_cast<VarDecl>(D);
      return Var && Var->getType()->isScalarType() &&
             (!Var->getInit() || isCountingExpr(Var->getInit(), Profile, Depth + 1));
    });
  if (const auto *E = dyn_cast<Expr>(S))
    return isCountingExpr(E, Profile, Depth + 1);
  return false;
}

std::string algorithmName(const CallExpr &Call) {
  if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(&Call))
    if (Operator->getNumArgs() > 0)
      if (const auto *Ref = dyn_cast<DeclRefExpr>(Operator->getArg(0)->IgnoreParenImpCasts()))
        return plainQualifiedName(*Ref->getDecl());
  const FunctionDecl *Callee = Call.getDirectCallee();
  return Callee ? displayName(*Callee) : std::string("algorithm");
}

// Whether \p E calls the callable parameter \p Param: `fn(x)`,
// `std::invoke(fn, x)`, `(*fn)(x)`.
bool callsParam(const Stmt &S, const ParmVarDecl &Param) {
  auto isParam = [&](const Expr *E) {
    for (unsigned Depth = 0; E && Depth < 4; ++Depth) {
      E = E->IgnoreParenImpCasts();
      if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
        return Ref->getDecl() == &Param;
      const auto *Deref = dyn_cast<UnaryOperator>(E);
      if (!Deref || Deref->getOpcode() != UO_Deref)
        return false;
      E = Deref->getSubExpr();
    }
    return false;
  };
  if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(&S))
    return Operator->getOperator() == OO_Call && Operator->getNumArgs() > 0 &&
           isParam(Operator->getArg(0));
  const auto *Call = dyn_cast<CallExpr>(&S);
  if (!Call)
    return false;
  if (isParam(Call->getCallee()))
    return true;
  const FunctionDecl *Callee = Call->getDirectCallee();
  return Callee && Callee->isInStdNamespace() && Callee->getIdentifier() &&
         Callee->getName() == "invoke" && Call->getNumArgs() > 0 && isParam(Call->getArg(0));
}

// A loop of \p Function whose body calls \p Param on every iteration (not
// under a condition inside the body), or null.
AST_MATCHER(Expr, passesLambda) { return lambdaPassed(&Node) != nullptr; }

// Can \p Branch leave its enclosing loop (return, break, goto, throw)?
bool leavesLoop(const Stmt &Branch) {
  bool Leaves = false;
  visitStmts(&Branch, [&](const Stmt &S) {
    if (Leaves || isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt, LambdaExpr>(S))
      return false;
    if (isa<ReturnStmt, BreakStmt, GotoStmt, CXXThrowExpr>(S))
      Leaves = true;
    return !Leaves;
  });
  return Leaves;
}

// A condition that picks the elements to work on (`if (tile->dirty)`), not
// one that paces the work: no `%`, and no variable the function counts with
// (`++n`, `n += k`).
bool isFilterCondition(const Expr *Cond, const llvm::SmallPtrSetImpl<const ValueDecl *> &Counters) {
  bool Filter = true;
  visitStmts(Cond, [&](const Stmt &S) {
    if (const auto *Binary = dyn_cast<BinaryOperator>(&S); Binary && Binary->getOpcode() == BO_Rem)
      Filter = false;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(&S); Ref && Counters.count(Ref->getDecl()))
      Filter = false;
    return Filter;
  });
  return Filter;
}

// Variables of \p Code that step a for loop (`++i` in its increment): they
// index the elements, so a condition on `v[i]` still picks elements.
llvm::SmallPtrSet<const ValueDecl *, 4> inductionVariables(const Stmt *Code) {
  llvm::SmallPtrSet<const ValueDecl *, 4> Induction;
  visitStmts(Code, [&](const Stmt &S) {
    if (const auto *For = dyn_cast<ForStmt>(&S); For && For->getInc())
      visitStmts(For->getInc(), [&](const Stmt &Inc) {
        if (const auto *Ref = dyn_cast<DeclRefExpr>(&Inc))
          Induction.insert(Ref->getDecl());
        return true;
      });
    return true;
  });
  return Induction;
}

// Variables \p Code counts with (`++n`, `n += k`), less the induction
// variables of its for loops.
llvm::SmallPtrSet<const ValueDecl *, 4>
counterVariables(const Stmt *Code, const llvm::SmallPtrSetImpl<const ValueDecl *> &Induction) {
  llvm::SmallPtrSet<const ValueDecl *, 4> Counters;
  visitStmts(Code, [&](const Stmt &S) {
    const Expr *Counted = nullptr;
    if (const auto *Unary = dyn_cast<UnaryOperator>(&S); Unary && Unary->isIncrementDecrementOp())
      Counted = Unary->getSubExpr();
    else if (const auto *Compound = dyn_cast<CompoundAssignOperator>(&S))
      Counted = Compound->getLHS();
    if (const auto *Ref = Counted ? dyn_cast<DeclRefExpr>(Counted->IgnoreParenImpCasts()) : nullptr)
      if (!Induction.count(Ref->getDecl()))
        Counters.insert(Ref->getDecl());
    return true;
  });
  return Counters;
}

const Stmt *loopCalling(const FunctionDecl &Function, const ParmVarDecl &Param) {
  llvm::SmallPtrSet<const ValueDecl *, 4> Counters =
      counterVariables(Function.getBody(), inductionVariables(Function.getBody()));
  const Stmt *Found = nullptr;
  visitStmts(Function.getBody(), [&](const Stmt &S) {
    if (Found || isa<LambdaExpr>(S))
      return false;
    const Stmt *Body = loopBody(S);
    if (!Body)
      return true;
    // Statements of the body that run on every iteration.
    llvm::SmallVector<const Stmt *, 16> Work{Body};
    while (!Work.empty() && !Found) {
      const Stmt *Current = Work.pop_back_val();
      if (!Current || isa<LambdaExpr>(Current))
        continue;
      if (callsParam(*Current, Param)) {
        Found = &S;
        break;
      }
      if (const auto *If = dyn_cast<IfStmt>(Current)) {
        Work.push_back(If->getCond());
        // The elements the condition picks: the callable runs once per each,
        // unless the branch then leaves the loop (`find`: once on a match).
        if (isFilterCondition(If->getCond(), Counters))
          for (const Stmt *Branch : {If->getThen(), If->getElse()})
            if (Branch && !leavesLoop(*Branch))
              Work.push_back(Branch);
        continue;
      }
      if (isa<SwitchStmt, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, CXXTryStmt,
              AbstractConditionalOperator>(Current))
        continue;
      if (const auto *Binary = dyn_cast<BinaryOperator>(Current); Binary && Binary->isLogicalOp()) {
        Work.push_back(Binary->getLHS());
        continue;
      }
      for (const Stmt *Child : Current->children())
        Work.push_back(Child);
    }
    return !Found;
  });
  return Found;
}

bool refersToAny(const Stmt *S, const llvm::SmallPtrSetImpl<const ValueDecl *> &Vars) {
  bool Found = false;
  visitStmts(S, [&](const Stmt &Child) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(&Child); Ref && Vars.count(Ref->getDecl()))
      Found = true;
    return !Found && !isa<LambdaExpr>(Child);
  });
  return Found;
}

// `if (s->live == 0) continue;`: an else-less if whose branch ends the
// iteration.
bool isSkipGuard(const IfStmt &If, bool LambdaBody) {
  if (If.getElse() || !If.getThen())
    return false;
  const Stmt *Last = If.getThen();
  if (const auto *Block = dyn_cast<CompoundStmt>(Last))
    Last = Block->body_empty() ? nullptr : Block->body_back();
  return Last && (LambdaBody ? isa<ReturnStmt>(Last) : isa<ContinueStmt>(Last));
}

/// The elements a loop (or a per-element lambda) works on, and the counters
/// that pace it, to tell a condition that picks elements from one that
/// paces: the collection under `if (tile->dirty) { redraw(); collect(); }`
/// runs once per dirty tile, the one under `if (++n % 100 == 0)` does not.
struct ElementFilters {
  llvm::SmallPtrSet<const ValueDecl *, 4> Elements;
  llvm::SmallPtrSet<const ValueDecl *, 4> Induction;
  llvm::SmallPtrSet<const ValueDecl *, 4> Counters;
  bool LambdaBody = false;

  // Locals of \p Body computed from an element (`Segment *s = segs[i];`)
  // are elements too.
  void addDerived(const Stmt &Body) {
    visitStmts(&Body, [&](const Stmt &S) {
      if (isa<LambdaExpr>(S))
        return false;
      if (const auto *Decls = dyn_cast<DeclStmt>(&S))
        for (const Decl *D : Decls->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D);
              Var && Var->getInit() && refersToAny(Var->getInit(), Elements))
            Elements.insert(Var);
      return true;
    });
  }

  bool picksElements(const Expr *Cond) const {
    if (!Cond || !refersToAny(Cond, Elements) || !isFilterCondition(Cond, Counters))
      return false;
    // `i & 63`: a stride on the index.
    bool Stride = false;
    visitStmts(Cond, [&](const Stmt &S) {
      if (const auto *Binary = dyn_cast<BinaryOperator>(&S);
          Binary && (Binary->getOpcode() == BO_And || Binary->getOpcode() == BO_Shr))
        for (const Expr *Side : {Binary->getLHS(), Binary->getRHS()})
          if (const auto *Ref = dyn_cast<DeclRefExpr>(Side->IgnoreParenImpCasts());
              Ref && Induction.count(Ref->getDecl()))
            Stride = true;
      return !Stride;
    });
    return !Stride;
  }
};

ElementFilters loopElements(const Stmt &Loop, const Stmt &Body) {
  ElementFilters Filters;
  Filters.Induction = inductionVariables(&Loop);
  Filters.Counters = counterVariables(&Body, Filters.Induction);
  Filters.Elements.insert(Filters.Induction.begin(), Filters.Induction.end());
  auto addVars = [&](const Stmt *S) {
    visitStmts(S, [&](const Stmt &Child) {
      if (const auto *Ref = dyn_cast<DeclRefExpr>(&Child); Ref && isa<VarDecl>(Ref->getDecl()))
        Filters.Elements.insert(Ref->getDecl());
      if (const auto *Decls = dyn_cast<DeclStmt>(&Child))
        for (const Decl *D : Decls->decls())
          if (const auto *Var = dyn_cast<VarDecl>(D))
            Filters.Elements.insert(Var);
      return true;
    });
  };
  if (const auto *Range = dyn_cast<CXXForRangeStmt>(&Loop))
    Filters.Elements.insert(Range->getLoopVariable());
  else if (const auto *For = dyn_cast<ForStmt>(&Loop))
    addVars(For->getInit());
  // `while ((s = next_segment(it)) != NULL)`, `while (auto job = queue.pop())`.
  else if (const auto *While = dyn_cast<WhileStmt>(&Loop)) {
    if (callsWorkSource(While->getCond()))
      addVars(While->getCond());
    if (const VarDecl *Var = While->getConditionVariable();
        Var && Var->getInit() && callsWorkSource(Var->getInit()))
      Filters.Elements.insert(Var);
  }
  for (const VarDecl *Var : workSourceVars(Body))
    Filters.Elements.insert(Var);
  // Counting loops (`for (i = 0; ...)`) count elements; other counters pace.
  for (const ValueDecl *Var : Filters.Induction)
    Filters.Counters.erase(Var);
  Filters.addDerived(Body);
  return Filters;
}

ElementFilters lambdaElements(const LambdaExpr &Lambda) {
  ElementFilters Filters;
  Filters.LambdaBody = true;
  for (const ParmVarDecl *Param : Lambda.getCallOperator()->parameters())
    Filters.Elements.insert(Param);
  Filters.Counters = counterVariables(Lambda.getBody(), Filters.Induction);
  Filters.addDerived(*Lambda.getBody());
  return Filters;
}

/// A path to a collection from code that runs for every element a filter
/// lets through, and the filter's condition.
struct FilteredPath {
  CallPath Path;
  const Expr *Filter = nullptr;
};

// The statements of \p S that run for every element the filters so far
// (\p Filter, the last) let through, searched in order. A guard that paces
// ends the search: what follows runs only when it lets it.
std::optional<FilteredPath> searchFiltered(const Stmt *S, const Expr *Filter,
                                           const ElementFilters &Filters, CallPathFinder &Paths,
                                           const ApiProfile &Profile, unsigned Depth = 0) {
  if (!S || Depth > 8)
    return std::nullopt;
  llvm::SmallVector<const Stmt *, 16> Statements;
  if (const auto *Block = dyn_cast<CompoundStmt>(S))
    Statements.append(Block->body_begin(), Block->body_end());
  else
    Statements.push_back(S);
  for (const Stmt *Statement : Statements) {
    if (const auto *If = dyn_cast<IfStmt>(Statement)) {
      bool Picks = !If->getInit() && Filters.picksElements(If->getCond());
      if (isSkipGuard(*If, Filters.LambdaBody)) {
        if (!Picks)
          return std::nullopt;
        Filter = If->getCond();
        continue;
      }
      // A branch that does nothing but collect decides whether to collect
      // (`if (s->bytes > kHuge) collect();`); one that leaves the loop
      // runs once (a search).
      if (Picks)
        for (const Stmt *Branch : {If->getThen(), If->getElse()})
          if (Branch && !leavesLoop(*Branch) && !onlyCollects(Branch, Profile))
            if (auto Found =
                    searchFiltered(Branch, If->getCond(), Filters, Paths, Profile, Depth + 1))
              return Found;
      if (mayEndIteration(*If, Filters.LambdaBody))
        return std::nullopt;
      continue;
    }
    if (Filter && !isa<ForStmt, WhileStmt, DoStmt, CXXForRangeStmt, SwitchStmt>(Statement))
      if (std::optional<CallPath> Path = Paths.findPath(*Statement); Path && !Path->empty())
        return FilteredPath{std::move(*Path), Filter};
    if (mayEndIteration(*Statement, Filters.LambdaBody))
      return std::nullopt;
  }
  return std::nullopt;
}

// A path to a collection from a per-element lambda's body, through the
// element filters in it.
std::optional<FilteredPath> lambdaPath(const LambdaExpr &Lambda, CallPathFinder &Paths,
                                       const ApiProfile &Profile) {
  if (std::optional<CallPath> Path = Paths.findPath(*Lambda.getBody()); Path && !Path->empty())
    return FilteredPath{std::move(*Path), nullptr};
  return searchFiltered(Lambda.getBody(), nullptr, lambdaElements(Lambda), Paths, Profile);
}

const char DefaultPacingFunctions[] =
    "std::this_thread::sleep_for;std::this_thread::sleep_until;sleep;usleep;nanosleep;"
    "clock_nanosleep;std::condition_variable::wait;std::condition_variable::wait_for;"
    "std::condition_variable::wait_until;std::condition_variable_any::wait;"
    "std::condition_variable_any::wait_for;std::condition_variable_any::wait_until;"
    "poll;ppoll;select;pselect;epoll_wait";

} // namespace

CollectInLoopCheck::CollectInLoopCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context),
      PacingFunctions(listOption("PacingFunctions", DefaultPacingFunctions)),
      Pacing(PacingFunctions), MaxFixedIterations(Options.get("MaxFixedIterations", 4U)) {}

void CollectInLoopCheck::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {
  storeListOption(Opts, "PacingFunctions", PacingFunctions);
  Options.store(Opts, "MaxFixedIterations", MaxFixedIterations);
}

bool CollectInLoopCheck::isPacedLoop(const Stmt &Body) {
  if (!PacingPaths)
    PacingPaths = std::make_unique<CallPathFinder>(
        [this](const Expr &Call) { return Pacing.blockingCallee(Call).has_value(); });
  return PacingPaths->findPath(Body).has_value();
}

void CollectInLoopCheck::registerMatchers(MatchFinder *Finder) {
  if (Profile.functions(ApiRole::Collect).empty())
    return;
  // One matcher per loop kind: the match finder then tries each only on
  // nodes of that kind, not on every statement of the translation unit.
  auto NotSystem = unless(isExpansionInSystemHeader());
  Finder->addMatcher(forStmt(NotSystem).bind("loop"), this);
  Finder->addMatcher(whileStmt(NotSystem).bind("loop"), this);
  Finder->addMatcher(doStmt(NotSystem).bind("loop"), this);
  Finder->addMatcher(cxxForRangeStmt(NotSystem).bind("loop"), this);
  // Algorithms that run a callable once per element are loops too.
  Finder->addMatcher(
      callExpr(
          callsFunctionNamed({"::std::for_each", "::std::for_each_n", "::std::ranges::for_each",
                              "::std::ranges::for_each_n", "::std::transform",
                              "::std::ranges::transform", "::std::generate", "::std::generate_n"}),
          NotSystem)
          .bind("algorithm"),
      this);
  // The ranges algorithms are function objects: `std::ranges::for_each(r, f)`
  // calls the operator() of the object named so.
  Finder->addMatcher(
      cxxOperatorCallExpr(hasOverloadedOperatorName("()"),
                          hasArgument(0, ignoringParenImpCasts(declRefExpr(to(varDecl(hasAnyName(
                                             "::std::ranges::for_each", "::std::ranges::for_each_n",
                                             "::std::ranges::transform", "::std::ranges::generate",
                                             "::std::ranges::generate_n")))))),
                          NotSystem)
          .bind("algorithm"),
      this);
  // A function of the translation unit handed a lambda: it may call it in a
  // loop (a hand-written visitor or iterator helper).
  Finder->addMatcher(callExpr(unless(cxxOperatorCallExpr()), hasAnyArgument(passesLambda()),
                              callee(functionDecl(NotSystem)), NotSystem)
                         .bind("helper"),
                     this);
}

void CollectInLoopCheck::check(const MatchFinder::MatchResult &Result) {
  if (Excluded.excludesMainFile(*Result.SourceManager))
    return;
  if (!Paths)
    Paths = std::make_unique<CallPathFinder>(
        [this](const Expr &Call) {
          const auto *C = dyn_cast<CallExpr>(&Call);
          return C && classifyCall(*C, Profile, ApiRole::Collect).has_value();
        },
        CallPathFinder::Reach::EveryExecution);
  const SourceManager &SM = *Result.SourceManager;

  if (const auto *Helper = Result.Nodes.getNodeAs<CallExpr>("helper")) {
    checkHelperCall(*Helper, SM);
    return;
  }
  if (const auto *Algorithm = Result.Nodes.getNodeAs<CallExpr>("algorithm")) {
    for (const Expr *Arg : Algorithm->arguments()) {
      const auto *Lambda = dyn_cast<LambdaExpr>(skipTemporaries(Arg));
      if (!Lambda || !Lambda->getBody() || isPacedLoop(*Lambda->getBody()))
        continue;
      std::optional<FilteredPath> Path = lambdaPath(*Lambda, *Paths, Profile);
      if (!Path || isInSystemCode(Path->Path.front().location(), SM))
        continue;
      std::string Algo = algorithmName(*Algorithm);
      reportPath(Path->Path, "full collection for every element: '" + Algo +
                                 "' runs this lambda once per element");
      noteFilter(Path->Filter);
      diag(Algorithm->getBeginLoc(), "'%0' is called here", DiagnosticIDs::Note) << Algo;
    }
    return;
  }

  const auto *Loop = Result.Nodes.getNodeAs<Stmt>("loop");
  const Stmt *Body = Loop ? loopBody(*Loop) : nullptr;
  if (!Body || neverRepeats(*Loop, *Result.Context))
    return;
  // "Collect a few times" (to let finalizers and their resurrected objects go).
  if (std::optional<uint64_t> Trips = constantTripCount(*Loop, *Result.Context);
      Trips && *Trips <= MaxFixedIterations)
    return;
  if (onlyCollects(Body, Profile))
    return;
  std::optional<CallPath> Path = Paths->findPath(*Body);
  const Expr *Filter = nullptr;
  if (!Path || Path->empty()) {
    std::optional<FilteredPath> Filtered =
        searchFiltered(Body, nullptr, loopElements(*Loop, *Body), *Paths, Profile);
    if (!Filtered)
      return;
    Path = std::move(Filtered->Path);
    Filter = Filtered->Filter;
  }
  if (isPacedLoop(*Body))
    return;
  SourceLocation Loc = Path->front().location();
  if (Loc.isInvalid() || isInSystemCode(Loc, SM))
    return;
  // A range-for walks a collection; other loops that can leave before
  // collecting are retry loops (collect, then try the allocation again).
  if (!isa<CXXForRangeStmt>(Loop) && !conditionReadsWork(*Loop) && exitsBefore(*Body, Loc, SM))
    return;
  reportPath(*Path, "full collection on every iteration of this loop");
  noteFilter(Filter);
  diag(Loop->getBeginLoc(), "the loop starts here", DiagnosticIDs::Note);
}

void CollectInLoopCheck::checkHelperCall(const CallExpr &Call, const SourceManager &SM) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  const FunctionDecl *Definition = Callee ? Callee->getDefinition() : nullptr;
  if (!Definition || !Definition->getBody() || isInSystemCode(Definition->getLocation(), SM))
    return;
  for (unsigned I = 0; I < Call.getNumArgs() && I < Definition->getNumParams(); ++I) {
    const LambdaExpr *Lambda = lambdaPassed(Call.getArg(I));
    if (!Lambda || !Lambda->getBody())
      continue;
    const Stmt *Loop = loopCalling(*Definition, *Definition->getParamDecl(I));
    if (!Loop || isPacedLoop(*Lambda->getBody()))
      continue;
    std::optional<FilteredPath> Path = lambdaPath(*Lambda, *Paths, Profile);
    if (!Path || isInSystemCode(Path->Path.front().location(), SM))
      continue;
    std::string Name = displayName(*Callee);
    reportPath(Path->Path, "full collection for every element: '" + Name +
                               "' runs this lambda once per element");
    noteFilter(Path->Filter);
    diag(Call.getBeginLoc(), "'%0' is called here", DiagnosticIDs::Note) << Name;
    diag(Loop->getBeginLoc(), "'%0' calls the lambda on every iteration of this loop",
         DiagnosticIDs::Note)
        << Name;
  }
}

void CollectInLoopCheck::noteFilter(const Expr *Filter) {
  if (Filter)
    diag(Filter->getBeginLoc(), "the collection runs for every element this condition lets through",
         DiagnosticIDs::Note);
}

void CollectInLoopCheck::reportPath(const CallPath &Path, const std::string &What) {
  const CallStep &First = Path.front();
  SourceLocation Loc = First.location();
  std::string Collector = Path.back().Callee ? displayName(*Path.back().Callee) : "collect";
  if (Path.size() == 1) {
    diag(Loc, "%0: '%1' stops the world and traces the whole heap each time") << What << Collector;
    return;
  }
  diag(Loc, "%0: '%1' calls '%2', which stops the world and traces the whole heap each time")
      << What << (First.Callee ? displayName(*First.Callee) : std::string("call")) << Collector;
  if (std::string Detail = describeStep(First); !Detail.empty())
    diag(Loc, "%0", DiagnosticIDs::Note) << Detail;
  noteCallPath(CallPath(Path.begin() + 1, Path.end()), "'%0' collects the whole heap here");
}

} // namespace clang::tidy::gc
