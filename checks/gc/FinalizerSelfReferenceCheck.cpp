//===--- FinalizerSelfReferenceCheck.cpp - gc-finalizer-self-reference ----===//

#include "gc/FinalizerSelfReferenceCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/Callables.h"
#include "analysis/ExprNormalise.h"
#include "analysis/ObjectReach.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/ScopeExit.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

// Is \p Loc (a macro location) a token of a macro defined in a system
// header, or an argument of such a macro?
bool inSystemMacro(SourceLocation Loc, const SourceManager &SM) {
  if (!Loc.isMacroID())
    return false;
  if (SM.isMacroArgExpansion(Loc)) {
    // Where the macro's parameter is used, in the macro's own body.
    SourceLocation Use = SM.getImmediateExpansionRange(Loc).getBegin();
    return SM.isInSystemHeader(SM.getSpellingLoc(Use));
  }
  return SM.isInSystemHeader(SM.getSpellingLoc(Loc));
}

// Where the user wrote the token at \p Loc, looking through the system
// macros that passed it on; invalid when a system macro wrote it itself.
SourceLocation userWritten(SourceLocation Loc, const SourceManager &SM) {
  for (unsigned Step = 0; Step < 32 && inSystemMacro(Loc, SM); ++Step) {
    if (!SM.isMacroArgExpansion(Loc))
      return SourceLocation();
    Loc = SM.getImmediateSpellingLoc(Loc);
  }
  return inSystemMacro(Loc, SM) ? SourceLocation() : Loc;
}

// A call expanded from a macro of a system header is the user's only when
// the user wrote the culprit as a macro argument of its own (the data of
// GC_REGISTER_FINALIZER(p, f, p, 0, 0)), or in a macro of their own that
// uses the system one, not when the system macro made it (it repeats the
// object argument in a capture, say).
bool writtenByUser(const Expr &Call, SourceLocation Culprit, const Expr *Object,
                   const SourceManager &SM) {
  SourceLocation CallLoc = Call.getBeginLoc();
  if (!CallLoc.isMacroID() || !isInSystemCode(CallLoc, SM))
    return true;
  if (Culprit.isInvalid())
    return false;
  SourceLocation Written = userWritten(Culprit, SM);
  if (Written.isInvalid() || SM.isInSystemHeader(SM.getSpellingLoc(Written)))
    return false;
  return !Object || userWritten(Object->getBeginLoc(), SM) != Written;
}

// Splits "[=, &a, b = f(x, y)]" into its entries.
std::vector<std::string> splitCaptureList(StringRef Introducer) {
  std::vector<std::string> Entries;
  Introducer = Introducer.trim();
  if (!Introducer.consume_front("[") || !Introducer.consume_back("]"))
    return Entries;
  int Depth = 0;
  std::string Current;
  for (char C : Introducer) {
    if (C == '(' || C == '[' || C == '{')
      ++Depth;
    else if (C == ')' || C == ']' || C == '}')
      --Depth;
    if (C == ',' && Depth == 0) {
      Entries.push_back(StringRef(Current).trim().str());
      Current.clear();
      continue;
    }
    Current += C;
  }
  if (!StringRef(Current).trim().empty())
    Entries.push_back(StringRef(Current).trim().str());
  return Entries;
}

// Can the lambda's first parameter stand for the captured object pointer?
bool parameterStandsFor(const ParmVarDecl &Param, QualType Captured, const ASTContext &Context) {
  QualType Type = Param.getType();
  if (Type.isNull() || Type->isReferenceType() || !Captured->isPointerType())
    return false;
  auto IsAuto = [](QualType T) {
    if (const auto *Parm = T->getAs<TemplateTypeParmType>())
      return Parm->getDecl() && Parm->getDecl()->isImplicit();
    return false;
  };
  if (IsAuto(Type))
    return true;
  if (!Type->isPointerType())
    return false;
  QualType Pointee = Type->getPointeeType();
  if (IsAuto(Pointee))
    return true;
  // `const Res *self` cannot stand for a `Res *` that calls non-const members.
  QualType CapturedPointee = Captured->getPointeeType();
  return Context.hasSameUnqualifiedType(Pointee, CapturedPointee) &&
         CapturedPointee.isAtLeastAsQualifiedAs(Pointee);
}

