//===--- FinalizerOrderCheck.cpp - gc-finalizer-order ---------------------===//

#include "gc/FinalizerOrderCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/CollectedTypes.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "analysis/TracedFields.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

constexpr unsigned MaxCallDepth = 3;

/// One field followed from the finalized object towards another object.
struct Hop {
  const FieldDecl *Field = nullptr;
  const RecordDecl *Target = nullptr;
  bool Traced = true;      ///< the collector sees this edge
  bool NeedsIndex = false; ///< an array or container: its elements are the targets
  bool Reference = false;  ///< a reference field: `.` already reaches the target
};
using Chain = llvm::SmallVector<Hop, 4>;

enum class Reach { None, Object, Field };

struct Finding {
  const Expr *Access = nullptr;  ///< where the other object is used
  const Expr *Pointer = nullptr; ///< the expression that leads to it
  Chain Hops;
  const RecordDecl *Target = nullptr;
  llvm::SmallVector<const Expr *, 3> Calls; ///< helper calls on the way
};

// A member wrapper of the profile held directly (not in an array or a
// container): MemberTypes, WeakMemberTypes, UntracedMemberTypes.
FieldHandle memberHandle(CollectedTypes &Types, QualType Type) {
  FieldHandle Handle = Types.classifyTypeByDeclaration(Type);
  bool Member = Handle.Kind == HandleKind::Member || Handle.Kind == HandleKind::WeakMember ||
                Handle.Kind == HandleKind::UntracedMember;
  if (!Member || Handle.InArray || Handle.Container)
    return FieldHandle();
  return Handle;
}

