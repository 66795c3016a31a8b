//===--- SourceUtils.cpp --------------------------------------------------===//

#include "analysis/SourceUtils.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"

using namespace clang;

namespace lastword::analysis {

bool isInSystemCode(SourceLocation Loc, const SourceManager &SM) {
  if (Loc.isInvalid())
    return false;
  return SM.isInSystemHeader(SM.getSpellingLoc(Loc)) || SM.isInSystemMacro(Loc) ||
         SM.isInSystemHeader(SM.getExpansionLoc(Loc));
}

bool isInTemplateInstantiation(const Decl &D) {
  for (const DeclContext *Context = dyn_cast<DeclContext>(&D) ? cast<DeclContext>(&D)
                                                              : D.getDeclContext();
       Context; Context = Context->getParent()) {
    if (const auto *Function = dyn_cast<FunctionDecl>(Context))
      if (Function->isTemplateInstantiation())
        return true;
    if (const auto *Record = dyn_cast<CXXRecordDecl>(Context))
      if (Record->getTemplateSpecializationKind() == TSK_ImplicitInstantiation ||
          Record->getTemplateSpecializationKind() == TSK_ExplicitInstantiationDefinition)
        return true;
  }
  return false;
}

std::string displayName(const FunctionDecl &Function) {
  if (const auto *Method = dyn_cast<CXXMethodDecl>(&Function))
    if (Method->getParent()->isLambda())
      return "lambda";
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(&Function))
    return Ctor->getParent()->getQualifiedNameAsString();
  return Function.getQualifiedNameAsString();
}

llvm::StringRef identifierName(const NamedDecl *D) {
  if (!D || !D->getIdentifier())
    return {};
  return D->getIdentifier()->getName();
}

bool hasName(const NamedDecl *D, llvm::StringRef Name) {
  return !Name.empty() && identifierName(D) == Name;
}

std::string declName(const NamedDecl &D) {
  if (const auto *Decomposition = dyn_cast<DecompositionDecl>(&D)) {
    std::string Name = "[";
    for (const BindingDecl *Binding : Decomposition->bindings())
      Name += (Name.size() > 1 ? ", " : "") + declName(*Binding);
    return Name + "]";
  }
  return D.getNameAsString();
}

const Expr *skipTemporaries(const Expr *E, SkipAlso Also) {
  for (unsigned Step = 0; E && Step < 16; ++Step) {
    const Expr *Before = E;
    E = Also == SkipAlso::Casts ? E->IgnoreParenCasts() : E->IgnoreParenImpCasts();
    if (const auto *Temp = dyn_cast<MaterializeTemporaryExpr>(E))
      E = Temp->getSubExpr();
    if (const auto *Bind = dyn_cast<CXXBindTemporaryExpr>(E))
      E = Bind->getSubExpr();
    if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
      E = Cleanups->getSubExpr();
    if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
      if (Also == SkipAlso::Copies && Construct->getNumArgs() == 1 &&
          Construct->getConstructor()->isCopyOrMoveConstructor())
        E = Construct->getArg(0);
    if (E == Before)
      break;
  }
  return E;
}

const LambdaExpr *lambdaPassed(const Expr *Arg) {
  const Expr *E = skipTemporaries(Arg);
  if (const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(E);
      Construct && Construct->getNumArgs() == 1 &&
      !Construct->getConstructor()->isCopyOrMoveConstructor())
    E = skipTemporaries(Construct->getArg(0));
  return dyn_cast_or_null<LambdaExpr>(E);
}

void visitStmts(const Stmt *Root, llvm::function_ref<bool(const Stmt &)> Visit) {
  llvm::SmallVector<const Stmt *, 64> Work;
  if (Root)
    Work.push_back(Root);
  llvm::SmallVector<const Stmt *, 8> Children;
  while (!Work.empty()) {
    const Stmt *S = Work.pop_back_val();
    if (!Visit(*S))
      continue;
    Children.clear();
    for (const Stmt *Child : S->children())
      if (Child)
        Children.push_back(Child);
    Work.append(Children.rbegin(), Children.rend());
  }
}

