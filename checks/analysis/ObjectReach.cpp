//===--- ObjectReach.cpp --------------------------------------------------===//

#include "analysis/ObjectReach.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ExprConcepts.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <functional>

using namespace clang;

namespace lastword::analysis {
namespace {

constexpr unsigned MaxDepth = 24;

// Parentheses, casts, temporaries and the wrappers stripObjectWrappers
// knows, plus `GC_base(p)` (Boehm: the start of the object p points into).
const Expr *strip(const Expr *E) {
  for (unsigned Step = 0; E && Step < 32; ++Step) {
    const Expr *Before = E;
    if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
      E = Cleanups->getSubExpr();
    E = stripObjectWrappers(E);
    if (const auto *Call = dyn_cast_or_null<CallExpr>(E); Call && Call->getNumArgs() == 1) {
      const NamedDecl *Callee = Call->getDirectCallee();
      if (const auto *Lookup = dyn_cast_or_null<UnresolvedLookupExpr>(
              Call->getCallee() ? Call->getCallee()->IgnoreParenImpCasts() : nullptr);
          !Callee && Lookup && Lookup->getNumDecls() == 1)
        Callee = *Lookup->decls_begin();
      if (Callee && Callee->getIdentifier() && Callee->getName() == "GC_base")
        E = Call->getArg(0);
    }
    if (E == Before)
      break;
  }
  return E;
}

// Like strip, and also through `sp->` of smart pointers and member<T>.
const Expr *stripBase(const Expr *E) {
  for (unsigned Step = 0; E && Step < 32; ++Step) {
    const Expr *Before = E;
    E = strip(E);
    if (const auto *Op = dyn_cast_or_null<CXXOperatorCallExpr>(E))
      if (Op->getOperator() == OO_Arrow && Op->getNumArgs() >= 1)
        E = Op->getArg(0);
    if (E == Before)
      break;
  }
  return E;
}

bool refersTo(const Expr *E, const ValueDecl *Var) {
  for (unsigned Step = 0; E && Step < 8; ++Step) {
    E = strip(E);
    if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(E)) {
      if (Construct->getNumArgs() != 1)
        return false;
      E = Construct->getArg(0);
      continue;
    }
    break;
  }
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E);
  return Ref && Ref->getDecl() == Var;
}

bool isPointerLike(QualType Type) {
  if (Type.isNull())
    return false;
  Type = Type.getNonReferenceType();
  if (Type->isPointerType() || Type->isDependentType())
    return true;
  if (const CXXRecordDecl *Record = Type->getAsCXXRecordDecl()) {
    if (!Record->hasDefinition())
      return false;
    for (const CXXMethodDecl *Method : Record->methods())
      if (Method->getOverloadedOperator() == OO_Arrow || isa<CXXConversionDecl>(Method))
        return true;
  }
  return false;
}

// May a field of this type hold a collected object?
bool mayHoldObject(QualType Type) {
  if (Type.isNull())
    return false;
  Type = Type.getNonReferenceType();
  return Type->isPointerType() || Type->isRecordType() || Type->isArrayType() ||
         Type->isDependentType() || Type->isIntegerType();
}

bool isStdInserter(const CXXMethodDecl &Method) {
  static const llvm::StringSet<> Names = {
      "push_back", "emplace_back", "push_front", "emplace_front", "insert",
      "emplace",   "emplace_hint", "push",       "insert_or_assign", "try_emplace",
      "assign",    "push_heap",    "insert_after", "emplace_after"};
  const CXXRecordDecl *Record = Method.getParent();
  return Record && Record->isInStdNamespace() && Method.getIdentifier() &&
         Names.contains(Method.getName());
}

std::string nameOf(const ValueDecl *Var) {
  if (!Var)
    return "this";
  return declName(*Var);
}

// The variable (null with IsThis: `this`) at the root of an lvalue such as
// `v->a.b[i]`, and the field next to the root.
struct LvalueRoot {
  const ValueDecl *Var = nullptr;
  bool IsThis = false;
  bool Direct = true; ///< the lvalue is the variable itself
  bool ThroughPointer = false; ///< the lvalue is reached through a pointer
  const FieldDecl *Field = nullptr;
};

bool isPointerBase(const Expr *Base) {
  return Base && !Base->getType().isNull() && Base->getType()->isPointerType();
}

std::optional<LvalueRoot> rootOf(const Expr *E) {
  LvalueRoot Root;
  for (unsigned Step = 0; E && Step < 32; ++Step) {
    E = strip(E);
    if (!E)
      return std::nullopt;
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      Root.Direct = false;
      Root.Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (Member->isArrow())
        Root.ThroughPointer = true;
      E = Member->getBase();
      continue;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      Root.Direct = false;
      if (isPointerBase(Subscript->getBase()->IgnoreParens()))
        Root.ThroughPointer = true;
      E = Subscript->getBase();
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() != UO_Deref)
        return std::nullopt;
      Root.Direct = false;
      Root.ThroughPointer = true;
      E = Unary->getSubExpr();
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      OverloadedOperatorKind Kind = Op->getOperator();
      if ((Kind != OO_Arrow && Kind != OO_Subscript && Kind != OO_Star) || Op->getNumArgs() < 1)
        return std::nullopt;
      Root.Direct = false;
      if (Kind != OO_Subscript)
        Root.ThroughPointer = true;
      E = Op->getArg(0);
      continue;
    }
    if (isa<CXXThisExpr>(E)) {
      Root.IsThis = true;
      Root.ThroughPointer = Root.ThroughPointer || !Root.Direct;
      return Root;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (!Var || !Var->hasLocalStorage())
        return std::nullopt;
      Root.Var = Var;
      if (!Root.Direct && Var->getType()->isReferenceType())
        Root.ThroughPointer = true;
      return Root;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

bool usesAt(const Stmt *S, const ValueDecl *Var, llvm::SmallVectorImpl<const Expr *> &Uses);

void collectUses(const Stmt *Root, const ValueDecl *Var,
                 llvm::SmallVectorImpl<const Expr *> &Uses) {
  // Iterative, in source order: children are pushed in reverse.
  llvm::SmallVector<const Stmt *, 64> Work{Root};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S || !usesAt(S, Var, Uses))
      continue;
    llvm::SmallVector<const Stmt *, 8> Children(S->child_begin(), S->child_end());
    Work.append(Children.rbegin(), Children.rend());
  }
}