// The record a field of type \p Type points to, and how.
bool hopOf(const FieldDecl &Field, CollectedTypes &Types, Hop &Out) {
  QualType Type = Field.getType();
  bool Precise = tracesPrecisely(Types.profile());
  Out = Hop();
  Out.Field = &Field;
  if (Type->isReferenceType()) {
    Out.Reference = true;
    Out.Traced = !Precise;
    Out.Target = Type.getNonReferenceType()->getAsRecordDecl();
    return Out.Target != nullptr;
  }
  auto PointerTarget = [&](QualType Element, bool &Traced) -> const RecordDecl * {
    if (Element->isPointerType()) {
      Traced = !Precise; // a conservative collector sees raw pointers
      return Element->getPointeeType()->getAsRecordDecl();
    }
    if (FieldHandle Member = memberHandle(Types, Element)) {
      Traced = Member.Kind != HandleKind::UntracedMember;
      return Member.Pointee;
    }
    return nullptr;
  };
  if (const RecordDecl *Target = PointerTarget(Type, Out.Traced)) {
    Out.Target = Target;
    return true;
  }
  // Arrays and standard containers of pointers or members.
  QualType Element;
  if (const auto *Array = dyn_cast<ArrayType>(Type->getUnqualifiedDesugaredType()))
    Element = Array->getElementType();
  else if (const auto *Record = Type->getAsCXXRecordDecl())
    if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
      if (Spec->isInStdNamespace() && Spec->getTemplateArgs().size() >= 1 &&
          Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
        Element = Spec->getTemplateArgs()[0].getAsType();
  if (Element.isNull())
    return false;
  Out.NeedsIndex = true;
  Out.Target = PointerTarget(Element, Out.Traced);
  return Out.Target != nullptr;
}

bool isMemberAccessor(const CXXMethodDecl *Method) {
  return Method && (isa<CXXConversionDecl>(Method) || hasName(Method, "get"));
}

class OrderWalk {
public:
  OrderWalk(CollectedTypes &Types, llvm::function_ref<bool(const RecordDecl *)> IsFinalizable)
      : Types(Types), Profile(Types.profile()), IsFinalizable(IsFinalizable) {}

  struct Frame {
    llvm::SmallPtrSet<const VarDecl *, 4> Roots;
    llvm::DenseMap<const VarDecl *, Chain> Aliases;
    bool ThisIsObject = false;
  };

  void walkFunction(const FunctionDecl *Function, Frame Scope) {
    if (!Function || CallPath.size() > MaxCallDepth)
      return;
    const FunctionDecl *Definition = Function->getDefinition();
    if (!Definition || !Definition->hasBody() || !Visited.insert(Definition).second)
      return;
    Frame Saved = std::move(Current);
    Current = std::move(Scope);
    walk(Definition->getBody(), 0);
    Current = std::move(Saved);
  }

  std::vector<Finding> Findings;

private:
  static const Expr *strip(const Expr *E) {
    while (E) {
      E = E->IgnoreParenImpCasts();
      if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E)) {
        E = Cast->getSubExpr();
        continue;
      }
      if (const auto *Call = dyn_cast<CXXMemberCallExpr>(E))
        if (isMemberAccessor(Call->getMethodDecl()) &&
            !isa<CXXThisExpr>(Call->getImplicitObjectArgument()->IgnoreParenImpCasts())) {
          E = Call->getImplicitObjectArgument();
          continue;
        }
      if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
        if (Op->getOperator() == OO_Arrow && Op->getNumArgs() == 1) {
          E = Op->getArg(0);
          continue;
        }
      break;
    }
    return E;
  }

  // Does \p E designate the finalized object, or a pointer loaded through
  // its fields (\p Out: the fields followed)?
  Reach reach(const Expr *E, Chain &Out, unsigned Depth = 0) {
    E = strip(E);
    if (!E || Depth > 8)
      return Reach::None;
    if (isa<CXXThisExpr>(E))
      return Current.ThisIsObject ? Reach::Object : Reach::None;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
      const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
      if (!Var)
        return Reach::None;
      if (Current.Roots.contains(Var))
        return Reach::Object;
      auto Alias = Current.Aliases.find(Var);
      if (Alias != Current.Aliases.end()) {
        Out = Alias->second;
        return Reach::Field;
      }
      return Reach::None;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
      if (Unary->getOpcode() == UO_Deref || Unary->getOpcode() == UO_AddrOf) {
        Reach Inner = reach(Unary->getSubExpr(), Out, Depth + 1);
        return Inner == Reach::Object ? Inner : Reach::None;
      }
      return Reach::None;
    }
    const Expr *IndexBase = nullptr;
    if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
      IndexBase = Subscript->getBase();
    else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E))
      if (Op->getOperator() == OO_Subscript && Op->getNumArgs() >= 1)
        IndexBase = Op->getArg(0);
    if (IndexBase) {
      Reach Inner = reach(IndexBase, Out, Depth + 1);
      if (Inner != Reach::Field || Out.empty() || !Out.back().NeedsIndex)
        return Reach::None;
      Out.back().NeedsIndex = false;
      return Reach::Field;
    }
    // A field, or a getter returning one (`self->owner()` returning owner_).
    const FieldDecl *Field = nullptr;
    const Expr *Holder = nullptr;
    if (const auto *Member = dyn_cast<MemberExpr>(E)) {
      Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
      Holder = Member->getBase();
    } else if (const auto *Getter = dyn_cast<CXXMemberCallExpr>(E)) {
      Field = fieldReturnedBy(Getter->getMethodDecl());
      Holder = Getter->getImplicitObjectArgument();
    }
    if (!Field || !Holder)
      return Reach::None;
    Reach Base = reach(Holder, Out, Depth + 1);
    if (Base == Reach::None || (Base == Reach::Field && Out.back().NeedsIndex))
      return Reach::None;
    Hop Next;
    if (hopOf(*Field, Types, Next)) {
      Out.push_back(Next);
      return Reach::Field;
    }
    // A struct held by value inside the object: still the object's memory.
    if (Base == Reach::Object && Field->getType()->isRecordType() &&
        !memberHandle(Types, Field->getType()))
      return Reach::Object;
    return Reach::None;
  }

  // \p Pointer is used at \p Access: report when it leads to a finalizable object.
  void touched(const Expr *Pointer, const Expr *Access) {
    Chain Hops;
    if (reach(Pointer, Hops) != Reach::Field || Hops.empty() || Hops.back().NeedsIndex)
      return;
    const RecordDecl *Target = Hops.back().Target;
    if (!IsFinalizable(Target))
      return;
    Finding Found;
    Found.Access = Access;
    Found.Pointer = Pointer;
    Found.Hops = Hops;
    Found.Target = Target;
    Found.Calls = CallPath;
    Findings.push_back(std::move(Found));
  }

  // Does \p Function use the object its parameter \p Index points to?
  bool usesParameter(const FunctionDecl *Function, unsigned Index) const {
    const FunctionDecl *Definition = Function ? Function->getDefinition() : nullptr;
    if (!Definition || !Definition->hasBody())
      return true; // not visible: assume it does
    if (Index >= Definition->getNumParams())
      return false;
    const ParmVarDecl *Param = Definition->getParamDecl(Index);
    bool Uses = false;
    visitStmts(Definition->getBody(), [&](const Stmt &S) {
      if (Uses)
        return false;
      const Expr *Base = nullptr;
      if (const auto *Member = dyn_cast<MemberExpr>(&S))
        Base = Member->getBase();
      else if (const auto *Unary = dyn_cast<UnaryOperator>(&S);
               Unary && Unary->getOpcode() == UO_Deref)
        Base = Unary->getSubExpr();
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(&S);
               Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
               Op->getNumArgs())
        Base = Op->getArg(0);
      if (Base)
        if (const auto *Ref = dyn_cast<DeclRefExpr>(strip(Base)))
          Uses = Ref->getDecl() == Param;
      return true;
    });
    return Uses;
  }

  void walkCall(const CallExpr &Call) {
    const FunctionDecl *Callee = Call.getDirectCallee();
    if (Callee && classifyCall(Call, Profile))
      return; // keep_alive(p->peer), set_finalizer(p->peer, nullptr): no use
    if (isa<CXXOperatorCallExpr>(Call))
      return;
    // A helper called on the object itself, or handed the object.
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&Call)) {
      Chain Ignored;
      if (reach(Member->getImplicitObjectArgument(), Ignored) == Reach::Object) {
        Frame Scope;
        Scope.ThisIsObject = true;
        CallPath.push_back(&Call);
        walkFunction(Member->getMethodDecl(), std::move(Scope));
        CallPath.pop_back();
      }
    }
    if (!Callee)
      return;
    unsigned First = isa<CXXMemberCallExpr>(Call) ? 0 : 0;
    for (unsigned I = First; I < Call.getNumArgs(); ++I) {
      const Expr *Arg = Call.getArg(I);
      Chain Hops;
      Reach R = reach(Arg, Hops);
      if (R == Reach::None)
        continue;
      if (I >= Callee->getNumParams())
        continue; // printf("%p", p): variadic, only printed
      QualType ParamType = Callee->getParamDecl(I)->getType();
      if (ParamType->isPointerType() && ParamType->getPointeeType()->isVoidType())
        continue;
      if (R == Reach::Object) {
        Frame Scope;
        Scope.Roots.insert(Callee->getParamDecl(I));
        if (const FunctionDecl *Definition = Callee->getDefinition())
          if (I < Definition->getNumParams()) {
            Scope.Roots.clear();
            Scope.Roots.insert(Definition->getParamDecl(I));
          }
        CallPath.push_back(&Call);
        walkFunction(Callee, std::move(Scope));
        CallPath.pop_back();
        continue;
      }
      if (usesParameter(Callee, I))
        touched(Arg, &Call);
    }
  }

  void walk(const Stmt *S, unsigned Depth) {
    if (!S || Depth > 200)
      return;
    if (const auto *Member = dyn_cast<MemberExpr>(S)) {
      const Expr *Base = Member->getBase()->IgnoreParenImpCasts();
      bool Deref = false;
      if (const auto *Unary = dyn_cast<UnaryOperator>(Base);
          Unary && Unary->getOpcode() == UO_Deref) {
        Base = Unary->getSubExpr();
        Deref = true;
      } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Base);
                 Op && Op->getOperator() == OO_Star && Op->getNumArgs() == 1) {
        Base = Op->getArg(0);
        Deref = true;
      }
      if (const auto *Arrow = dyn_cast<CXXOperatorCallExpr>(Base->IgnoreParenImpCasts());
          Arrow && Arrow->getOperator() == OO_Arrow && Arrow->getNumArgs() == 1)
        Base = Arrow->getArg(0);
      if (Member->isArrow() || Deref) {
        touched(Base, Member);
      } else {
        Chain Hops;
        if (reach(Base, Hops) == Reach::Field && !Hops.empty() && Hops.back().Reference)
          touched(Base, Member);
      }
    } else if (const auto *Unary = dyn_cast<UnaryOperator>(S)) {
      if (Unary->getOpcode() == UO_Deref)
        touched(Unary->getSubExpr(), Unary);
    } else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(S)) {
      if (Op->getOperator() == OO_Star && Op->getNumArgs() == 1)
        touched(Op->getArg(0), Op);
    } else if (const auto *Call = dyn_cast<CallExpr>(S)) {
      walkCall(*Call);
    } else if (const auto *Decls = dyn_cast<DeclStmt>(S)) {
      for (const Decl *D : Decls->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D); Var && Var->getInit()) {
          Chain Hops;
          Reach R = reach(Var->getInit(), Hops);
          if (R == Reach::Object &&
              (Var->getType()->isPointerType() || Var->getType()->isReferenceType()))
            Current.Roots.insert(Var);
          else if (R == Reach::Field)
            Current.Aliases[Var] = Hops;
        }
    } else if (const auto *Range = dyn_cast<CXXForRangeStmt>(S)) {
      Chain Hops;
      if (Range->getLoopVariable() && reach(Range->getRangeInit(), Hops) == Reach::Field &&
          !Hops.empty() && Hops.back().NeedsIndex) {
        Hops.back().NeedsIndex = false;
        Current.Aliases[Range->getLoopVariable()] = Hops;
      }
      walk(Range->getRangeInit(), Depth + 1);
      walk(Range->getBody(), Depth + 1);
      return;
    }
    for (const Stmt *Child : S->children())
      walk(Child, Depth + 1);
  }

  CollectedTypes &Types;
  const ApiProfile &Profile;
  llvm::function_ref<bool(const RecordDecl *)> IsFinalizable;
  Frame Current;
  llvm::SmallVector<const Expr *, 3> CallPath;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Visited;
};

