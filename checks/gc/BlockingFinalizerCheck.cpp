//===--- BlockingFinalizerCheck.cpp - gc-blocking-finalizer ---------------===//

#include "gc/BlockingFinalizerCheck.h"
#include "analysis/OptionLists.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

/// A call of a template instantiation and the same call in the pattern
/// share their source range.
BlockingFinalizerState::CallKey callKey(const Expr &Call) {
  return {Call.getBeginLoc(), Call.getEndLoc()};
}

/// The outermost template instantiation holding \p Function (itself, the
/// function around its lambda, ...); null for code as written.
const FunctionDecl *outermostInstantiation(const FunctionDecl *Function) {
  const FunctionDecl *Outer = nullptr;
  for (const DeclContext *Ctx = Function; Ctx; Ctx = Ctx->getParent())
    if (const auto *F = dyn_cast<FunctionDecl>(Ctx))
      if (F->isTemplateInstantiation())
        Outer = F;
  return Outer;
}

/// Calls and constructions whose callee the pattern already resolves: the
/// same function in every instantiation (`self->m.lock()` on a `std::mutex`
/// field), unlike a call that waits for the template arguments
/// (`self->m.lock()` on an `M` field).
void collectResolvedCalls(const FunctionDecl &Pattern,
                          llvm::DenseSet<BlockingFinalizerState::CallKey> &Keys) {
  auto Record = [&](const Stmt &S) {
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      if (Call->getDirectCallee())
        Keys.insert(callKey(*Call));
    } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(&S)) {
      if (Construct->getConstructor())
        Keys.insert(callKey(*Construct));
    }
    return true;
  };
  visitStmts(Pattern.getBody(), Record);
  if (const auto *Ctor = dyn_cast<CXXConstructorDecl>(&Pattern))
    for (const CXXCtorInitializer *Init : Ctor->inits())
      if (Init && Init->isWritten())
        visitStmts(Init->getInit(), Record);
}

const char *const DeadIfId = "lastword-constant-if";

const char *const Consequence =
    "finalizers run one at a time on a single thread, so every other finalizer waits behind it";

} // namespace

BlockingFinalizerCheck::BlockingFinalizerCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context),
      BlockingFunctions(
          listOption("BlockingFunctions", serializeOptionList(BlockingCalls::defaultNames()))),
      Blocking(BlockingFunctions) {
  // A full collection, or waiting for the finalizer queue, from a finalizer.
  for (ApiRole Role : {ApiRole::Collect, ApiRole::WaitForFinalizers})
    for (const ApiFunction &Function : Profile.functions(Role))
      Blocking.add(Function.Name);
  // The collector's headers may call a blocking function under another
  // name (`pthread_join` as `GC_pthread_join`).
  for (const std::string &Name : BlockingFunctions)
    if (StringRef Redirect = Profile.redirectOf(StringRef(Name).ltrim(':')); !Redirect.empty())
      Blocking.add(Redirect);
}

void BlockingFinalizerCheck::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {
  storeListOption(Opts, "BlockingFunctions", BlockingFunctions);
}

void BlockingFinalizerCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(finalizerRegistrationMatcher(Profile), this);
  if (Profile.readsBoehmCpp())
    Finder->addMatcher(cleanupClassMatcher(), this);
  // `if`s whose condition may be a constant: a registration in the branch
  // that cannot run registers nothing.
  auto Constant = ignoringParenImpCasts(anyOf(integerLiteral(), cxxBoolLiteral(),
                                              declRefExpr(to(varDecl(hasType(isConstQualified())))),
                                              declRefExpr(to(enumConstantDecl()))));
  Finder->addMatcher(ifStmt(anyOf(isConstexpr(), hasCondition(Constant),
                                  hasCondition(ignoringParenImpCasts(unaryOperator(
                                      hasOperatorName("!"), hasUnaryOperand(Constant))))),
                            unless(isExpansionInSystemHeader()))
                         .bind(DeadIfId),
                     this);
}

bool BlockingFinalizerCheck::isDeadSite(SourceLocation Where) const {
  if (Where.isInvalid() || !Context)
    return false;
  const SourceManager &SM = Context->getSourceManager();
  return llvm::any_of(DeadRanges, [&](SourceRange Range) {
    return !SM.isBeforeInTranslationUnit(Where, Range.getBegin()) &&
           !SM.isBeforeInTranslationUnit(Range.getEnd(), Where);
  });
}