// Records a use at \p S; false when \p S is an unevaluated operand.
bool usesAt(const Stmt *S, const ValueDecl *Var, llvm::SmallVectorImpl<const Expr *> &Uses) {
  if (isa<UnaryExprOrTypeTraitExpr, CXXNoexceptExpr, RequiresExpr, ConceptSpecializationExpr>(S))
    return false;
  if (const auto *Typeid = dyn_cast<CXXTypeidExpr>(S))
    if (!Typeid->isPotentiallyEvaluated())
      return false;
  if (Var) {
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S))
      if (Ref->getDecl() == Var)
        Uses.push_back(Ref);
  } else {
    if (const auto *This = dyn_cast<CXXThisExpr>(S))
      Uses.push_back(This);
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(S))
      if (Dependent->isImplicitAccess())
        Uses.push_back(Dependent);
    if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(S))
      if (Unresolved->isImplicitAccess())
        Uses.push_back(Unresolved);
  }
  return true;
}

// The class a call `make<T>(...)` / `std::make_shared<T>(...)` builds.
const CXXRecordDecl *builtRecord(const CallExpr &Call) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee)
    return nullptr;
  const TemplateArgumentList *Args = Callee->getTemplateSpecializationArgs();
  if (!Args || Args->size() == 0 || Args->get(0).getKind() != TemplateArgument::Type)
    return nullptr;
  return Args->get(0).getAsType()->getAsCXXRecordDecl();
}

// For a local reference variable bound to a named variable or field
// (`Res *&same = r;`, `auto &fd = r->fd;`): the expression it is bound to.
const Expr *aliasedExpr(const ValueDecl *Decl) {
  const auto *Var = dyn_cast_or_null<VarDecl>(Decl);
  if (!Var || isa<ParmVarDecl>(Var) || !Var->hasLocalStorage() ||
      !Var->getType()->isReferenceType() || !Var->getInit())
    return nullptr;
  const Expr *Init = strip(Var->getInit());
  if (isa_and_nonnull<DeclRefExpr>(Init) || isa_and_nonnull<MemberExpr>(Init))
    return Init;
  return nullptr;
}

// A constructor with a visible body that only reads through pointer
// parameter \p Index (`fd(c->fd)`, `if (c)`, `*c` copied) and never keeps
// or passes on the pointer itself: the built object does not hold it.
bool constructorOnlyReads(const CXXConstructorDecl *Ctor, unsigned Index) {
  const FunctionDecl *Definition = nullptr;
  if (!Ctor || !Ctor->hasBody(Definition) || !Definition || !Definition->isUserProvided())
    return false;
  const auto *Def = dyn_cast<CXXConstructorDecl>(Definition);
  if (!Def || Index >= Def->getNumParams())
    return false;
  const ParmVarDecl *Param = Def->getParamDecl(Index);
  if (!Param || !Param->getType()->isPointerType())
    return false;
  llvm::SmallVector<const Stmt *, 8> Roots;
  for (const CXXCtorInitializer *Init : Def->inits())
    if (Init && Init->getInit())
      Roots.push_back(Init->getInit());
  Roots.push_back(Def->getBody());
  llvm::SmallPtrSet<const Expr *, 16> Reads;
  bool Escapes = false;
  unsigned Budget = 4096;
  for (const Stmt *Root : Roots)
    visitStmts(Root, [&](const Stmt &S) {
      if (Escapes || Budget == 0) {
        Escapes = true;
        return false;
      }
      --Budget;
      if (const auto *Member = dyn_cast<MemberExpr>(&S)) {
        if (Member->isArrow())
          Reads.insert(Member->getBase()->IgnoreParenImpCasts());
      } else if (const auto *Unary = dyn_cast<UnaryOperator>(&S)) {
        if (Unary->getOpcode() == UO_Deref || Unary->getOpcode() == UO_LNot)
          Reads.insert(Unary->getSubExpr()->IgnoreParenImpCasts());
      } else if (const auto *Binary = dyn_cast<BinaryOperator>(&S)) {
        if (Binary->isComparisonOp()) {
          Reads.insert(Binary->getLHS()->IgnoreParenImpCasts());
          Reads.insert(Binary->getRHS()->IgnoreParenImpCasts());
        }
      } else if (const auto *Cast = dyn_cast<ImplicitCastExpr>(&S)) {
        if (Cast->getCastKind() == CK_PointerToBoolean)
          Reads.insert(Cast->getSubExpr()->IgnoreParenImpCasts());
      } else if (const auto *Ref = dyn_cast<DeclRefExpr>(&S)) {
        // Parents come first in pre-order: a read is known by now.
        if (Ref->getDecl() == Param && !Reads.count(Ref))
          Escapes = true;
      }
      return true;
    });
  return !Escapes;
}

} // namespace