std::string sourceText(const Expr &E, const ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  CharSourceRange Range =
      CharSourceRange::getTokenRange(SM.getFileLoc(E.getBeginLoc()), SM.getFileLoc(E.getEndLoc()));
  std::string Text = Lexer::getSourceText(Range, SM, Context.getLangOpts()).str();
  if (Text.empty() || Text.size() > 60 || StringRef(Text).contains('\n'))
    return "";
  return Text;
}

} // namespace

FinalizerOrderCheck::FinalizerOrderCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context) {}

void FinalizerOrderCheck::registerMatchers(MatchFinder *Finder) {
  // One matcher for finalizer and cleanup registrations: every call of the
  // translation unit is tested once.
  const ApiRole Registrations[] = {ApiRole::Finalizer, ApiRole::Cleanup};
  Finder->addMatcher(
      callExpr(apiCallTo(Profile, Registrations), unless(isExpansionInSystemHeader()))
          .bind("registration"),
      this);
  if (Profile.readsBoehmCpp()) {
    Finder->addMatcher(cxxNewExpr(unless(isExpansionInSystemHeader())).bind(FinalizerNewId), this);
    Finder->addMatcher(cleanupClassMatcher(), this);
  }
}

void FinalizerOrderCheck::noteRegistration(const Expr *Object, SourceLocation At, bool Cleanup,
                                           bool Unordered) {
  const RecordDecl *Record = registeredRecord(Object);
  if (!Record)
    return;
  Record = cast<RecordDecl>(Record->getCanonicalDecl());
  auto [Entry, Inserted] = Finalizable.try_emplace(Record);
  if (Inserted || (Entry->second.Cleanup && !Cleanup)) {
    Entry->second.RegisteredAt = At;
    Entry->second.Type = Record;
    Entry->second.Cleanup = Cleanup;
  }
  Entry->second.Unordered |= Unordered;
}

