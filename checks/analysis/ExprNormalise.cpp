//===--- ExprNormalise.cpp ------------------------------------------------===//

#include "analysis/ExprNormalise.h"
#include "analysis/ApiCalls.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"

using namespace clang;

namespace lastword::analysis {

const Expr *lookThrough(const Expr *E) {
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
      if (Callee && ApiProfile::objectStartFunctions().matches(*Callee))
        E = Call->getArg(0);
    }
    if (E == Before)
      break;
  }
  return E;
}

const FieldDecl *fieldReturnedBy(const FunctionDecl *Function) {
  const auto *Method = dyn_cast_or_null<CXXMethodDecl>(Function);
  const FunctionDecl *Definition = nullptr;
  if (!Method || Method->isStatic() || !Method->hasBody(Definition) || !Definition)
    return nullptr;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Definition->getBody());
  if (!Body || Body->size() != 1)
    return nullptr;
  const auto *Return = dyn_cast<ReturnStmt>(Body->body_front());
  if (!Return || !Return->getRetValue())
    return nullptr;
  const auto *Member = dyn_cast<MemberExpr>(lookThrough(Return->getRetValue()));
  if (!Member || !isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return dyn_cast<FieldDecl>(Member->getMemberDecl());
}

const Expr *lookThroughArrow(const Expr *E) {
  for (unsigned Step = 0; E && Step < 32; ++Step) {
    const Expr *Before = E;
    E = lookThrough(E);
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
    E = lookThrough(E);
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

const Expr *aliasedExpr(const ValueDecl *Decl) {
  const auto *Var = dyn_cast_or_null<VarDecl>(Decl);
  if (!Var || isa<ParmVarDecl>(Var) || !Var->hasLocalStorage() ||
      !Var->getType()->isReferenceType() || !Var->getInit())
    return nullptr;
  const Expr *Init = lookThrough(Var->getInit());
  if (isa_and_nonnull<DeclRefExpr>(Init) || isa_and_nonnull<MemberExpr>(Init))
    return Init;
  return nullptr;
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

bool mayHoldObject(QualType Type) {
  if (Type.isNull())
    return false;
  Type = Type.getNonReferenceType();
  return Type->isPointerType() || Type->isRecordType() || Type->isArrayType() ||
         Type->isDependentType() || Type->isIntegerType();
}

} // namespace lastword::analysis