std::string ObjectIdentity::spelling() const {
  std::string Base = nameOf(Variable);
  if (!Field)
    return Base;
  bool Arrow = !Variable || Variable->getType()->isPointerType() || isPointerLike(Variable->getType());
  return Base + (Arrow ? "->" : ".") + Field->getNameAsString();
}

std::optional<ObjectIdentity> identifyObject(const Expr *E) {
  // A local reference initialised with a variable is that variable.
  for (unsigned Hop = 0; Hop < 8; ++Hop) {
    E = strip(E);
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E);
    const Expr *Init = Ref ? aliasedExpr(Ref->getDecl()) : nullptr;
    if (!Init)
      break;
    E = Init;
  }
  E = strip(E);
  if (!E)
    return std::nullopt;
  if (isa<CXXThisExpr>(E))
    return ObjectIdentity{};
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
      return ObjectIdentity{Var, nullptr};
    return std::nullopt;
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return std::nullopt;
    const Expr *Base = stripBase(Member->getBase());
    if (isa_and_nonnull<CXXThisExpr>(Base))
      return ObjectIdentity{nullptr, Field};
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Base))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()))
        return ObjectIdentity{Var, Field};
  }
  return std::nullopt;
}

std::string describeStep(const ReachChain &Chain, size_t Index) {
  if (Index >= Chain.size())
    return {};
  const ReachStep &Step = Chain[Index];
  std::string Held =
      Index + 1 < Chain.size() ? "'" + Chain[Index + 1].HolderName + "'" : "the object";
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << "'" << Step.HolderName << "' ";
  switch (Step.StepKind) {
  case ReachStep::Kind::Interior:
    OS << "points into " << Held;
    break;
  case ReachStep::Kind::Alias:
    OS << "points to " << Held;
    break;
  case ReachStep::Kind::Holds:
    OS << "holds " << Held;
    if (!Step.Through.empty() && Step.Through != Step.HolderName)
      OS << " through '" << Step.Through << "'";
    break;
  }
  if (!Step.How.empty())
    OS << ", " << Step.How << " here";
  return Text;
}

llvm::SmallVector<const Expr *, 4> evaluatedUses(const Stmt *Body, const ValueDecl *Var) {
  llvm::SmallVector<const Expr *, 4> Uses;
  collectUses(Body, Var, Uses);
  return Uses;
}

const FieldDecl *fieldStoringParameter(const FunctionDecl &Method, unsigned Param) {
  const FunctionDecl *Definition = nullptr;
  if (!Method.hasBody(Definition) || !Definition || Param >= Definition->getNumParams())
    return nullptr;
  const ParmVarDecl *Parm = Definition->getParamDecl(Param);
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Definition))
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      if (!Init->isMemberInitializer() || !Init->isWritten())
        continue;
      const Expr *Value = Init->getInit();
      if (const auto *List = dyn_cast_or_null<InitListExpr>(Value ? Value->IgnoreImplicit() : nullptr))
        Value = List->getNumInits() == 1 ? List->getInit(0) : nullptr;
      if (const auto *ParenList = dyn_cast_or_null<ParenListExpr>(Value))
        Value = ParenList->getNumExprs() == 1 ? ParenList->getExpr(0) : nullptr;
      if (Value && refersTo(Value, Parm))
        return Init->getMember();
    }
  // Stores in the body: this->f = p; f = p; f.push_back(p);
  const FieldDecl *Found = nullptr;
  llvm::SmallVector<const Stmt *, 64> Work{Definition->getBody()};
  while (!Work.empty() && !Found) {
    const Stmt *S = Work.pop_back_val();
    if (!S || isa<LambdaExpr>(S))
      continue;
    const Expr *Lhs = nullptr, *Rhs = nullptr;
    if (const auto *Binary = dyn_cast<BinaryOperator>(S)) {
      if (Binary->getOpcode() == BO_Assign) {
        Lhs = Binary->getLHS();
        Rhs = Binary->getRHS();
      }
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
      if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
        Lhs = Op->getArg(0);
        Rhs = Op->getArg(1);
      }
    } else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(S)) {
      const CXXMethodDecl *Callee = Member->getMethodDecl();
      if (Callee && isStdInserter(*Callee))
        for (const Expr *Arg : Member->arguments())
          if (refersTo(Arg, Parm)) {
            Lhs = Member->getImplicitObjectArgument();
            Rhs = Arg;
          }
    }
    if (Lhs && Rhs && refersTo(Rhs, Parm))
      if (std::optional<LvalueRoot> Root = rootOf(Lhs))
        if (Root->IsThis && Root->Field)
          Found = Root->Field;
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }
  return Found;
}

ObjectReach::ObjectReach(ObjectIdentity Object, const Stmt *Scope, ASTContext &Context,
                         ReachOptions Options)
    : Object(Object), Context(Context), Options(std::move(Options)) {
  if (Scope) {
    collectStores(Scope);
    if (this->Options.At.isValid())
      Stores.erase(std::remove_if(Stores.begin(), Stores.end(),
                                  [&](const Store &S) { return !storeHoldsAt(S); }),
                   Stores.end());
    solve();
  }
}