void FinalizerOrderCheck::check(const MatchFinder::MatchResult &Result) {
  if (Excluded.excludesMainFile(*Result.SourceManager))
    return;
  bool Unordered = false;
  const RecordDecl *ObjectType = nullptr;
  std::vector<FinalizerBody> Bodies;
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("registration")) {
    std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Cleanup);
    if (!Api)
      Api = classifyCall(*Call, Profile, ApiRole::Finalizer);
    if (!Api)
      return;
    // A helper registering on its parameter what its callers hand it: its
    // calls are the registrations (judged at the end of the translation unit).
    if (!registeredRecord(Api->Object) ||
        (Api->Callback && findFinalizerBodies(*Api, FinalizerSource::Registration).empty()))
      if (std::optional<RegistrationWrapper> Wrapper = registrationWrapperOf(*Api))
        Wrappers.push_back(std::move(*Wrapper));
    registered(*Api, *Result.SourceManager);
    return;
  }
  if (const auto *New = Result.Nodes.getNodeAs<CXXNewExpr>(FinalizerNewId)) {
    if (!classifyBoehmNew(*New, Profile))
      return;
    Bodies = findFinalizerBodies(*New, Profile);
    if (const RecordDecl *Allocated = New->getAllocatedType()->getAsRecordDecl()) {
      ObjectType = Allocated;
      Finalizable.try_emplace(cast<RecordDecl>(Allocated->getCanonicalDecl()),
                              Release{New->getBeginLoc(), Allocated});
    }
  } else if (const auto *Record = Result.Nodes.getNodeAs<CXXRecordDecl>(CleanupClassId)) {
    if (!isBoehmCleanupClass(*Record, Profile))
      return;
    ObjectType = Record;
    Finalizable.try_emplace(Record->getCanonicalDecl(), Release{Record->getLocation(), Record});
    Bodies = findFinalizerBodies(*Record, Profile);
  }
  for (FinalizerBody &Body : Bodies)
    pend(std::move(Body), ObjectType, Unordered, *Result.SourceManager);
}