// Is the parameter's name declared again inside the body (a local, a loop
// variable, a nested lambda's parameter or capture), where a use of the
// captured variable would then name something else?
bool nameDeclaredIn(const Stmt *Body, StringRef Name) {
  bool Found = false;
  auto Named = [&](const NamedDecl *D) {
    if (D && D->getIdentifier() && D->getName() == Name)
      Found = true;
  };
  visitStmts(Body, [&](const Stmt &S) {
    if (Found)
      return false;
    if (const auto *Decls = dyn_cast<DeclStmt>(&S))
      for (const Decl *D : Decls->decls())
        Named(dyn_cast<NamedDecl>(D));
    if (const auto *Lambda = dyn_cast<LambdaExpr>(&S)) {
      if (const CXXMethodDecl *Operator = Lambda->getCallOperator())
        for (const ParmVarDecl *Param : Operator->parameters())
          Named(Param);
      for (const LambdaCapture &Capture : Lambda->captures())
        if (Capture.capturesVariable())
          Named(Capture.getCapturedVar());
    }
    return true;
  });
  return Found;
}

// Is \p Name written as a token in the source of \p Body?
bool namedInSource(const Stmt &Body, StringRef Name, const ASTContext &Context) {
  const SourceManager &SM = Context.getSourceManager();
  CharSourceRange Range = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(Body.getSourceRange()), SM, Context.getLangOpts());
  StringRef Text = Range.isValid() ? Lexer::getSourceText(Range, SM, Context.getLangOpts()) : "";
  if (Text.empty())
    return true;
  auto IsWord = [](char C) { return isalnum(static_cast<unsigned char>(C)) || C == '_'; };
  for (size_t At = Text.find(Name); At != StringRef::npos; At = Text.find(Name, At + 1)) {
    bool Before = At > 0 && IsWord(Text[At - 1]);
    bool After = At + Name.size() < Text.size() && IsWord(Text[At + Name.size()]);
    if (!Before && !After)
      return true;
  }
  return false;
}

// The uses of the captured variable the fix rewrites: every use must only
// read the pointer (a parameter cannot stand for a write to the captured
// copy), and implicit captures by nested lambdas are left as they are (the
// uses in their bodies are rewritten). Empty when one use is not mechanical.
std::optional<std::vector<const DeclRefExpr *>>
rewritableUses(const Stmt *Body, const ValueDecl *Var,
               const llvm::SmallVectorImpl<const Expr *> &Uses) {
  llvm::SmallPtrSet<const Expr *, 8> Reads, ImplicitCaptures, ExplicitCaptures;
  visitStmts(Body, [&](const Stmt &S) {
    if (const auto *Cast = dyn_cast<ImplicitCastExpr>(&S)) {
      if (Cast->getCastKind() == CK_LValueToRValue)
        Reads.insert(Cast->getSubExpr()->IgnoreParens());
    } else if (const auto *Lambda = dyn_cast<LambdaExpr>(&S)) {
      auto Init = Lambda->capture_init_begin();
      for (const LambdaCapture &Capture : Lambda->captures()) {
        if (Init == Lambda->capture_init_end())
          break;
        if (const Expr *E = *Init++)
          (Capture.isImplicit() ? ImplicitCaptures : ExplicitCaptures).insert(E->IgnoreImplicit());
      }
    }
    return true;
  });
  std::vector<const DeclRefExpr *> Rewritten;
  for (const Expr *Use : Uses) {
    const auto *Ref = dyn_cast<DeclRefExpr>(Use);
    if (!Ref || Ref->getDecl() != Var)
      return std::nullopt;
    if (ImplicitCaptures.count(Ref))
      continue;
    if (!Reads.count(Ref) && !ExplicitCaptures.count(Ref))
      return std::nullopt;
    Rewritten.push_back(Ref);
  }
  return Rewritten;
}