bool ObjectReach::storeHoldsAt(const Store &S) const {
  const SourceManager &SM = Context.getSourceManager();
  SourceLocation At = SM.getExpansionLoc(Options.At);
  SourceLocation Loc = S.Loc.isValid() ? SM.getExpansionLoc(S.Loc) : SourceLocation();
  if (At.isInvalid() || Loc.isInvalid() || SM.getFileID(At) != SM.getFileID(Loc))
    return true;
  auto Before = [&](SourceLocation A, SourceLocation B) {
    return A != B && SM.isBeforeInTranslationUnit(A, B);
  };
  bool After = Before(At, Loc);
  // A copy is taken at the point; later stores reach it only through a
  // shared pointee.
  if (After && (S.Direct || !S.ThroughPointer))
    return false;
  SourceLocation Low = After ? At : Loc, High = After ? Loc : At;
  auto AssignedBetween = [&](const ValueDecl *Var) {
    auto It = Reassigned.find(Var);
    if (It == Reassigned.end())
      return false;
    for (SourceLocation Assignment : It->second) {
      SourceLocation Where = SM.getExpansionLoc(Assignment);
      if (Where != Loc && Before(Low, Where) && Before(Where, High))
        return true;
    }
    return false;
  };
  if (S.Target && AssignedBetween(S.Target))
    return false;
  // The variables the stored value was read from.
  bool Stale = false;
  unsigned Budget = 256;
  visitStmts(S.Value, [&](const Stmt &Node) {
    if (Stale || Budget == 0)
      return false;
    --Budget;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(&Node))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var && Var->hasLocalStorage() && AssignedBetween(Var))
        Stale = true;
    return true;
  });
  return !Stale;
}

std::string ObjectReach::text(const Expr *E) const {
  if (!E)
    return {};
  const SourceManager &SM = Context.getSourceManager();
  CharSourceRange Range = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(E->getSourceRange()), SM, Context.getLangOpts());
  if (Range.isValid()) {
    StringRef Text = Lexer::getSourceText(Range, SM, Context.getLangOpts());
    if (!Text.empty() && Text.size() < 80 && !Text.contains('\n'))
      return Text.str();
    if (!Text.empty())
      return Text.take_front(Text.find('\n')).take_front(60).str() + "...";
  }
  // Printing recurses: only small expressions.
  unsigned Nodes = 0;
  llvm::SmallVector<const Stmt *, 16> Work{E};
  while (!Work.empty() && Nodes < 64) {
    const Stmt *S = Work.pop_back_val();
    ++Nodes;
    for (const Stmt *Child : S ? S->children() : Stmt::const_child_range(Stmt::const_child_iterator(), Stmt::const_child_iterator()))
      Work.push_back(Child);
  }
  if (Nodes >= 64)
    return "expression";
  std::string Printed;
  llvm::raw_string_ostream OS(Printed);
  E->printPretty(OS, nullptr, PrintingPolicy(Context.getLangOpts()));
  return Printed;
}

bool ObjectReach::isCarryingFunction(const FunctionDecl &Function) const {
  static const llvm::StringSet<> StdNames = {
      "make_pair", "make_tuple", "make_shared", "make_unique", "allocate_shared",
      "make_optional", "ref", "cref", "tie", "forward_as_tuple", "make_any"};
  if (Function.isInStdNamespace() && Function.getIdentifier() &&
      StdNames.contains(Function.getName()))
    return true;
  std::string Name = Function.getQualifiedNameAsString();
  if (Name == "lastword::make")
    return true;
  for (const std::string &Carrying : Options.CarryingFunctions) {
    StringRef Wanted = StringRef(Carrying).ltrim(':');
    if (Name == Wanted || (!Wanted.contains("::") && StringRef(Name).ends_with("::" + Wanted.str())))
      return true;
  }
  return false;
}

bool ObjectReach::designates(const Expr *E) const {
  std::optional<ObjectIdentity> Identity = identifyObject(E);
  return Identity && *Identity == Object;
}

std::optional<ReachChain> ObjectReach::heldBy(const ValueDecl *Var, bool IsThis) const {
  const ValueDecl *Key = IsThis ? nullptr : Var;
  if (!IsThis && !Var)
    return std::nullopt;
  // The object is a field of this variable: the variable holds it.
  if (Object.Field && Object.Variable == Key && mayHoldObject(Object.Field->getType())) {
    ReachStep Step;
    Step.StepKind = ReachStep::Kind::Holds;
    Step.Holder = Key;
    Step.HolderName = nameOf(Key);
    Step.Through = Object.spelling();
    Step.Field = Object.Field;
    return ReachChain{Step};
  }
  auto It = Holders.find(Key);
  if (It == Holders.end())
    return std::nullopt;
  return It->second;
}

std::optional<ReachChain> ObjectReach::carries(const Expr *E) const { return carriesImpl(E, 0); }

std::optional<ReachChain> ObjectReach::holds(const ValueDecl *Var) const {
  if (!Var && Object.isThis() && !Object.Field)
    return ReachChain{};
  return holdsVariable(Var, 0);
}

