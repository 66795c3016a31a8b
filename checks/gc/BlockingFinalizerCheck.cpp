//===--- BlockingFinalizerCheck.cpp - gc-blocking-finalizer ---------------===//

#include "gc/BlockingFinalizerCheck.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

uint64_t callKey(const Expr &Call) {
  return (static_cast<uint64_t>(Call.getBeginLoc().getRawEncoding()) << 32) |
         Call.getEndLoc().getRawEncoding();
}

/// Records the calls and constructions that name their callee in the code
/// as written: in a template, only those that do not depend on its
/// parameters. Declarations in system headers are skipped.
class WrittenCallCollector : public RecursiveASTVisitor<WrittenCallCollector> {
public:
  WrittenCallCollector(const SourceManager &SM, llvm::DenseSet<uint64_t> &Keys)
      : SM(SM), Keys(Keys) {}
  bool TraverseDecl(Decl *D) {
    if (D && !isa<TranslationUnitDecl>(D) && isInSystemCode(D->getLocation(), SM))
      return true;
    return RecursiveASTVisitor::TraverseDecl(D);
  }
  bool VisitCallExpr(CallExpr *Call) {
    if (Call->getDirectCallee() && !Call->isValueDependent() && !Call->isTypeDependent())
      Keys.insert(callKey(*Call));
    return true;
  }
  bool VisitCXXConstructExpr(CXXConstructExpr *Construct) {
    if (!Construct->isValueDependent() && !Construct->isTypeDependent())
      Keys.insert(callKey(*Construct));
    return true;
  }

private:
  const SourceManager &SM;
  llvm::DenseSet<uint64_t> &Keys;
};

const char *const Consequence =
    "finalizers run one at a time on a single thread, so every other finalizer waits behind it";

} // namespace

BlockingFinalizerCheck::BlockingFinalizerCheck(StringRef Name, ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Profile(ApiProfile::fromOptions(*this, Options)),
      BlockingFunctions(BlockingCalls::parseList(Options.get(
          "BlockingFunctions", BlockingCalls::serialiseList(BlockingCalls::defaultNames())))),
      Blocking(BlockingFunctions) {
  // A full collection, or waiting for the finalizer queue, from a finalizer.
  for (ApiRole Role : {ApiRole::Collect, ApiRole::WaitForFinalizers})
    for (const ApiFunction &Function : Profile.functions(Role))
      Blocking.add(Function.Name);
}

void BlockingFinalizerCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "BlockingFunctions", BlockingCalls::serialiseList(BlockingFunctions));
  Profile.storeOptions(Options, Opts);
}

void BlockingFinalizerCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(finalizerRegistrationMatcher(Profile), this);
  if (Profile.readsBoehmCpp())
    Finder->addMatcher(cleanupClassMatcher(), this);
}

void BlockingFinalizerCheck::onStartOfTranslationUnit() {
  Context = nullptr;
  Finalizers.clear();
  FinalizerIndex.clear();
  Paths.reset();
  WrittenCalls.reset();
}

void BlockingFinalizerCheck::check(const MatchFinder::MatchResult &Result) {
  Context = Result.Context;
  const SourceManager &SM = *Result.SourceManager;
  for (FinalizerBody &Body : findFinalizerBodies(Result, Profile)) {
    if (!Body.Body || isInSystemCode(Body.Body->getLocation(), SM))
      continue;
    uintptr_t Id = finalizerIdentity(*Body.Body);
    if (Id == 0)
      continue;
    SourceLocation Site = Body.RegisteredAt.isValid() ? SM.getFileLoc(Body.RegisteredAt)
                                                      : SourceLocation();
    auto [It, Inserted] = FinalizerIndex.try_emplace(Id, Finalizers.size());
    if (Inserted)
      Finalizers.push_back({std::move(Body), {}});
    Finalizer &Entry = Finalizers[It->second];
    if (Site.isValid() && !llvm::is_contained(Entry.Sites, Site))
      Entry.Sites.push_back(Site);
  }
}

void BlockingFinalizerCheck::onEndOfTranslationUnit() {
  if (!Context || Finalizers.empty())
    return;
  const SourceManager &SM = Context->getSourceManager();
  if (!WrittenCalls) {
    WrittenCalls = std::make_unique<llvm::DenseSet<uint64_t>>();
    WrittenCallCollector(SM, *WrittenCalls).TraverseDecl(Context->getTranslationUnitDecl());
  }
  if (!Paths)
    Paths = std::make_unique<CallPathFinder>([this](const Expr &Call) {
      return WrittenCalls->contains(callKey(Call)) && Blocking.blockingCallee(Call).has_value();
    });

  for (const Finalizer &F : Finalizers) {
    std::optional<CallPath> Path = Paths->findPath(*F.First.Body);
    if (!Path || Path->empty() || !Path->front().Call || !Path->back().Call)
      continue;
    SourceLocation Loc = SM.getFileLoc(Path->front().Call->getBeginLoc());
    if (Loc.isInvalid() || isInSystemCode(Loc, SM))
      continue;
    std::string Sink = Blocking.blockingCallee(*Path->back().Call).value_or("call");
    if (Path->size() == 1) {
      diag(Loc, "finalizer may block in '%0': %1") << Sink << Consequence;
    } else {
      std::string Through =
          Path->front().Callee ? displayName(*Path->front().Callee) : std::string("call");
      diag(Loc, "finalizer may block in '%0', reached through '%1': %2")
          << Sink << Through << Consequence;
      for (size_t I = 1; I < Path->size(); ++I) {
        const CallStep &Step = (*Path)[I];
        SourceLocation StepLoc = SM.getFileLoc(Step.Call->getBeginLoc());
        if (I + 1 == Path->size())
          diag(StepLoc, "'%0' may block here", DiagnosticIDs::Note) << Sink;
        else
          diag(StepLoc, "'%0' is called here", DiagnosticIDs::Note)
              << (Step.Callee ? displayName(*Step.Callee) : std::string("call"));
      }
    }
    if (F.First.Source == FinalizerSource::CleanupClass && F.First.CleanupClass) {
      SourceLocation ClassLoc = F.Sites.empty() ? F.First.CleanupClass->getLocation() : F.Sites[0];
      diag(ClassLoc, "'%0' derives from 'gc_cleanup': the collector runs its destructor as "
                     "the finalizer",
           DiagnosticIDs::Note)
          << F.First.CleanupClass->getName();
      continue;
    }
    for (SourceLocation Site : F.Sites)
      diag(Site, "registered as a finalizer here", DiagnosticIDs::Note);
  }
}

} // namespace clang::tidy::gc