// The mechanical fix for a lambda that captures the object variable itself:
// use the parameter instead and drop the explicit capture.
std::vector<FixItHint> parameterFix(const CallableReach &Found, const CallableTarget &Target,
                                    const ObjectIdentity &Object, const ASTContext &Context) {
  const LambdaExpr *Lambda = Target.Lambda;
  const auto *Var = dyn_cast_or_null<VarDecl>(Found.CapturedVariable);
  if ((Found.ReachKind != CallableReach::Kind::Capture &&
       Found.ReachKind != CallableReach::Kind::LocalByReference) ||
      !Found.Chain.empty() || !Lambda || !Found.Capture || !Var || !Object.isRoot() ||
      Var != Object.Variable || Var->isInitCapture())
    return {};
  const CXXMethodDecl *Operator = Lambda->getCallOperator();
  if (!Operator || Operator->getNumParams() < 1)
    return {};
  const ParmVarDecl *Param = Operator->getParamDecl(0);
  if (!Param || !Param->getIdentifier() || Param->getName().empty() ||
      !parameterStandsFor(*Param, Var->getType(), Context))
    return {};
  const SourceManager &SM = Context.getSourceManager();
  const Stmt *Body = Lambda->getBody();
  if (!Body || nameDeclaredIn(Body, Param->getName()))
    return {};
  // No evaluated use, yet the name is written in the body (a macro that
  // expands to nothing here, sizeof): without the capture it might not compile.
  if (Found.Uses.empty() && namedInSource(*Body, identifierName(Var), Context))
    return {};
  std::optional<std::vector<const DeclRefExpr *>> Uses = rewritableUses(Body, Var, Found.Uses);
  if (!Uses)
    return {};
  std::vector<FixItHint> Fixes;
  llvm::DenseSet<SourceLocation> Seen;
  for (const DeclRefExpr *Ref : *Uses) {
    if (Ref->getLocation().isMacroID() || Ref->getLocation().isInvalid())
      return {};
    if (!Seen.insert(Ref->getLocation()).second)
      continue;
    Fixes.push_back(FixItHint::CreateReplacement(
        CharSourceRange::getTokenRange(Ref->getLocation(), Ref->getLocation()), Param->getName()));
  }
  if (Found.Capture->isExplicit()) {
    SourceRange Introducer = Lambda->getIntroducerRange();
    if (Introducer.isInvalid() || Introducer.getBegin().isMacroID() ||
        Introducer.getEnd().isMacroID())
      return {};
    CharSourceRange Range = CharSourceRange::getTokenRange(Introducer);
    std::vector<std::string> Entries =
        splitCaptureList(Lexer::getSourceText(Range, SM, Context.getLangOpts()));
    unsigned Index = Lambda->getCaptureDefault() != LCD_None ? 1 : 0;
    for (const LambdaCapture &Capture : Lambda->explicit_captures()) {
      if (&Capture == Found.Capture)
        break;
      ++Index;
    }
    if (Index >= Entries.size())
      return {};
    StringRef Entry = StringRef(Entries[Index]).ltrim('&').trim();
    if (Entry != identifierName(Var))
      return {};
    Entries.erase(Entries.begin() + Index);
    std::string Rebuilt = "[";
    for (size_t I = 0; I < Entries.size(); ++I)
      Rebuilt += (I ? ", " : "") + Entries[I];
    Rebuilt += "]";
    Fixes.push_back(FixItHint::CreateReplacement(Range, Rebuilt));
  }
  return Fixes;
}

} // namespace

FinalizerSelfReferenceCheck::FinalizerSelfReferenceCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context) {}

void FinalizerSelfReferenceCheck::registerMatchers(MatchFinder *Finder) {
  const ApiRole Roles[] = {ApiRole::Finalizer, ApiRole::Cleanup};
  // One matcher for both roles: every call of the translation unit is tested once.
  auto Registration =
      callExpr(anyOf(apiCallTo(Profile, Roles), unresolvedApiCallTo(Profile, ApiRole::Finalizer),
                     unresolvedApiCallTo(Profile, ApiRole::Cleanup)),
               unless(isExpansionInSystemHeader()))
          .bind("call");
  // Registrations as written, templates included (judged as far as their
  // dependent code shows), implicit code not visited.
  Finder->addMatcher(traverse(TK_IgnoreUnlessSpelledInSource, Registration), this);
}