std::optional<ReachChain> ObjectReach::holdsVariable(const ValueDecl *Var, unsigned Depth) const {
  if (!Var)
    return heldBy(nullptr, true);
  if (Var == Object.Variable && !Object.Field)
    return ReachChain{};
  if (Depth > MaxDepth)
    return std::nullopt;
  // A structured binding of a pointer or a class: what its whole holds.
  if (const auto *Binding = dyn_cast<BindingDecl>(Var)) {
    QualType Type = Binding->getType();
    if (Type.isNull() || !(Type->isPointerType() || Type->isRecordType() ||
                           Type->isDependentType() || Type->isReferenceType()))
      return std::nullopt;
    return holdsVariable(Binding->getDecomposedDecl(), Depth + 1);
  }
  // A reference bound to a variable is that variable.
  if (const Expr *Init = aliasedExpr(Var)) {
    if (designates(Init))
      return ReachChain{};
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Init))
      return holdsVariable(Ref->getDecl(), Depth + 1);
    return carriesImpl(Init, Depth + 1);
  }
  return heldBy(Var, false);
}

std::optional<ReachChain> ObjectReach::carriesImpl(const Expr *E, unsigned Depth) const {
  if (!E || Depth > MaxDepth)
    return std::nullopt;
  E = strip(E);
  if (!E)
    return std::nullopt;
  if (designates(E))
    return ReachChain{};
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (isa_and_nonnull<VarDecl, BindingDecl>(Ref->getDecl()))
      return holdsVariable(Ref->getDecl(), Depth + 1);
    return std::nullopt;
  }
  if (isa<CXXThisExpr>(E))
    return heldBy(nullptr, true);
  // obj->name, an array field used as a value, decays to a pointer into obj.
  if (const auto *Member = dyn_cast<MemberExpr>(E);
      Member && Member->getType()->isArrayType() && designates(strip(Member->getBase()))) {
    ReachStep Interior;
    Interior.StepKind = ReachStep::Kind::Interior;
    Interior.HolderName = text(E);
    return ReachChain{Interior};
  }

  if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
    if (Unary->getOpcode() != UO_AddrOf)
      return std::nullopt;
    const Expr *Sub = Unary->getSubExpr()->IgnoreParens();
    if (isa<DeclRefExpr>(Sub)) {
      std::optional<ReachChain> Chain = carriesImpl(Sub, Depth + 1);
      if (Chain && Chain->empty()) {
        ReachStep Step;
        Step.StepKind = ReachStep::Kind::Alias;
        Step.HolderName = text(E);
        Chain->insert(Chain->begin(), Step);
      }
      return Chain;
    }
    // &obj->field, &obj[i], &holder.field
    const Expr *Part = Sub;
    for (unsigned Step = 0; Part && Step < 32; ++Step) {
      Part = strip(Part);
      if (!Part)
        break;
      const Expr *Base = nullptr;
      if (const auto *Member = dyn_cast<MemberExpr>(Part))
        Base = Member->getBase();
      else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(Part))
        Base = Subscript->getBase();
      else if (const auto *Deref = dyn_cast<UnaryOperator>(Part);
               Deref && Deref->getOpcode() == UO_Deref)
        Base = Deref->getSubExpr();
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Part);
               Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
               Op->getNumArgs() >= 1)
        Base = Op->getArg(0);
      if (!Base)
        break;
      if (designates(Part) || designates(Base)) {
        ReachStep Interior;
        Interior.StepKind = ReachStep::Kind::Interior;
        Interior.HolderName = text(E);
        return ReachChain{Interior};
      }
      Part = Base;
    }
    if (Part && (isa<DeclRefExpr>(Part) || isa<CXXThisExpr>(Part)))
      if (std::optional<ReachChain> Chain = carriesImpl(Part, Depth + 1); Chain && !Chain->empty())
        return Chain;
    return std::nullopt;
  }

  if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
    switch (Binary->getOpcode()) {
    case BO_Comma:
    case BO_Assign:
      return carriesImpl(Binary->getRHS(), Depth + 1);
    case BO_Add:
    case BO_Sub: {
      const Expr *Pointer = Binary->getLHS()->getType()->isPointerType() ? Binary->getLHS()
                            : Binary->getRHS()->getType()->isPointerType() ? Binary->getRHS()
                                                                           : nullptr;
      std::optional<ReachChain> Chain = carriesImpl(Pointer, Depth + 1);
      if (Chain && Chain->empty()) {
        ReachStep Interior;
        Interior.StepKind = ReachStep::Kind::Interior;
        Interior.HolderName = text(E);
        return ReachChain{Interior};
      }
      return Chain;
    }
    default:
      return std::nullopt;
    }
  }
  if (const auto *Conditional = dyn_cast<AbstractConditionalOperator>(E)) {
    if (std::optional<ReachChain> Chain = carriesImpl(Conditional->getTrueExpr(), Depth + 1))
      return Chain;
    return carriesImpl(Conditional->getFalseExpr(), Depth + 1);
  }

  // A field read: carries only what a holder stored in that field.
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return std::nullopt;
    std::optional<ReachChain> Chain = carriesImpl(stripBase(Member->getBase()), Depth + 1);
    if (!Chain || Chain->empty())
      return std::nullopt; // a field of the object: another value
    const ReachStep &First = Chain->front();
    if (First.StepKind != ReachStep::Kind::Holds)
      return std::nullopt;
    if (First.Field == Field)
      return ReachChain(Chain->begin() + 1, Chain->end());
    if (!First.Field && mayHoldObject(Field->getType()))
      return Chain;
    return std::nullopt;
  }
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
    std::optional<ReachChain> Chain = carriesImpl(Subscript->getBase(), Depth + 1);
    if (!Chain || Chain->empty() || Chain->front().StepKind != ReachStep::Kind::Holds)
      return std::nullopt;
    return Chain;
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    OverloadedOperatorKind Kind = Op->getOperator();
    if (Op->getNumArgs() < 1)
      return std::nullopt;
    if (Kind == OO_Arrow)
      return carriesImpl(Op->getArg(0), Depth + 1);
    if (Kind == OO_Subscript || Kind == OO_Star) {
      std::optional<ReachChain> Chain = carriesImpl(Op->getArg(0), Depth + 1);
      if (!Chain || Chain->empty() || Chain->front().StepKind != ReachStep::Kind::Holds)
        return std::nullopt;
      return Chain;
    }
    if (Kind == OO_Equal && Op->getNumArgs() == 2)
      return carriesImpl(Op->getArg(1), Depth + 1);
    return std::nullopt;
  }

  // Values built from parts: the parts that carry the object.
  auto FirstCarrying = [&](auto Range) -> std::optional<ReachChain> {
    for (const Expr *Part : Range)
      if (std::optional<ReachChain> Chain = carriesImpl(Part, Depth + 1))
        return Chain;
    return std::nullopt;
  };
  // Arguments of a constructor that visibly only reads them do not count.
  auto CarryingArgument = [&](const CXXConstructorDecl *Ctor,
                              auto Args) -> std::optional<ReachChain> {
    unsigned Index = 0;
    for (const Expr *Arg : Args) {
      if (!constructorOnlyReads(Ctor, Index))
        if (std::optional<ReachChain> Chain = carriesImpl(Arg, Depth + 1))
          return Chain;
      ++Index;
    }
    return std::nullopt;
  };
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    return CarryingArgument(Construct->getConstructor(), Construct->arguments());
  if (const auto *List = dyn_cast<InitListExpr>(E))
    return FirstCarrying(List->inits());
  if (const auto *ParenList = dyn_cast<CXXParenListInitExpr>(E))
    return FirstCarrying(ParenList->getInitExprs());
  if (const auto *ParenList = dyn_cast<ParenListExpr>(E)) {
    for (unsigned I = 0; I < ParenList->getNumExprs(); ++I)
      if (std::optional<ReachChain> Chain = carriesImpl(ParenList->getExpr(I), Depth + 1))
        return Chain;
    return std::nullopt;
  }
  if (const auto *Unresolved = dyn_cast<CXXUnresolvedConstructExpr>(E))
    return FirstCarrying(Unresolved->arguments());
  if (const auto *StdList = dyn_cast<CXXStdInitializerListExpr>(E))
    return carriesImpl(StdList->getSubExpr(), Depth + 1);
  if (const auto *New = dyn_cast<CXXNewExpr>(E))
    return New->hasInitializer() ? carriesImpl(New->getInitializer(), Depth + 1) : std::nullopt;
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    for (const Expr *Init : Lambda->capture_inits())
      if (std::optional<ReachChain> Chain = carriesImpl(Init, Depth + 1))
        return Chain;
    return std::nullopt;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    bool Carrying = false;
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      Carrying = isCarryingFunction(*Callee);
    else if (const auto *Lookup =
                 dyn_cast_or_null<UnresolvedLookupExpr>(Call->getCallee()->IgnoreParenImpCasts()))
      for (const NamedDecl *Decl : Lookup->decls())
        if (const auto *Template = dyn_cast<FunctionTemplateDecl>(Decl->getUnderlyingDecl()))
          Carrying = Carrying || isCarryingFunction(*Template->getTemplatedDecl());
    if (!Carrying)
      return std::nullopt;
    // make<T>(args): the constructor of T that takes them, when only one does.
    const CXXConstructorDecl *Only = nullptr;
    if (const CXXRecordDecl *Built = builtRecord(*Call); Built && Built->hasDefinition()) {
      unsigned Count = 0;
      for (const CXXConstructorDecl *Ctor : Built->ctors())
        if (!Ctor->isCopyOrMoveConstructor() && Ctor->getNumParams() == Call->getNumArgs()) {
          Only = Ctor;
          ++Count;
        }
      if (Count != 1)
        Only = nullptr;
    }
    return CarryingArgument(Only, Call->arguments());
  }
  return std::nullopt;
}

