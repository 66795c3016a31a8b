//===--- ReleasedFields.cpp -----------------------------------------------===//

#include "analysis/ReleasedFields.h"
#include "analysis/Budgets.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang;

namespace lastword::analysis {
namespace {

constexpr unsigned MaxDepth = limitOf(Budget::ReleaseDepth);

// Member functions that hand out what a field owns without giving it up.
bool isAccessorName(StringRef Name) {
  return Name == "data" || Name == "get" || Name == "c_str" || Name == "native_handle" ||
         Name == "handle";
}

// Standard functions mostly read their arguments; these release them.
bool isStandardRelease(StringRef Name) {
  return Name == "free" || Name == "fclose" || Name == "pclose" || Name == "close" ||
         Name == "closedir" || Name == "munmap" || Name == "destroy_at" || Name == "destroy";
}

const FunctionDecl *definitionOf(const FunctionDecl *Function) {
  const FunctionDecl *Definition = nullptr;
  if (Function && Function->hasBody(Definition) && Definition && Definition->getBody())
    return Definition;
  return nullptr;
}

// Which expressions designate the object inside one body.
struct ObjectNames {
  int Param = -1; // -1: `this`
  llvm::SmallPtrSet<const ValueDecl *, 4> Vars;

  bool designates(const Expr *E) const {
    E = lookThroughArrow(E);
    if (!E)
      return false;
    if (isa<CXXThisExpr>(E))
      return Param < 0;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
      return Vars.contains(Ref->getDecl());
    return false;
  }
};

// A getter of the object's own field: a method whose body is only
// `return field_;` (`int native_handle() const { return fd_; }`).
const FieldDecl *ownFieldReturned(const CXXMethodDecl *Method) {
  const FunctionDecl *Definition = definitionOf(Method);
  const auto *Body = Definition ? dyn_cast<CompoundStmt>(Definition->getBody()) : nullptr;
  if (!Body || Body->size() != 1)
    return nullptr;
  const auto *Return = dyn_cast<ReturnStmt>(Body->body_front());
  const Expr *Value = Return ? lookThrough(Return->getRetValue()) : nullptr;
  const auto *Member = dyn_cast_or_null<MemberExpr>(Value);
  if (!Member || !isa<CXXThisExpr>(Member->getBase()->IgnoreParenImpCasts()))
    return nullptr;
  return dyn_cast<FieldDecl>(Member->getMemberDecl());
}

// The object's field whose value (or storage, through an accessor) \p E is.
const FieldDecl *fieldRead(const Expr *E, llvm::function_ref<bool(const Expr *)> Designates) {
  for (unsigned Step = 0; E && Step < 8; ++Step) {
    E = lookThrough(E);
    if (!E)
      return nullptr;
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() != UO_AddrOf)
        return nullptr;
      E = Unary->getSubExpr();
      continue;
    }
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
      E = Subscript->getBase();
      continue;
    }
    if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E)) {
      const CXXMethodDecl *Method = Call->getMethodDecl();
      // `self->native_handle()` whose body returns `fd_`: that field.
      if (const FieldDecl *Field = ownFieldReturned(Method);
          Field && Designates(Call->getImplicitObjectArgument()))
        return Field;
      if (!Method || !isAccessorName(identifierName(Method)))
        return nullptr;
      E = Call->getImplicitObjectArgument();
      continue;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      if (!Field || !Designates(Member->getBase()))
        return nullptr;
      return Field;
    }
    return nullptr;
  }
  return nullptr;
}