bool FinalizerSelfReferenceCheck::waitsForFinalizersAfter(const FunctionDecl &Function,
                                                          const CallExpr &Registration,
                                                          const SourceManager &SM) {
  auto [It, Inserted] = LastWait.try_emplace(&Function);
  if (Inserted)
    visitStmts(Function.getBody(), [&](const Stmt &S) {
      if (const auto *Call = dyn_cast<CallExpr>(&S))
        if (classifyCall(*Call, Profile, ApiRole::Collect) ||
            classifyCall(*Call, Profile, ApiRole::WaitForFinalizers))
          It->second = SM.getExpansionLoc(Call->getBeginLoc());
      return true;
    });
  SourceLocation Last = It->second;
  SourceLocation At = SM.getExpansionLoc(Registration.getBeginLoc());
  return Last.isValid() && At.isValid() && SM.isBeforeInTranslationUnit(At, Last);
}

void FinalizerSelfReferenceCheck::check(const MatchFinder::MatchResult &Result) {
  if (!Result.Context || !Result.SourceManager || Excluded.excludesMainFile(*Result.SourceManager))
    return;
  if (!Functions)
    Functions = EnclosingFunctions::shared(*Result.Context);
  const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call");
  if (!Call)
    return;
  const FunctionDecl *Function = Functions->of(*Call);
  judge(*Call, Function, Result);
  // A template is judged again through each of its instantiations, where
  // the types are known; a finding is reported once, at the template.
  if (!Function || !Function->isDependentContext() || !ExpandedTemplates.insert(Function).second)
    return;
  forEachInstantiation(*Function, [&](const FunctionDecl &Instance) {
    visitStmts(Instance.getBody(), [&](const Stmt &S) {
      if (const auto *Registration = dyn_cast<CallExpr>(&S))
        if (classifyCall(*Registration, Profile, ApiRole::Finalizer) ||
            classifyCall(*Registration, Profile, ApiRole::Cleanup))
          judge(*Registration, &Instance, Result);
      return true;
    });
  });
}

void FinalizerSelfReferenceCheck::judge(const CallExpr &Registration, const FunctionDecl *Function,
                                        const MatchFinder::MatchResult &Result) {
  const CallExpr *Call = &Registration;
  std::optional<ApiCall> Api;
  for (ApiRole Role : {ApiRole::Finalizer, ApiRole::Cleanup}) {
    Api = classifyCall(*Call, Profile, Role);
    if (!Api)
      Api = classifyUnresolvedCall(*Call, Profile, Role);
    if (Api)
      break;
  }
  if (!Api || Api->Unregisters || !Api->Object)
    return;
  AST = Result.Context;
  judgeAt({Call, Function, Api->Object, Api->Callback, Api->Data, Call}, *Api);
  // A helper that registers on its parameters (`attach(slot, tex)` calling
  // `add_cleanup(tex, fn, slot)`): what the arguments hold is set up by its
  // callers, judged at each call.
  if (!Function || Function->isDependentContext() || Function->isVariadic())
    return;
  auto ParamIndex = [&](const Expr *E) -> int {
    const auto *Ref = E ? dyn_cast<DeclRefExpr>(lookThrough(E)) : nullptr;
    const auto *Param = Ref ? dyn_cast<ParmVarDecl>(Ref->getDecl()) : nullptr;
    return Param && Param->getDeclContext() == Function
               ? static_cast<int>(Param->getFunctionScopeIndex())
               : -1;
  };
  HelperRegistration Helper{Function,
                            Call,
                            *Api,
                            ParamIndex(Api->Object),
                            ParamIndex(Api->Callback),
                            ParamIndex(Api->Data),
                            {}};
  if (Helper.CallbackParam < 0)
    if (std::optional<CallableTarget> Target = resolveCallable(Api->Callback);
        Target && Target->Lambda) {
      // The factory call that built the callable, when one did.
      const CallExpr *Factory = nullptr;
      if (Target->ReturnedBy) {
        const Expr *E = lookThrough(Api->Callback);
        if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(E))
          if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
              Var && Var->hasLocalStorage() && Var->getInit())
            E = lookThrough(Var->getInit());
        Factory = dyn_cast_or_null<CallExpr>(E);
        if (Factory &&
            (!Factory->getDirectCallee() || Factory->getDirectCallee()->getCanonicalDecl() !=
                                                Target->ReturnedBy->getCanonicalDecl()))
          Factory = nullptr;
      }
      for (const LambdaCapture &Capture : Target->Lambda->captures()) {
        const auto *Var =
            Capture.capturesVariable() ? dyn_cast<ParmVarDecl>(Capture.getCapturedVar()) : nullptr;
        if (!Var)
          continue;
        int Index = -1;
        if (Var->getDeclContext() == Function)
          Index = static_cast<int>(Var->getFunctionScopeIndex());
        else if (Factory && Var->getFunctionScopeIndex() < Factory->getNumArgs())
          Index = ParamIndex(Factory->getArg(Var->getFunctionScopeIndex()));
        if (Index >= 0 && Index != Helper.ObjectParam)
          Helper.CapturedParams.push_back(static_cast<unsigned>(Index));
      }
    }
  if (Helper.ObjectParam >= 0 &&
      (Helper.CallbackParam >= 0 || Helper.DataParam >= 0 || !Helper.CapturedParams.empty()))
    HelperRegistrations.push_back(std::move(Helper));
}