void ObjectReach::addStoreTo(const Expr *Target, const Expr *Value, const FieldDecl *KnownField,
                             SourceLocation Loc, std::string How, std::string Through) {
  if (!Target || !Value)
    return;
  std::optional<LvalueRoot> Root = rootOf(Target);
  if (!Root)
    return;
  // Stores into the object itself are not holders of it.
  if ((Root->IsThis && Object.isThis() && !Object.Field) ||
      (!Root->IsThis && Root->Var == Object.Variable && !Object.Field))
    return;
  if (Root->Direct && Root->Var && Root->Var->getType()->isReferenceType())
    return;
  Store S;
  S.Target = Root->IsThis ? nullptr : Root->Var;
  S.Value = Value;
  S.Direct = Root->Direct && !KnownField && Through.empty();
  S.ThroughPointer = Root->ThroughPointer;
  S.Field = KnownField ? KnownField : Root->Field;
  S.Through = !Through.empty() ? std::move(Through) : S.Direct ? std::string() : text(Target);
  S.Loc = Loc;
  S.How = std::move(How);
  Stores.push_back(std::move(S));
}

void ObjectReach::noteReassignment(const Expr *Target, SourceLocation Loc) {
  std::optional<LvalueRoot> Root = rootOf(Target);
  if (Root && Root->Direct && !Root->IsThis && Root->Var && Loc.isValid())
    Reassigned[Root->Var].push_back(Loc);
}