void FinalizerOrderCheck::registered(const ApiCall &Api, const SourceManager &SM) {
  if (Api.Role == ApiRole::Cleanup) {
    noteRegistration(Api.Object, Api.Call->getBeginLoc(), true, false);
    return;
  }
  if (Api.Unregisters)
    return;
  bool Unordered = Api.Function && StringRef(Api.Function->Name).contains("no_order");
  const RecordDecl *ObjectType = registeredRecord(Api.Object);
  noteRegistration(Api.Object, Api.Call->getBeginLoc(), false, Unordered);
  for (FinalizerBody &Body : findFinalizerBodies(Api, FinalizerSource::Registration))
    pend(std::move(Body), ObjectType, Unordered, SM);
}

void FinalizerOrderCheck::pend(FinalizerBody Body, const RecordDecl *ObjectType, bool Unordered,
                               const SourceManager &SM) {
  if (!Body.Body)
    return;
  // A generic lambda: judge the operator() its registration instantiated.
  if (const FunctionTemplateDecl *Generic = Body.Body->getDescribedFunctionTemplate()) {
    for (const FunctionDecl *Instance : Generic->specializations())
      if (!Instance->isDependentContext() && Instance->hasBody()) {
        FinalizerBody Copy = Body;
        Copy.Body = Instance;
        Finalizers.push_back({std::move(Copy), ObjectType, Unordered});
      }
    return;
  }
  if (Body.Body->isDependentContext())
    return;
  if (isInSystemCode(Body.Body->getLocation(), SM))
    return;
  Finalizers.push_back({std::move(Body), ObjectType, Unordered});
}

void FinalizerOrderCheck::onEndOfTranslationUnit() {
  if (!Wrappers.empty()) {
    ASTContext &Context = Wrappers.front().Function->getASTContext();
    for (const ApiCall &Api : registrationsThroughWrappers(Context, std::move(Wrappers)))
      registered(Api, Context.getSourceManager());
    Wrappers.clear();
  }
  for (const Pending &Finalizer : Finalizers)
    judge(Finalizer);
  Finalizers.clear();
  Finalizable.clear();
}

