//===--- CalleeSummaries.cpp ----------------------------------------------===//

#include "analysis/CalleeSummaries.h"
#include "analysis/AccessPath.h"
#include "analysis/Budgets.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

using namespace clang;

namespace lastword::analysis {
namespace {

bool isReservedName(StringRef Name) {
  return Name.size() >= 2 && Name[0] == '_' &&
         (Name[1] == '_' || isupper(static_cast<unsigned char>(Name[1])));
}

bool isStdMember(const CXXMethodDecl &Method) {
  const CXXRecordDecl *Record = Method.getParent();
  return Record && Record->isInStdNamespace() && Method.getIdentifier();
}

const FieldDecl *computeFieldStoringParameter(const FunctionDecl &Method, unsigned Param) {
  const FunctionDecl *Definition = nullptr;
  if (!Method.hasBody(Definition) || !Definition || Param >= Definition->getNumParams())
    return nullptr;
  const ParmVarDecl *Parm = Definition->getParamDecl(Param);
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(Definition))
    for (const CXXCtorInitializer *Init : Ctor->inits()) {
      if (!Init->isMemberInitializer() || !Init->isWritten())
        continue;
      const Expr *Value = Init->getInit();
      if (const auto *List =
              dyn_cast_or_null<InitListExpr>(Value ? Value->IgnoreImplicit() : nullptr))
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
      if (std::optional<AccessPath> Target = accessPathOf(Lhs))
        if (Target->isThis() && Target->firstField())
          Found = Target->firstField();
    for (const Stmt *Child : S->children())
      Work.push_back(Child);
  }
  return Found;
}

bool computeConstructorOnlyReads(const CXXConstructorDecl *Ctor, unsigned Index) {
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
  unsigned Steps = limitOf(Budget::ConstructorSteps);
  for (const Stmt *Root : Roots)
    visitStmts(Root, [&](const Stmt &S) {
      if (Escapes)
        return false;
      if (Steps == 0) {
        budgetReached(Budget::ConstructorSteps);
        Escapes = true;
        return false;
      }
      --Steps;
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

const FieldDecl *CalleeSummaries::fieldStoringParameter(const FunctionDecl &Method,
                                                        unsigned Param) {
  auto Key = std::make_pair(Method.getCanonicalDecl(), Param);
  auto It = Stored.find(Key);
  if (It != Stored.end())
    return It->second;
  const FieldDecl *Field = computeFieldStoringParameter(Method, Param);
  // A name reserved to the implementation (`_M_str`) means nothing to the
  // user: the field is then not named.
  if (Field && isReservedName(identifierName(Field)))
    Field = nullptr;
  Stored[Key] = Field;
  return Field;
}

bool CalleeSummaries::constructorOnlyReads(const CXXConstructorDecl *Ctor, unsigned Index) {
  if (!Ctor)
    return false;
  auto Key = std::make_pair(Ctor, Index);
  auto It = ReadsOnly.find(Key);
  if (It != ReadsOnly.end())
    return It->second;
  bool Result = computeConstructorOnlyReads(Ctor, Index);
  ReadsOnly[Key] = Result;
  return Result;
}

const CXXRecordDecl *builtRecord(const CallExpr &Call) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee)
    return nullptr;
  const TemplateArgumentList *Args = Callee->getTemplateSpecializationArgs();
  if (!Args || Args->size() == 0 || Args->get(0).getKind() != TemplateArgument::Type)
    return nullptr;
  return Args->get(0).getAsType()->getAsCXXRecordDecl();
}

const CXXConstructorDecl *onlyConstructorTaking(const CXXRecordDecl *Record, unsigned Arguments) {
  if (!Record || !Record->hasDefinition())
    return nullptr;
  const CXXConstructorDecl *Only = nullptr;
  unsigned Count = 0;
  for (const CXXConstructorDecl *Ctor : Record->ctors())
    if (!Ctor->isCopyOrMoveConstructor() && Ctor->getNumParams() == Arguments) {
      Only = Ctor;
      ++Count;
    }
  return Count == 1 ? Only : nullptr;
}

bool isStdInserter(const CXXMethodDecl &Method) {
  static const llvm::StringSet<> Names = {
      "push_back",        "emplace_back",  "push_front",   "emplace_front",
      "insert",           "emplace",       "emplace_hint", "push",
      "insert_or_assign", "try_emplace",   "assign",       "push_heap",
      "insert_after",     "emplace_after", "resize",       "insert_range",
      "append_range",     "prepend_range", "assign_range", "splice",
      "splice_after",     "merge",         "reset",        "swap"};
  return isStdMember(Method) && Names.contains(identifierName(&Method));
}

bool isStdClearer(const CXXMemberCallExpr &Call) {
  const CXXMethodDecl *Method = Call.getMethodDecl();
  if (!Method || !isStdMember(*Method))
    return false;
  StringRef Name = identifierName(Method);
  return Name == "clear" || (Name == "reset" && Call.getNumArgs() == 0);
}

bool isStdElementAccess(const CXXMethodDecl &Method) {
  static const llvm::StringSet<> Names = {
      "at",          "front",       "back",        "top",      "get",     "value",  "data",
      "begin",       "end",         "cbegin",      "cend",     "rbegin",  "rend",   "find",
      "lower_bound", "upper_bound", "equal_range", "value_or", "release", "extract"};
  return isStdMember(Method) &&
         (Method.getOverloadedOperator() == OO_Star || Names.contains(identifierName(&Method)));
}

} // namespace lastword::analysis