void forEachReturn(const Stmt *Body, llvm::function_ref<void(const ReturnStmt &)> Visit) {
  visitStmts(Body, [&](const Stmt &S) {
    if (isa<LambdaExpr, BlockExpr>(&S))
      return false;
    if (const auto *Return = dyn_cast<ReturnStmt>(&S))
      Visit(*Return);
    return true;
  });
}

namespace {

class FunctionIndexer : public UserCodeVisitor<FunctionIndexer> {
public:
  FunctionIndexer(const SourceManager &SM, llvm::function_ref<void(const FunctionDecl &)> Record)
      : UserCodeVisitor(SM), Record(Record) {}
  bool shouldVisitTemplateInstantiations() const { return false; }
  bool shouldVisitImplicitCode() const { return false; }
  bool VisitFunctionDecl(FunctionDecl *Function) {
    if (const auto *Method = dyn_cast<CXXMethodDecl>(Function))
      if (Method->getParent() && Method->getParent()->isLambda())
        return true;
    if (Function->doesThisDeclarationHaveABody() && Function->getBody())
      Record(*Function);
    return true;
  }

private:
  llvm::function_ref<void(const FunctionDecl &)> Record;
};

} // namespace

EnclosingFunctions::EnclosingFunctions(ASTContext &Context) : SM(Context.getSourceManager()) {
  FunctionIndexer(SM, [&](const FunctionDecl &Function) {
    SourceRange Range = Function.getSourceRange();
    SourceLocation Begin = SM.getExpansionLoc(Range.getBegin());
    SourceLocation End = SM.getExpansionRange(Range.getEnd()).getEnd();
    if (Begin.isInvalid() || End.isInvalid())
      return;
    auto [BeginFile, BeginOffset] = SM.getDecomposedLoc(Begin);
    auto [EndFile, EndOffset] = SM.getDecomposedLoc(End);
    if (BeginFile == EndFile)
      ByFile[BeginFile].push_back({&Function, BeginOffset, EndOffset, -1});
    else
      Spanning.push_back({&Function, Begin, End});
  }).TraverseDecl(Context.getTranslationUnitDecl());
  for (auto &[File, Entries] : ByFile) {
    llvm::sort(Entries, [](const Entry &A, const Entry &B) {
      return A.Begin != B.Begin ? A.Begin < B.Begin : A.End > B.End;
    });
    // The enclosing entries of the one being placed, outermost first.
    llvm::SmallVector<int, 8> Open;
    for (int I = 0, N = Entries.size(); I < N; ++I) {
      while (!Open.empty() && Entries[Open.back()].End < Entries[I].Begin)
        Open.pop_back();
      Entries[I].Outer = Open.empty() ? -1 : Open.back();
      Open.push_back(I);
    }
  }
}

namespace {
thread_local std::shared_ptr<const EnclosingFunctions> SharedEnclosing;
thread_local const ASTContext *SharedEnclosingContext = nullptr;
thread_local bool KeepSharedEnclosing = false;
} // namespace

std::shared_ptr<const EnclosingFunctions> EnclosingFunctions::shared(ASTContext &Context) {
  if (!KeepSharedEnclosing)
    return std::make_shared<const EnclosingFunctions>(Context);
  if (!SharedEnclosing || SharedEnclosingContext != &Context) {
    SharedEnclosing = std::make_shared<const EnclosingFunctions>(Context);
    SharedEnclosingContext = &Context;
  }
  return SharedEnclosing;
}

void forgetSharedEnclosingFunctions() {
  SharedEnclosing.reset();
  SharedEnclosingContext = nullptr;
  KeepSharedEnclosing = true;
}