void FinalizerSelfReferenceCheck::onEndOfTranslationUnit() {
  if (HelperRegistrations.empty() || !AST)
    return;
  llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const HelperRegistration *, 1>> ByHelper;
  for (const HelperRegistration &Helper : HelperRegistrations)
    ByHelper[Helper.Function->getCanonicalDecl()].push_back(&Helper);
  // The helpers' calls, in the user's code.
  struct CallFinder : RecursiveASTVisitor<CallFinder> {
    const llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<const HelperRegistration *, 1>>
        &Wanted;
    const SourceManager &SM;
    /// Each call, and the template instantiation it sits in (null outside
    /// one: the caller is then found by position, lambdas folded in).
    std::vector<std::pair<const CallExpr *, const FunctionDecl *>> Calls;
    llvm::SmallVector<const FunctionDecl *, 4> Instances;
    // A helper instantiated from a class template (`Table<F>::arm`) is
    // called from instantiated code.
    bool shouldVisitTemplateInstantiations() const { return true; }
    bool TraverseDecl(Decl *D) {
      if (D && !isa<TranslationUnitDecl>(D) && isInSystemCode(D->getLocation(), SM))
        return true;
      const auto *Function = dyn_cast_or_null<FunctionDecl>(D);
      bool Instance = Function && Function->doesThisDeclarationHaveABody() &&
                      isInTemplateInstantiation(*Function);
      if (Instance)
        Instances.push_back(Function);
      bool Result = RecursiveASTVisitor::TraverseDecl(D);
      if (Instance)
        Instances.pop_back();
      return Result;
    }
    bool VisitCallExpr(CallExpr *Call) {
      if (const FunctionDecl *Callee = Call->getDirectCallee())
        if (Wanted.count(Callee->getCanonicalDecl()))
          Calls.push_back({Call, Instances.empty() ? nullptr : Instances.back()});
      return true;
    }
  } Finder{{}, ByHelper, AST->getSourceManager(), {}, {}};
  Finder.TraverseDecl(AST->getTranslationUnitDecl());
  for (const auto &[Call, Instance] : Finder.Calls) {
    const FunctionDecl *Caller = Instance ? Instance : Functions ? Functions->of(*Call) : nullptr;
    for (const HelperRegistration *Helper : ByHelper[Call->getDirectCallee()->getCanonicalDecl()]) {
      auto Arg = [&](int Index) -> const Expr * {
        return Index >= 0 && static_cast<unsigned>(Index) < Call->getNumArgs() ? Call->getArg(Index)
                                                                               : nullptr;
      };
      if (!Arg(Helper->ObjectParam))
        continue;
      if (Helper->CallbackParam >= 0 || Helper->DataParam >= 0)
        judgeAt({Call, Caller, Arg(Helper->ObjectParam), Arg(Helper->CallbackParam),
                 Arg(Helper->DataParam), Helper->Registration},
                Helper->Api);
      for (unsigned Index : Helper->CapturedParams)
        if (const Expr *Captured = Arg(static_cast<int>(Index)))
          judgeAt({Call, Caller, Arg(Helper->ObjectParam), nullptr, nullptr, Helper->Registration,
                   Captured},
                  Helper->Api);
    }
  }
}