const BlockingFinalizerCheck::FunctionFacts &
BlockingFinalizerCheck::factsFor(const FunctionDecl *Within) {
  std::unique_ptr<FunctionFacts> &Entry = Facts[Within];
  if (Entry)
    return *Entry;
  Entry = std::make_unique<FunctionFacts>();
  if (!Within)
    return *Entry;
  if (const FunctionDecl *Instantiation = outermostInstantiation(Within)) {
    static const llvm::DenseSet<CallKey> Nothing;
    Entry->Written = &Nothing;
    const FunctionDecl *Pattern = Instantiation->getTemplateInstantiationPattern();
    const FunctionDecl *Definition = nullptr;
    if (Pattern && Pattern->hasBody(Definition) && Definition) {
      std::unique_ptr<llvm::DenseSet<CallKey>> &Keys = PatternCalls[Definition];
      if (!Keys) {
        Keys = std::make_unique<llvm::DenseSet<CallKey>>();
        collectResolvedCalls(*Definition, *Keys);
      }
      Entry->Written = Keys.get();
    }
  }
  BlockingCalls::collectGuardedCalls(Within->getBody(), Entry->Guarded);
  return *Entry;
}

bool BlockingFinalizerCheck::isBlockingSink(const Expr &Call, const FunctionDecl *Within) {
  // `std::lock_guard<Mutex>` on a mutex of the user's blocks when its lock()
  // does (a wrapper around std::mutex), not when it is a no-op.
  if (const CXXMethodDecl *Lock = BlockingCalls::userMutexLock(Call)) {
    if (!MutexPaths) {
      MutexPaths = std::make_unique<CallPathFinder>(
          CallPathFinder::SinkPredicateIn([this](const Expr &Inner, const FunctionDecl *In) {
            return !BlockingCalls::userMutexLock(Inner) && Blocking.blockingCallee(Inner) &&
                   !factsFor(In).Guarded.contains(&Inner);
          }));
    }
    return MutexPaths->findPath(*Lock).has_value();
  }
  if (!Blocking.blockingCallee(Call))
    return false;
  // In a template instantiation, a call that waited for the template
  // arguments (`std::lock_guard<M>`, `self->m.lock()` on an `M m`) is judged
  // as instantiated: reported once, at the template, with a note at the
  // instantiation that blocks.
  return !factsFor(Within).Guarded.contains(&Call);
}

const FunctionDecl *BlockingFinalizerCheck::blockingInstantiation(const CallPath &Path,
                                                                  const FunctionDecl *Body) {
  const FunctionDecl *Within = Body;
  for (const CallStep &Step : Path) {
    if (Step.Call && Step.Implicit == ImplicitCall::None && Within) {
      const FunctionFacts &F = factsFor(Within);
      if (F.Written && !F.Written->contains(callKey(*Step.Call)))
        return outermostInstantiation(Within);
    }
    Within = Step.Callee;
  }
  return nullptr;
}

void BlockingFinalizerCheck::check(const MatchFinder::MatchResult &Result) {
  if (Excluded.excludesMainFile(*Result.SourceManager))
    return;
  Context = Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  if (const auto *If = Result.Nodes.getNodeAs<IfStmt>(DeadIfId)) {
    if (const Stmt *Dead = constantlyDeadBranch(*If, *Result.Context)) {
      SourceLocation Begin = SM.getExpansionLoc(Dead->getBeginLoc());
      SourceLocation End = SM.getExpansionRange(Dead->getEndLoc()).getEnd();
      if (Begin.isValid() && End.isValid())
        DeadRanges.push_back({Begin, End});
    }
    return;
  }
  for (FinalizerBody &Body : findFinalizerBodies(Result, Profile)) {
    if (!Body.Body || isInSystemCode(Body.Body->getLocation(), SM))
      continue;
    SourceLocation Id = finalizerIdentity(*Body.Body);
    if (Id.isInvalid())
      continue;
    Site Where;
    Where.Body = Body.Body;
    if (Body.RegisteredAt.isValid())
      Where.Note = SM.getFileLoc(Body.RegisteredAt);
    if (Body.Registration)
      Where.Where = SM.getExpansionLoc(Body.Registration->getBeginLoc());
    auto [It, Inserted] = FinalizerIndex.try_emplace(Id, Finalizers.size());
    if (Inserted) {
      Finalizer New;
      New.First = std::move(Body);
      Finalizers.push_back(std::move(New));
    }
    Finalizer &Entry = Finalizers[It->second];
    if (!Inserted && Body.Body != Entry.First.Body &&
        !llvm::is_contained(Entry.Instantiations, Body.Body))
      Entry.Instantiations.push_back(Body.Body);
    if (llvm::none_of(Entry.Sites, [&](const Site &S) { return S.Note == Where.Note; }))
      Entry.Sites.push_back(Where);
  }
}