void FinalizerOrderCheck::judge(const Pending &Finalizer) {
  const FunctionDecl *Body = Finalizer.Body.Body;
  SourceLocation Identity = finalizerIdentity(*Body);
  if (Identity.isValid() && !Judged.insert(Identity).second)
    return;
  auto ReleaseOf = [&](const RecordDecl *Record) -> const Release * {
    if (!Record || !Record->getDefinition())
      return nullptr;
    Record = Record->getDefinition();
    auto Found = Finalizable.find(cast<RecordDecl>(Record->getCanonicalDecl()));
    if (Found != Finalizable.end())
      return &Found->second;
    // A base or a derived class of a finalizable type may be one.
    const auto *Class = dyn_cast<CXXRecordDecl>(Record);
    if (!Class)
      return nullptr;
    for (auto &[Type, Release] : Finalizable) {
      const auto *Other = dyn_cast<CXXRecordDecl>(Type);
      if (Other && Other->hasDefinition() &&
          (Class->isDerivedFrom(Other->getDefinition()) ||
           Other->getDefinition()->isDerivedFrom(Class)))
        return &Release;
    }
    return nullptr;
  };
  auto IsFinalizable = [&](const RecordDecl *R) { return ReleaseOf(R) != nullptr; };
  ASTContext &Context = Body->getASTContext();
  if (!Types)
    Types = std::make_unique<CollectedTypes>(Context, Profile);
  OrderWalk Walk(*Types, IsFinalizable);
  OrderWalk::Frame Scope;
  if (Finalizer.Body.Source == FinalizerSource::CleanupClass) {
    Scope.ThisIsObject = true;
  } else {
    const FunctionDecl *Definition = Body->getDefinition() ? Body->getDefinition() : Body;
    if (Definition->getNumParams() == 0)
      return;
    Scope.Roots.insert(Definition->getParamDecl(0));
  }
  Walk.walkFunction(Body, std::move(Scope));

  const SourceManager &SM = Context.getSourceManager();
  llvm::SmallPtrSet<const FieldDecl *, 4> ReportedFields;
  std::string ObjectName = Finalizer.ObjectType ? declName(*Finalizer.ObjectType) : "the object";
  for (const Finding &Found : Walk.Findings) {
    SourceLocation At = SM.getFileLoc(Found.Access->getBeginLoc());
    if (isInSystemCode(At, SM) || !Reported.insert(At).second)
      continue;
    // One report per path out of the object.
    if (!ReportedFields.insert(Found.Hops.back().Field).second)
      continue;
    const Release *TargetRelease = ReleaseOf(Found.Target);
    bool Untraced = llvm::any_of(Found.Hops, [](const Hop &H) { return !H.Traced; });
    bool NoOrder = Finalizer.Unordered || (TargetRelease && TargetRelease->Unordered);
    std::string Path = sourceText(*Found.Pointer, Context);
    if (Path.empty())
      Path = declName(*Found.Hops.back().Field);
    std::string Target = declName(*Found.Target);
    if (Untraced)
      diag(At, "finalizer of '%0' uses '%1' through '%2', a pointer the collector does not "
               "trace: '%1' can be finalized, and freed, before this finalizer runs")
          << ObjectName << Target << Path;
    else if (NoOrder)
      diag(At, "finalizer of '%0' uses '%1' through '%2', and the finalizers are registered "
               "without order: '%1' may already be finalized when this finalizer runs")
          << ObjectName << Target << Path;
    else
      diag(At, "finalizer of '%0' uses '%1' through '%2', which is finalizable too: this relies "
               "on '%0' being finalized first, an order the collector keeps only while no "
               "cycle joins them")
          << ObjectName << Target << Path;
    for (const Expr *Call : Found.Calls) {
      const auto *CallExprNode = dyn_cast<CallExpr>(Call);
      const FunctionDecl *Callee = CallExprNode ? CallExprNode->getDirectCallee() : nullptr;
      diag(SM.getFileLoc(Call->getBeginLoc()), "'%0' is called here", DiagnosticIDs::Note)
          << (Callee ? displayName(*Callee) : std::string("the helper"));
    }
    for (const Hop &H : Found.Hops)
      diag(SM.getFileLoc(H.Field->getLocation()),
           "'%0' leads to '%1'%select{|, an edge the collector does not trace}2",
           DiagnosticIDs::Note)
          << (declName(*H.Field->getParent()) + "::" + declName(*H.Field))
          << (H.Target ? declName(*H.Target) : std::string("another object")) << !H.Traced;
    if (TargetRelease && TargetRelease->RegisteredAt.isValid())
      diag(SM.getFileLoc(TargetRelease->RegisteredAt),
           "'%0' is finalizable: its %select{finalizer|cleanup}1 is registered here",
           DiagnosticIDs::Note)
          << (TargetRelease->Type ? declName(*TargetRelease->Type) : Target)
          << TargetRelease->Cleanup;
  }
}

} // namespace clang::tidy::gc