void ObjectReach::collectStores(const Stmt *Root) {
  // Iterative: generated code nests deeper than the stack allows.
  llvm::SmallVector<const Stmt *, 64> Work{Root};
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!S)
      continue;
    collectStoresAt(S);
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }
}

void ObjectReach::addInitialisation(const VarDecl &Var) {
  if (!Var.getInit() || Var.getType()->isReferenceType())
    return;
  Store Init;
  Init.Target = &Var;
  Init.Value = Var.getInit();
  Init.Direct = true;
  Init.Loc = Var.getLocation();
  Init.How = "initialised";
  Stores.push_back(std::move(Init));
}

void ObjectReach::collectStoresAt(const Stmt *S) {
  if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : Decls->decls())
      if (const auto *Var = dyn_cast<VarDecl>(D))
        if (Var->hasLocalStorage())
          addInitialisation(*Var);
  } else if (const auto *Lambda = dyn_cast<LambdaExpr>(S)) {
    for (const LambdaCapture &Capture : Lambda->captures())
      if (Capture.capturesVariable())
        if (const auto *Var = dyn_cast_or_null<VarDecl>(Capture.getCapturedVar()))
          if (Var->isInitCapture())
            addInitialisation(*Var);
  } else if (const auto *Binary = dyn_cast<BinaryOperator>(S)) {
    if (Binary->getOpcode() == BO_Assign) {
      noteReassignment(Binary->getLHS(), Binary->getBeginLoc());
      addStoreTo(Binary->getLHS(), Binary->getRHS(), nullptr, Binary->getBeginLoc(), "assigned");
    }
  } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
    if (Op->getOperator() == OO_Equal && Op->getNumArgs() == 2) {
      noteReassignment(Op->getArg(0), Op->getBeginLoc());
      addStoreTo(Op->getArg(0), Op->getArg(1), nullptr, Op->getBeginLoc(), "assigned");
    }
  } else if (const auto *Member = dyn_cast<CXXMemberCallExpr>(S)) {
    const CXXMethodDecl *Method = Member->getMethodDecl();
    const Expr *Receiver = Member->getImplicitObjectArgument();
    if (Method && Receiver) {
      if (isStdInserter(*Method)) {
        for (const Expr *Arg : Member->arguments())
          addStoreTo(Receiver, Arg, nullptr, Member->getBeginLoc(), "stored",
                     Receiver->isImplicitCXXThis() ? std::string() : text(Receiver));
      } else {
        for (unsigned I = 0; I < Member->getNumArgs(); ++I)
          if (const FieldDecl *Field = fieldStoringParameter(*Method, I)) {
            bool Arrow = false;
            if (const auto *Callee = dyn_cast<MemberExpr>(Member->getCallee()->IgnoreParens()))
              Arrow = Callee->isArrow();
            std::string Through = Receiver->isImplicitCXXThis()
                                      ? Field->getNameAsString()
                                      : text(Receiver) + (Arrow ? "->" : ".") +
                                            Field->getNameAsString();
            addStoreTo(Receiver, Member->getArg(I), Field, Member->getBeginLoc(),
                       "stored by '" + Method->getQualifiedNameAsString() + "'", Through);
          }
      }
    }
  }
}

const FieldDecl *ObjectReach::fieldForConstruction(const CXXConstructorDecl *Ctor,
                                                   unsigned ArgIndex) const {
  return Ctor ? fieldStoringParameter(*Ctor, ArgIndex) : nullptr;
}