void BlockingFinalizerCheck::onEndOfTranslationUnit() {
  if (!Context || Finalizers.empty())
    return;
  const SourceManager &SM = Context->getSourceManager();
  if (!Paths) {
    Paths = std::make_unique<CallPathFinder>(
        CallPathFinder::SinkPredicateIn([this](const Expr &Call, const FunctionDecl *Within) {
          return isBlockingSink(Call, Within);
        }));
    Paths->setDestructionSink([this](const CallStep &Step, const FunctionDecl *) {
      return Blocking.blockingDestruction(Step).has_value();
    });
  }

  for (Finalizer &F : Finalizers) {
    // Registered only where it cannot run: no finalizer.
    if (F.First.Source != FinalizerSource::CleanupClass) {
      llvm::erase_if(F.Sites, [&](const Site &S) { return isDeadSite(S.Where); });
      if (F.Sites.empty())
        continue;
    }
    std::optional<CallPath> Path = Paths->findPath(*F.First.Body);
    const FunctionDecl *Searched = F.First.Body;
    for (const FunctionDecl *Other : F.Instantiations)
      if (!Path && Other) {
        Path = Paths->findPath(*Other);
        Searched = Other;
      }
    if (!Path || Path->empty() || Path->front().location().isInvalid() ||
        Path->back().location().isInvalid())
      continue;
    SourceLocation Loc = SM.getFileLoc(Path->front().location());
    if (Loc.isInvalid() || isInSystemCode(Loc, SM))
      continue;
    const CallStep &Last = Path->back();
    std::optional<std::string> SinkName = Last.Implicit != ImplicitCall::None
                                              ? Blocking.blockingDestruction(Last)
                                          : Last.Call ? Blocking.blockingCallee(*Last.Call)
                                                      : std::nullopt;
    if (!SinkName && Last.Call && BlockingCalls::userMutexLock(*Last.Call))
      if (const auto *Construct = dyn_cast<CXXConstructExpr>(Last.Call))
        SinkName = plainQualifiedName(*Construct->getConstructor()->getParent());
    std::string Sink = SinkName.value_or("call");
    const CallStep &First = Path->front();
    std::string FirstDetail = describeStep(First);
    if (Path->size() == 1) {
      if (FirstDetail.empty())
        diag(Loc, "finalizer may block in '%0': %1") << Sink << Consequence;
      else
        diag(Loc, "finalizer may block in '%0' (%1): %2") << Sink << FirstDetail << Consequence;
    } else {
      std::string Through = First.Callee ? displayName(*First.Callee) : std::string("call");
      if (FirstDetail.empty())
        diag(Loc, "finalizer may block in '%0', reached through '%1': %2")
            << Sink << Through << Consequence;
      else
        diag(Loc, "finalizer may block in '%0', reached through '%1' (%2): %3")
            << Sink << Through << FirstDetail << Consequence;
      for (size_t I = 1; I < Path->size(); ++I) {
        const CallStep &Step = (*Path)[I];
        SourceLocation StepLoc = SM.getFileLoc(Step.location());
        std::string Detail = describeStep(Step);
        std::string Text = I + 1 == Path->size() ? "'%0' may block here" : "'%0' is called here";
        if (!Detail.empty())
          Text += ": %1";
        std::string Name = I + 1 == Path->size()
                               ? Sink
                               : (Step.Callee ? displayName(*Step.Callee) : std::string("call"));
        diag(StepLoc, Text, DiagnosticIDs::Note) << Name << Detail;
      }
    }
    if (const FunctionDecl *Instance = blockingInstantiation(*Path, Searched)) {
      // Only the registrations of the instantiation that blocks, when known.
      if (llvm::any_of(F.Sites, [&](const Site &S) { return S.Body == Searched; }))
        llvm::erase_if(F.Sites, [&](const Site &S) { return S.Body != Searched; });
      SourceLocation At = Instance->getPointOfInstantiation();
      if (At.isValid())
        At = SM.getFileLoc(At);
      bool Shown = At == Loc || llvm::any_of(F.Sites, [&](const Site &S) { return S.Note == At; });
      if (At.isValid() && !Shown && !isInSystemCode(At, SM)) {
        std::string InstanceName;
        llvm::raw_string_ostream OS(InstanceName);
        Instance->getNameForDiagnostic(OS, Context->getPrintingPolicy(), /*Qualified=*/true);
        diag(At, "instantiated here as '%0', which blocks", DiagnosticIDs::Note) << OS.str();
      }
    }
    if (F.First.Source == FinalizerSource::CleanupClass && F.First.CleanupClass) {
      SourceLocation ClassLoc = F.Sites.empty() || F.Sites[0].Note.isInvalid()
                                    ? F.First.CleanupClass->getLocation()
                                    : F.Sites[0].Note;
      diag(ClassLoc,
           "'%0' derives from '%1': the collector runs its destructor as "
           "the finalizer",
           DiagnosticIDs::Note)
          << declName(*F.First.CleanupClass)
          << (F.First.FinalizableBase ? declName(*F.First.FinalizableBase)
                                      : std::string("a finalizable base"));
      continue;
    }
    for (const Site &S : F.Sites)
      if (S.Note.isValid())
        diag(S.Note, "registered as a finalizer here", DiagnosticIDs::Note);
  }
}

} // namespace clang::tidy::gc