void FinalizerSelfReferenceCheck::judgeAt(const RegistrationSite &Site, const ApiCall &Registered) {
  const CallExpr *Call = Site.Call;
  const FunctionDecl *Function = Site.Function;
  const ApiCall *Api = &Registered;
  std::optional<ObjectIdentity> Object = identifyObject(Site.Object);
  if (!Object)
    return;
  const SourceManager &SM = AST->getSourceManager();
  ASTContext &Context = *AST;
  if (!Flows)
    Flows = std::make_unique<FlowCache>(Context);
  bool ThroughHelper = Site.Call != Site.Registration;
  ReachOptions Options;
  std::vector<std::string> Allocators;
  for (StringRef Name : Profile.names(ApiRole::Allocation))
    Allocators.push_back(Name.str());
  Options.CarryingFunctions = NameList(std::move(Allocators));
  Options.DanglingLocals = !Function || !waitsForFinalizersAfter(*Function, *Call, SM);
  // A persistent field (or a container of them) keeps its target alive by
  // itself: a holder that reaches the object only through one adds nothing.
  if (!Types)
    Types = std::make_unique<CollectedTypes>(Context, Profile);
  Options.IsRootField = [this](const FieldDecl &Field) {
    HandleKind Kind = Types->classifyTypeByDeclaration(Field.getType()).Kind;
    return Kind == HandleKind::Persistent || Kind == HandleKind::Root;
  };
  // Writes are judged as of the registration, on the function's CFG.
  ObjectReach Reach(*Object, Function ? &Flows->of(*Function) : nullptr, Call, *Flows, Options);

  bool IsFinalizer = Api->Role == ApiRole::Finalizer;
  StringRef Who = IsFinalizer ? "finalizer" : "cleanup";
  StringRef Consequence = IsFinalizer ? "it will never be finalized" : "the cleanup will never run";
  SourceLocation Loc = SM.getFileLoc(Call->getBeginLoc());
  // Every hop gets a note; a hop no store establishes (the object is a
  // field of the holder: 'this' reaches it through 'this->child') is shown
  // where the registration names the object.
  auto EmitChain = [&](const ReachChain &Chain) {
    for (size_t I = 0; I < Chain.size(); ++I) {
      SourceLocation Where = Chain[I].Loc;
      // An interior pointer is said by the warning itself.
      if (Where.isInvalid() && Chain[I].StepKind == ReachStep::Kind::Holds)
        Where = Site.Object->getBeginLoc();
      if (Where.isValid())
        diag(SM.getFileLoc(Where), "%0", DiagnosticIDs::Note) << describeStep(Chain, I);
    }
  };

  // A template's registration is judged as written and in each
  // instantiation; the first finding at a place is the one reported.
  bool Claimed = false;
  auto Claim = [&] { return Claimed = Reported.insert(Loc).second; };
  // Through a helper, the findings' notes end with where it registers.
  auto NoteHelper = llvm::make_scope_exit([&] {
    if (Claimed && ThroughHelper)
      if (const FunctionDecl *Helper = Site.Call->getDirectCallee()) {
        // An instantiated helper is named as its template is written.
        if (const FunctionDecl *Pattern = Helper->getTemplateInstantiationPattern())
          Helper = Pattern;
        diag(SM.getFileLoc(Site.Registration->getBeginLoc()), "'%0' registers the %1 here",
             DiagnosticIDs::Note)
            << displayName(*Helper) << Who;
      }
  });
  if (Reported.contains(Loc))
    return;

  // The callable: captures, bound arguments, function-object state.
  if (Site.Callback) {
    std::optional<CallableTarget> Target = resolveCallable(Site.Callback);
    if (std::optional<CallableReach> Found =
            Reach.reachThroughCallable(Target ? &*Target : nullptr, Site.Callback)) {
      if (!writtenByUser(*Call, Found->Loc, Site.Object, SM) || !Claim())
        return;
      StringRef Message, Note;
      std::vector<FixItHint> Fixes;
      if (IsFinalizer && Target && !ThroughHelper)
        Fixes = parameterFix(*Found, *Target, *Object, Context);
      if (Found->ReachKind == CallableReach::Kind::LocalByReference) {
        {
          auto Diag = diag(Loc, "%0 captures local variable '%1' by reference: the %0 runs after "
                                "'%2' has returned and reads a dangling reference")
                      << Who << Found->Name
                      << (Found->Frame ? displayName(*Found->Frame) : std::string("its function"));
          for (const FixItHint &Fix : Fixes)
            Diag << Fix;
        }
        if (Found->Loc.isValid())
          diag(SM.getFileLoc(Found->Loc), "'%0' is captured by reference here", DiagnosticIDs::Note)
              << Found->Name;
        return;
      }
      switch (Found->ReachKind) {
      case CallableReach::Kind::Capture:
      case CallableReach::Kind::ThisCapture:
        Message = "%0 captures '%1', which keeps the object alive: %2";
        Note = "'%0' is captured here";
        break;
      case CallableReach::Kind::BoundArgument:
        Message = "%0 binds '%1', which keeps the object alive: %2";
        Note = "'%0' is bound here";
        break;
      case CallableReach::Kind::StoredArgument:
        Message = "%0 object stores '%1', which keeps the object alive: %2";
        Note = "'%0' is stored in the %1 object here";
        break;
      case CallableReach::Kind::CallableHolder:
        Message = "%0 object '%1' holds the object, which keeps it alive: %2";
        Note = "";
        break;
      case CallableReach::Kind::LocalByReference:
        break;
      }
      {
        auto Diag = diag(Loc, Message) << Who << Found->Name << Consequence;
        for (const FixItHint &Fix : Fixes)
          Diag << Fix;
      }
      if (!Note.empty() && Found->Loc.isValid())
        diag(SM.getFileLoc(Found->Loc), Note, DiagnosticIDs::Note) << Found->Name << Who;
      EmitChain(Found->Chain);
      return;
    }
  }

  // An argument of a helper whose callable captures the parameter it fills.
  if (Site.Captured) {
    std::optional<ReachChain> Chain = Reach.carries(Site.Captured);
    if (!Chain || !writtenByUser(*Call, Site.Captured->getBeginLoc(), Site.Object, SM) || !Claim())
      return;
    std::string Name =
        Lexer::getSourceText(
            Lexer::makeFileCharRange(
                CharSourceRange::getTokenRange(Site.Captured->IgnoreImpCasts()->getSourceRange()),
                SM, Context.getLangOpts()),
            SM, Context.getLangOpts())
            .str();
    diag(Loc, "%0 captures '%1', which keeps the object alive: %2") << Who << Name << Consequence;
    EmitChain(*Chain);
    return;
  }

  // Boehm client data, the cleanup argument.
  if (!Site.Data)
    return;
  if (Reach.designates(Site.Data)) {
    if (!writtenByUser(*Call, Site.Data->getBeginLoc(), Site.Object, SM) || !Claim())
      return;
    if (!IsFinalizer && Api->Function && ApiProfile::rejectsObjectAsData(*Api->Function))
      diag(Loc, "cleanup argument is the object itself: '%0' throws std::invalid_argument at "
                "run time")
          << StringRef(Api->Function->Name).ltrim(':');
    else if (IsFinalizer)
      diag(Loc, "finalizer client data is the object itself, which keeps it reachable: it will "
                "never be finalized");
    else
      diag(Loc, "cleanup argument is the object itself, which keeps it alive: the cleanup will "
                "never run");
    return;
  }
  std::optional<ReachChain> Chain = Reach.carries(Site.Data);
  if (!Chain || !writtenByUser(*Call, Site.Data->getBeginLoc(), Site.Object, SM) || !Claim())
    return;
  bool Interior = !Chain->empty() && Chain->front().StepKind == ReachStep::Kind::Interior;
  std::string Data =
      Lexer::getSourceText(
          Lexer::makeFileCharRange(
              CharSourceRange::getTokenRange(Site.Data->IgnoreImpCasts()->getSourceRange()), SM,
              Context.getLangOpts()),
          SM, Context.getLangOpts())
          .str();
  if (Data.empty() && !Chain->empty())
    Data = Chain->front().HolderName;
  if (IsFinalizer)
    diag(Loc, "finalizer client data '%0' %1 the object, which keeps it reachable: it will "
              "never be finalized")
        << Data << (Interior ? "points into" : "holds");
  else
    diag(Loc, "cleanup argument '%0' %1 the object, which keeps it alive: the cleanup will "
              "never run")
        << Data << (Interior ? "points into" : "holds");
  EmitChain(*Chain);
}

} // namespace clang::tidy::gc