// The field of the object \p ObjectVar is initialised with whose
// constructor stores \p Local in it: `auto *b = make<Blob>(mem, n)` (or
// `new Blob(mem, n)`) with `Blob(char *data, size_t n) : data_(data)`.
const FieldDecl *fieldConstructedFrom(const ValueDecl *ObjectVar, const VarDecl *Local) {
  const auto *Var = dyn_cast_or_null<VarDecl>(ObjectVar);
  const Expr *Init = Var && Var->getInit() ? lookThrough(Var->getInit()) : nullptr;
  if (!Init || !Var->getType()->isPointerType())
    return nullptr;
  llvm::SmallVector<const Expr *, 4> Args;
  if (const auto *New = dyn_cast<CXXNewExpr>(Init)) {
    if (const CXXConstructExpr *Construct = New->getConstructExpr())
      Args.append(Construct->arg_begin(), Construct->arg_end());
  } else if (const auto *Call = dyn_cast<CallExpr>(Init)) {
    Args.append(Call->arg_begin(), Call->arg_end());
  }
  unsigned Position = Args.size();
  for (unsigned I = 0; I < Args.size(); ++I) {
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(lookThrough(Args[I]));
    if (Ref && Ref->getDecl() == Local) {
      Position = I;
      break;
    }
  }
  const auto *Record = Var->getType()->getPointeeCXXRecordDecl();
  if (Position == Args.size() || !Record || !Record->hasDefinition())
    return nullptr;
  for (const CXXConstructorDecl *Constructor : Record->getDefinition()->ctors()) {
    if (Constructor->getNumParams() != Args.size() || Constructor->isCopyOrMoveConstructor())
      continue;
    const ParmVarDecl *Param = Constructor->getParamDecl(Position);
    const CXXConstructorDecl *Definition = Constructor;
    if (const FunctionDecl *D = definitionOf(Constructor))
      Definition = cast<CXXConstructorDecl>(D);
    for (const CXXCtorInitializer *Initializer : Definition->inits()) {
      const FieldDecl *Field = Initializer->getMember();
      const auto *Ref = Field && Initializer->isWritten()
                            ? dyn_cast_or_null<DeclRefExpr>(lookThrough(Initializer->getInit()))
                            : nullptr;
      if (Ref && Ref->getDecl()->getName() == Param->getName() &&
          Ref->getDecl()->getDeclContext() == Definition)
        return Field;
    }
  }
  return nullptr;
}

} // namespace

const FieldDecl *fieldPattern(const FieldDecl *Field) {
  if (!Field)
    return nullptr;
  const auto *Record = dyn_cast<CXXRecordDecl>(Field->getParent());
  if (!Record || !Field->getIdentifier())
    return Field;
  const CXXRecordDecl *Pattern = nullptr;
  if (const auto *Specialization = dyn_cast<ClassTemplateSpecializationDecl>(Record)) {
    if (ClassTemplateDecl *Template = Specialization->getSpecializedTemplate())
      Pattern = Template->getTemplatedDecl();
  } else if (const CXXRecordDecl *From = Record->getInstantiatedFromMemberClass()) {
    Pattern = From;
  }
  if (!Pattern || Pattern == Record)
    return Field;
  for (const FieldDecl *Candidate : Pattern->fields())
    if (Candidate->getIdentifier() && Candidate->getName() == Field->getName())
      return Candidate;
  return Field;
}

bool mayBeHandleType(QualType Type) {
  if (Type.isNull())
    return false;
  Type = Type.getNonReferenceType().getCanonicalType();
  if (Type->isBooleanType() || Type->isRealFloatingType() || Type->isEnumeralType())
    return false;
  return Type->isIntegerType() || Type->isPointerType() || Type->isRecordType() ||
         Type->isArrayType() || Type->isDependentType();
}

const ReleasedFields::FieldList &ReleasedFields::releasedBy(const FunctionDecl &Body,
                                                            int ObjectParam) {
  return compute(Body, ObjectParam, 0);
}