void ObjectReach::solve() {
  for (unsigned Round = 0; Round < 16; ++Round) {
    bool Changed = false;
    for (const Store &S : Stores) {
      if (Holders.count(S.Target))
        continue;
      // The variable is the object, or `this` when the object is this.
      if ((S.Target && S.Target == Object.Variable && !Object.Field) ||
          (!S.Target && Object.isThis() && !Object.Field))
        continue;
      std::optional<ReachChain> Chain = carriesImpl(S.Value, 0);
      if (!Chain)
        continue;
      ReachStep Step;
      Step.Holder = S.Target;
      Step.HolderName = nameOf(S.Target);
      Step.Loc = S.Loc;
      Step.How = S.How;
      Step.Field = S.Field;
      Step.Through = S.Through;
      Step.StepKind = ReachStep::Kind::Holds;
      if (S.Direct) {
        const Expr *Value = strip(S.Value);
        if (const auto *New = dyn_cast_or_null<CXXNewExpr>(Value))
          Value = New->getInitializer() ? strip(New->getInitializer()) : nullptr;
        bool Pointer = S.Target && (S.Target->getType()->isPointerType() ||
                                    isPointerLike(S.Target->getType()));
        const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Value);
        if (designates(Value) || (Chain->empty() == false && isa_and_nonnull<DeclRefExpr>(Value)))
          Step.StepKind = ReachStep::Kind::Alias;
        else if (Construct && Construct->getNumArgs() == 1 && isPointerLike(Construct->getType()) &&
                 carriesImpl(Construct->getArg(0), 0))
          Step.StepKind = ReachStep::Kind::Alias;
        // Which field the construction stores it in, when visible.
        const FieldDecl *Field = nullptr;
        if (Step.StepKind == ReachStep::Kind::Holds && Value) {
          auto FieldOfArgs = [&](const CXXConstructorDecl *Ctor, auto Args) {
            unsigned Index = 0;
            for (const Expr *Arg : Args) {
              if (carriesImpl(Arg, 0))
                return fieldForConstruction(Ctor, Index);
              ++Index;
            }
            return static_cast<const FieldDecl *>(nullptr);
          };
          if (Construct) {
            Field = FieldOfArgs(Construct->getConstructor(), Construct->arguments());
          } else if (const auto *List = dyn_cast<InitListExpr>(Value)) {
            const RecordDecl *Record = List->getType()->getAsRecordDecl();
            const auto *CXXRecord = dyn_cast_or_null<CXXRecordDecl>(Record);
            unsigned Skip = CXXRecord && CXXRecord->hasDefinition() ? CXXRecord->getNumBases() : 0;
            if (Record && !Record->isUnion()) {
              unsigned Index = 0;
              for (const FieldDecl *Candidate : Record->fields()) {
                if (Skip + Index >= List->getNumInits())
                  break;
                if (carriesImpl(List->getInit(Skip + Index), 0)) {
                  Field = Candidate;
                  break;
                }
                ++Index;
              }
            }
          } else if (const auto *Call = dyn_cast<CallExpr>(Value)) {
            if (const CXXRecordDecl *Built = builtRecord(*Call); Built && Built->hasDefinition()) {
              const CXXConstructorDecl *Only = nullptr;
              unsigned Count = 0;
              for (const CXXConstructorDecl *Ctor : Built->ctors())
                if (!Ctor->isCopyOrMoveConstructor() && Ctor->getNumParams() == Call->getNumArgs()) {
                  Only = Ctor;
                  ++Count;
                }
              if (Count == 1)
                Field = FieldOfArgs(Only, Call->arguments());
            }
          }
        }
        if (Field) {
          Step.Field = Field;
          Step.Through = Step.HolderName + (Pointer ? "->" : ".") + Field->getNameAsString();
        }
      }
      ReachChain Full{Step};
      Full.append(Chain->begin(), Chain->end());
      Holders.emplace(S.Target, std::move(Full));
      Changed = true;
    }
    if (!Changed)
      break;
  }
}

std::optional<CallableReach>
ObjectReach::reachThroughCallable(const CallableTarget *Target, const Expr *CallbackExpr) const {
  if (Target && Target->Lambda) {
    const LambdaExpr *Lambda = Target->Lambda;
    const Stmt *Body = Lambda->getBody();
    for (const LambdaCapture &Capture : Lambda->captures()) {
      CallableReach Found;
      Found.Capture = &Capture;
      if (Capture.capturesThis()) {
        if (Capture.getCaptureKind() == LCK_StarThis)
          continue; // a copy of *this
        Found.Uses = evaluatedUses(Body, nullptr);
        if (Found.Uses.empty())
          continue;
        std::optional<ReachChain> Chain = holds(nullptr);
        if (!Chain)
          continue;
        Found.ReachKind = CallableReach::Kind::ThisCapture;
        Found.Name = "this";
        Found.Chain = std::move(*Chain);
      } else if (Capture.capturesVariable()) {
        const ValueDecl *Var = Capture.getCapturedVar();
        if (!Var)
          continue;
        Found.Uses = evaluatedUses(Body, Var);
        if (Found.Uses.empty())
          continue;
        const auto *VarDeclaration = dyn_cast<VarDecl>(Var);
        std::optional<ReachChain> Chain;
        if (VarDeclaration && VarDeclaration->isInitCapture())
          Chain = carriesImpl(VarDeclaration->getInit(), 0);
        else
          Chain = holds(Var);
        if (!Chain)
          continue;
        Found.ReachKind = CallableReach::Kind::Capture;
        Found.Name = Var->getNameAsString();
        Found.CapturedVariable = Var;
        Found.Chain = std::move(*Chain);
      } else {
        continue;
      }
      Found.Loc = Capture.isExplicit() || Found.Uses.empty() ? Capture.getLocation()
                                                             : Found.Uses.front()->getBeginLoc();
      return Found;
    }
  }
  if (Target) {
    for (const Expr *Arg : Target->StoredArguments)
      if (std::optional<ReachChain> Chain = carriesImpl(Arg, 0)) {
        CallableReach Found;
        Found.ReachKind = Target->IsBind ? CallableReach::Kind::BoundArgument
                                         : CallableReach::Kind::StoredArgument;
        Found.Name = text(strip(Arg));
        Found.Loc = Arg->getBeginLoc();
        Found.Chain = std::move(*Chain);
        return Found;
      }
    if (Target->Lambda || Target->IsBind)
      return std::nullopt;
  }
  // A function object kept in a local variable that holds the object.
  const Expr *Callback = strip(CallbackExpr);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Callback))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && Var->hasLocalStorage())
      if (std::optional<ReachChain> Chain = heldBy(Var, false)) {
        CallableReach Found;
        Found.ReachKind = CallableReach::Kind::CallableHolder;
        Found.Name = Var->getNameAsString();
        Found.CapturedVariable = Var;
        Found.Loc = Ref->getBeginLoc();
        Found.Chain = std::move(*Chain);
        return Found;
      }
  return std::nullopt;
}

} // namespace lastword::analysis
