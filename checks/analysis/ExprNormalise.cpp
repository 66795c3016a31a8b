//===--- ExprNormalise.cpp ------------------------------------------------===//

#include "analysis/ExprNormalise.h"
#include "analysis/ApiCalls.h"
#include "analysis/Budgets.h"
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

namespace {

bool relatedClass(const CXXRecordDecl &A, const CXXRecordDecl &B) {
  const CXXRecordDecl *X = A.getDefinition(), *Y = B.getDefinition();
  if (!X || !Y)
    return true;
  return X == Y || X->isDerivedFrom(Y) || Y->isDerivedFrom(X);
}

bool mayReachRecordAt(QualType Type, const CXXRecordDecl &Target, unsigned Depth,
                      llvm::SmallPtrSetImpl<const CXXRecordDecl *> &Seen) {
  if (Type.isNull())
    return false;
  if (Depth > limitOf(Budget::TypeDepth)) {
    budgetReached(Budget::TypeDepth);
    return true;
  }
  Type = Type.getNonReferenceType().getCanonicalType();
  if (Type->isDependentType() || Type->isFunctionType() || Type->isVoidType())
    return true;
  if (Type->isPointerType() || Type->isMemberPointerType())
    return mayReachRecordAt(Type->getPointeeType(), Target, Depth + 1, Seen);
  if (const ArrayType *Array = Type->getAsArrayTypeUnsafe())
    return mayReachRecordAt(Array->getElementType(), Target, Depth + 1, Seen);
  const CXXRecordDecl *Record = Type->getAsCXXRecordDecl();
  if (!Record)
    return !Type->isArithmeticType() && !Type->isEnumeralType();
  if (relatedClass(*Record, Target))
    return true;
  const CXXRecordDecl *Definition = Record->getDefinition();
  if (!Definition || Definition->isLambda())
    return true;
  if (!Seen.insert(Definition).second)
    return false;
  if (const auto *Specialization = dyn_cast<ClassTemplateSpecializationDecl>(Definition))
    for (const TemplateArgument &Arg : Specialization->getTemplateArgs().asArray())
      if (Arg.getKind() == TemplateArgument::Type &&
          mayReachRecordAt(Arg.getAsType(), Target, Depth + 1, Seen))
        return true;
  // A standard class is judged by its arguments (std::shared_ptr<T>,
  // std::vector<T>), not by its internals.
  if (Definition->isInStdNamespace())
    return !isa<ClassTemplateSpecializationDecl>(Definition) && Definition->getIdentifier() &&
           Definition->getIdentifier()->getName() == "any";
  for (const FieldDecl *Field : Definition->fields())
    if (mayReachRecordAt(Field->getType(), Target, Depth + 1, Seen))
      return true;
  for (const CXXBaseSpecifier &Base : Definition->bases())
    if (mayReachRecordAt(Base.getType(), Target, Depth + 1, Seen))
      return true;
  return false;
}

} // namespace

bool mayReachRecord(QualType Type, const CXXRecordDecl &Target) {
  llvm::SmallPtrSet<const CXXRecordDecl *, 8> Seen;
  return mayReachRecordAt(Type, Target, 0, Seen);
}

} // namespace lastword::analysis