const ReleasedFields::FieldList &ReleasedFields::compute(const FunctionDecl &Function,
                                                         int ObjectParam, unsigned Depth) {
  const FunctionDecl *Body = definitionOf(&Function);
  auto Key = std::make_pair(Body ? Body : &Function, ObjectParam);
  auto Found = Memo.find(Key);
  if (Found != Memo.end())
    return Found->second;
  // Entered before the walk: a recursion finds an empty list.
  Memo.try_emplace(Key);
  FieldList Fields;
  CallList Calls;
  if (!Body || (ObjectParam >= 0 && static_cast<unsigned>(ObjectParam) >= Body->getNumParams()))
    return Memo[Key];

  ObjectNames Names;
  Names.Param = ObjectParam;
  if (ObjectParam >= 0)
    Names.Vars.insert(Body->getParamDecl(ObjectParam));
  auto Designates = [&](const Expr *E) { return Names.designates(E); };
  auto Add = [&](const FieldDecl *Field, const FunctionDecl *Via) {
    Field = fieldPattern(Field);
    if (!Field || !mayBeHandleType(Field->getType()))
      return;
    if (!llvm::is_contained(Fields, Field))
      Fields.push_back(Field);
    Via = canonicalCallee(Via);
    if (!llvm::any_of(Calls,
                      [&](const ReleaseCall &C) { return C.Field == Field && C.Via == Via; }))
      Calls.push_back({Field, Via});
  };
  auto Follow = [&](const FunctionDecl *Callee, int Param) {
    if (Depth + 1 >= MaxDepth) {
      budgetReached(Budget::ReleaseDepth);
      return;
    }
    const FunctionDecl *Definition = definitionOf(Callee);
    if (!Definition ||
        isInSystemCode(Definition->getLocation(), Definition->getASTContext().getSourceManager()))
      return;
    compute(*Definition, Param, Depth + 1);
    CallList Inner = CallMemo.lookup(std::make_pair(Definition, Param));
    for (const ReleaseCall &C : Inner)
      Add(C.Field, C.Via);
  };
  auto Arguments = [&](const FunctionDecl *Callee, llvm::ArrayRef<const Expr *> Args) {
    bool Releases = true;
    if (Callee) {
      if (Callee->isVariadic())
        Releases = false;
      else if (Callee->isInStdNamespace() && !isStandardRelease(identifierName(Callee)))
        Releases = false;
    }
    for (unsigned I = 0; I < Args.size(); ++I) {
      if (!Args[I])
        continue;
      if (Designates(Args[I])) {
        if (Callee && I < Callee->getNumParams())
          Follow(Callee, static_cast<int>(I));
        continue;
      }
      if (!Releases)
        continue;
      if (const FieldDecl *Field = fieldRead(Args[I], Designates))
        Add(Field, Callee);
    }
  };

  visitStmts(Body->getBody(), [&](const Stmt &S) {
    if (const auto *Decls = dyn_cast<DeclStmt>(&S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (const Expr *Init = Var->getInit(); Init && Designates(Init))
            Names.Vars.insert(Var);
      return true;
    }
    if (const auto *Delete = dyn_cast<CXXDeleteExpr>(&S)) {
      if (const FieldDecl *Field = fieldRead(Delete->getArgument(), Designates))
        Add(Field, nullptr);
      return true;
    }
    if (isa<CXXOperatorCallExpr>(&S))
      return true;
    if (const auto *MemberCall = dyn_cast<CXXMemberCallExpr>(&S)) {
      const CXXMethodDecl *Method = MemberCall->getMethodDecl();
      const Expr *Object = MemberCall->getImplicitObjectArgument();
      if (Method && Object) {
        if (Designates(Object)) {
          Follow(Method, -1);
        } else if (const auto *Member = dyn_cast<MemberExpr>(lookThrough(Object))) {
          // `self->sock.close()`, `self->native->shutdown()`.
          const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
          if (Field && Designates(Member->getBase()) && !Method->isConst() &&
              !isAccessorName(identifierName(Method)))
            Add(Field, Method);
        }
      }
      llvm::SmallVector<const Expr *, 4> Args(MemberCall->arguments());
      Arguments(Method, Args);
      return true;
    }
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      llvm::SmallVector<const Expr *, 4> Args(Call->arguments());
      Arguments(Call->getDirectCallee(), Args);
      return true;
    }
    return true;
  });
  CallMemo[Key] = std::move(Calls);
  FieldList &Slot = Memo[Key];
  Slot = std::move(Fields);
  return Slot;
}

