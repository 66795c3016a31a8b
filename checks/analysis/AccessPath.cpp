//===--- AccessPath.cpp ---------------------------------------------------===//

#include "analysis/AccessPath.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ExprCXX.h"

using namespace clang;

namespace lastword::analysis {

bool AccessPath::replaces(const AccessPath &Other) const {
  if (Variable != Other.Variable || Hops.size() > Other.Hops.size())
    return false;
  for (size_t I = 0; I < Hops.size(); ++I)
    if (!Hops[I].Field || !(Hops[I] == Other.Hops[I]))
      return false;
  return true;
}

std::string AccessPath::spelling() const {
  std::string Text = Variable ? declName(*Variable) : "this";
  bool First = true;
  for (const Hop &H : Hops) {
    if (!H.Field) {
      Text += "[]";
    } else {
      bool Arrow = H.Arrow;
      if (First && Variable &&
          (Variable->getType()->isPointerType() || isPointerLike(Variable->getType())))
        Arrow = true;
      if (First && !Variable)
        Arrow = true;
      Text += (Arrow ? "->" : ".") + H.Field->getNameAsString();
    }
    First = false;
  }
  return Text;
}

static bool isPointerBase(const Expr *Base) {
  return Base && !Base->getType().isNull() && Base->getType()->isPointerType();
}

std::optional<AccessPath> accessPathOf(const Expr *E) {
  AccessPath Path;
  // Hops are found from the outside in; reversed at the end.
  llvm::SmallVector<AccessPath::Hop, 4> Outside;
  bool ThroughPointer = false;
  for (unsigned Step = 0; E && Step < 32; ++Step) {
    E = lookThrough(E);
    if (!E)
      return std::nullopt;
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      Outside.push_back({dyn_cast<FieldDecl>(Member->getMemberDecl()), Member->isArrow()});
      if (!Outside.back().Field)
        return std::nullopt;
      ThroughPointer = ThroughPointer || Member->isArrow();
      E = Member->getBase();
      continue;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      Outside.push_back({});
      ThroughPointer = ThroughPointer || isPointerBase(Subscript->getBase()->IgnoreParens());
      E = Subscript->getBase();
      continue;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() != UO_Deref)
        return std::nullopt;
      Outside.push_back({});
      ThroughPointer = true;
      E = Unary->getSubExpr();
      continue;
    }
    if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
      OverloadedOperatorKind Kind = Op->getOperator();
      if ((Kind != OO_Arrow && Kind != OO_Subscript && Kind != OO_Star) || Op->getNumArgs() < 1)
        return std::nullopt;
      // `sp->f`: the member hop is already recorded; `*sp`, `v[i]`: an element.
      if (Kind != OO_Arrow)
        Outside.push_back({});
      if (Kind != OO_Subscript)
        ThroughPointer = true;
      E = Op->getArg(0);
      continue;
    }
    if (isa<CXXThisExpr>(E)) {
      Path.Variable = nullptr;
      Path.ThroughPointer = ThroughPointer || !Outside.empty();
      Path.Hops.assign(Outside.rbegin(), Outside.rend());
      return Path;
    }
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (!Var || !Var->hasLocalStorage())
        return std::nullopt;
      Path.Variable = Var;
      if (!Outside.empty() && Var->getType()->isReferenceType())
        ThroughPointer = true;
      Path.ThroughPointer = ThroughPointer;
      Path.Hops.assign(Outside.rbegin(), Outside.rend());
      return Path;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<ObjectIdentity> identifyObject(const Expr *E) {
  // A local reference initialised with a variable is that variable.
  for (unsigned Hop = 0; Hop < 8; ++Hop) {
    E = lookThrough(E);
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E);
    const Expr *Init = Ref ? aliasedExpr(Ref->getDecl()) : nullptr;
    if (!Init)
      break;
    E = Init;
  }
  E = lookThrough(E);
  if (!E)
    return std::nullopt;
  if (isa<CXXThisExpr>(E))
    return ObjectIdentity{};
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
      ObjectIdentity Identity;
      Identity.Variable = Var;
      return Identity;
    }
    return std::nullopt;
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return std::nullopt;
    ObjectIdentity Identity;
    Identity.Hops.push_back({Field, Member->isArrow()});
    const Expr *Base = lookThroughArrow(Member->getBase());
    if (isa_and_nonnull<CXXThisExpr>(Base))
      return Identity;
    if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Base))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl())) {
        Identity.Variable = Var;
        return Identity;
      }
  }
  return std::nullopt;
}

} // namespace lastword::analysis