const FunctionDecl *EnclosingFunctions::of(const Stmt &S) const {
  SourceLocation Loc = SM.getExpansionLoc(S.getBeginLoc());
  if (Loc.isInvalid())
    return nullptr;
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  const Entry *Best = nullptr;
  auto It = ByFile.find(File);
  if (It != ByFile.end()) {
    const std::vector<Entry> &Entries = It->second;
    // The last function to begin at or before the statement; the innermost
    // one holding it is that one or one of its outer functions.
    auto After = llvm::upper_bound(Entries, Offset,
                                   [](unsigned Off, const Entry &E) { return Off < E.Begin; });
    int I = static_cast<int>(After - Entries.begin()) - 1;
    while (I >= 0 && Entries[I].End < Offset)
      I = Entries[I].Outer;
    if (I >= 0)
      Best = &Entries[I];
  }
  const FunctionDecl *Result = Best ? Best->Function : nullptr;
  if (Spanning.empty())
    return Result;
  // Innermost among both: the one that begins last.
  SourceLocation ResultBegin = Best ? SM.getComposedLoc(File, Best->Begin) : SourceLocation();
  for (const SpanningEntry &E : Spanning) {
    if (SM.isBeforeInTranslationUnit(Loc, E.Begin) || SM.isBeforeInTranslationUnit(E.End, Loc))
      continue;
    if (ResultBegin.isInvalid() || SM.isBeforeInTranslationUnit(ResultBegin, E.Begin)) {
      Result = E.Function;
      ResultBegin = E.Begin;
    }
  }
  return Result;
}

bool mayEndIteration(const Stmt &S, bool LambdaBody) {
  bool Ends = false;
  visitStmts(&S, [&](const Stmt &Child) {
    if (Ends || isa<LambdaExpr, BlockExpr, ForStmt, WhileStmt, DoStmt, CXXForRangeStmt>(Child))
      return false;
    Ends = LambdaBody ? isa<ReturnStmt>(Child) : isa<ContinueStmt>(Child);
    return !Ends;
  });
  return Ends;
}

std::string describeStep(const CallStep &Step) {
  if (Step.Implicit != ImplicitCall::None)
    return describeImplicitStep(Step);
  if (Step.Overridden)
    return "a virtual call to '" + displayName(*Step.Overridden) + "' may run this override";
  if (Step.Hook)
    return "the call runs a callable the code stores in '" + declName(*Step.Hook) + "'";
  return {};
}

// The instantiations in this TU of \p Pattern, a function template or a
// member function of a class template, found through the template's own
// list of specializations (no traversal of instantiated code).
void forEachInstantiation(const FunctionDecl &Pattern,
                          llvm::function_ref<void(const FunctionDecl &)> Visit) {
  const FunctionTemplateDecl *Template = Pattern.getDescribedFunctionTemplate();
  if (Template)
    for (const FunctionDecl *Instance : Template->specializations())
      if (Instance->getBody())
        Visit(*Instance);
  const auto *Method = dyn_cast<CXXMethodDecl>(&Pattern);
  const ClassTemplateDecl *ClassTemplate =
      Method ? Method->getParent()->getDescribedClassTemplate() : nullptr;
  if (!ClassTemplate)
    return;
  // Members of a class template: instantiated with each specialization of
  // the class; a member template of one, once more with each of its own
  // specializations there.
  for (const ClassTemplateSpecializationDecl *Specialization : ClassTemplate->specializations())
    for (const Decl *Member : Specialization->decls()) {
      if (const auto *Instance = dyn_cast<FunctionDecl>(Member)) {
        if (!Template && Instance->getTemplateInstantiationPattern() == &Pattern &&
            Instance->getBody())
          Visit(*Instance);
        continue;
      }
      const auto *MemberTemplate = dyn_cast<FunctionTemplateDecl>(Member);
      if (!Template || !MemberTemplate)
        continue;
      const FunctionTemplateDecl *From = MemberTemplate->getInstantiatedFromMemberTemplate();
      if (!From || From->getCanonicalDecl() != Template->getCanonicalDecl())
        continue;
      for (const FunctionDecl *Instance : MemberTemplate->specializations())
        if (Instance->getBody())
          Visit(*Instance);
    }
}

} // namespace lastword::analysis