const ReleasedFields::CallList &ReleasedFields::releaseCallsOf(const FunctionDecl &Function,
                                                               int ObjectParam) {
  compute(Function, ObjectParam, 0);
  const FunctionDecl *Body = definitionOf(&Function);
  return CallMemo[std::make_pair(Body ? Body : &Function, ObjectParam)];
}

const FunctionDecl *ReleasedFields::canonicalCallee(const FunctionDecl *Function) {
  if (!Function)
    return nullptr;
  if (const FunctionDecl *Pattern = Function->getTemplateInstantiationPattern())
    Function = Pattern;
  return Function->getCanonicalDecl();
}

llvm::SmallVector<const FunctionDecl *, 2>
ReleasedFields::callsTakingParameter(const FunctionDecl &Callable, unsigned Param) {
  llvm::SmallVector<const FunctionDecl *, 2> Found;
  const FunctionDecl *Body = definitionOf(&Callable);
  if (!Body || Param >= Body->getNumParams())
    return Found;
  const ParmVarDecl *Parameter = Body->getParamDecl(Param);
  auto Add = [&](const FunctionDecl *F) {
    F = canonicalCallee(F);
    if (!llvm::is_contained(Found, F))
      Found.push_back(F);
  };
  visitStmts(Body->getBody(), [&](const Stmt &S) {
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      if (const FunctionDecl *Callee = Call->getDirectCallee())
        for (const Expr *Arg : Call->arguments())
          if (refersTo(Arg, Parameter))
            Add(Callee);
    } else if (const auto *Delete = dyn_cast<CXXDeleteExpr>(&S)) {
      if (refersTo(Delete->getArgument(), Parameter))
        Add(nullptr);
    }
    return true;
  });
  return Found;
}

const FieldDecl *ReleasedFields::fieldPassedAs(const Expr *Argument, const Expr *Object,
                                               const FunctionDecl *Registering) {
  if (!Argument || !Object)
    return nullptr;
  const Expr *ObjectExpr = lookThroughArrow(Object);
  const ValueDecl *ObjectVar = nullptr;
  bool IsThis = isa_and_nonnull<CXXThisExpr>(ObjectExpr);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(ObjectExpr))
    ObjectVar = Ref->getDecl();
  if (!IsThis && !ObjectVar)
    return nullptr;
  auto Designates = [&](const Expr *E) {
    E = lookThroughArrow(E);
    if (!E)
      return false;
    if (isa<CXXThisExpr>(E))
      return IsThis;
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    return Ref && ObjectVar && Ref->getDecl() == ObjectVar;
  };
  if (const FieldDecl *Field = fieldRead(Argument, Designates))
    return fieldPattern(Field);
  const auto *Ref = dyn_cast_or_null<DeclRefExpr>(lookThrough(Argument));
  const auto *Local = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
  if (!Local || !Local->hasLocalStorage())
    return nullptr;
  if (const Expr *Init = Local->getInit())
    if (const FieldDecl *Field = fieldRead(Init, Designates))
      return fieldPattern(Field);
  if (const FieldDecl *Field = fieldConstructedFrom(ObjectVar, Local))
    return fieldPattern(Field);
  if (!Registering || !Registering->getBody())
    return nullptr;
  const FieldDecl *Stored = nullptr;
  visitStmts(Registering->getBody(), [&](const Stmt &S) {
    if (Stored)
      return false;
    const auto *Assign = dyn_cast<BinaryOperator>(&S);
    if (!Assign || Assign->getOpcode() != BO_Assign || !refersTo(Assign->getRHS(), Local))
      return true;
    if (const auto *Member = dyn_cast<MemberExpr>(Assign->getLHS()->IgnoreParenImpCasts()))
      if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl()))
        if (Designates(Member->getBase()))
          Stored = Field;
    return true;
  });
  return fieldPattern(Stored);
}

} // namespace lastword::analysis
