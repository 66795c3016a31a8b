//===--- FinalizerSelfReferenceCheck.h - gc-finalizer-self-reference ------===//

#ifndef LASTWORD_GC_FINALIZER_SELF_REFERENCECHECK_H
#define LASTWORD_GC_FINALIZER_SELF_REFERENCECHECK_H

#include "analysis/ApiCalls.h"
#include "analysis/CollectedTypes.h"
#include "analysis/FunctionFlow.h"
#include "analysis/SourceUtils.h"
#include "gc/GcCheck.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <memory>

namespace clang::tidy::gc {

/// What gc-finalizer-self-reference learns about one translation unit.
struct FinalizerSelfReferenceState {
  /// Per function: the last call that collects or waits for finalizers.
  llvm::DenseMap<const FunctionDecl *, SourceLocation> LastWait;
  /// Where a warning was given: a template and its instantiations report once.
  llvm::DenseSet<SourceLocation> Reported;
  /// Templates whose instantiations were judged.
  llvm::DenseSet<const FunctionDecl *> ExpandedTemplates;
  std::shared_ptr<const lastword::analysis::EnclosingFunctions> Functions;
  /// The per-function flow layer, built on demand for this TU.
  std::unique_ptr<lastword::analysis::FlowCache> Flows;
  /// The profile's handle types, to tell root fields (persistent) apart.
  std::unique_ptr<lastword::analysis::CollectedTypes> Types;
  ASTContext *AST = nullptr;
  /// A registration on a parameter of the function that makes it, with the
  /// callable or client data also a parameter: judged at the calls.
  struct HelperRegistration {
    const FunctionDecl *Function;
    const CallExpr *Registration;
    lastword::analysis::ApiCall Api;
    int ObjectParam, CallbackParam, DataParam;
    /// Parameters the callable captures (`[ledger]`, or through a factory
    /// called with them: `make_reaper(ledger)`): at a call, the arguments
    /// given for them are captured.
    llvm::SmallVector<unsigned, 2> CapturedParams;
  };
  std::vector<HelperRegistration> HelperRegistrations;
};

/// Finds finalizers and cleanups that keep their own object reachable: a
/// lambda capture, a bound argument, function-object state, Boehm client
/// data or a cleanup argument that holds the object, directly or through
/// objects whose fields lead back to it (as far as the function shows).
/// The finalizer is a root, so the object never becomes unreachable and
/// the finalizer never runs.
class FinalizerSelfReferenceCheck : public GcCheck<FinalizerSelfReferenceState> {
public:
  FinalizerSelfReferenceCheck(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  /// Registrations as written (implicit code not visited); templates are
  /// judged again through their instantiations from check().
  std::optional<TraversalKind> getCheckTraversalKind() const override {
    return TK_IgnoreUnlessSpelledInSource;
  }

  void onEndOfTranslationUnit() override;

private:
  /// Where a registration is judged: the registration itself, or a call of
  /// a helper that registers on its parameters, with the call's arguments.
  struct RegistrationSite {
    const CallExpr *Call;         ///< reported here
    const FunctionDecl *Function; ///< whose writes are judged, as of Call
    const Expr *Object, *Callback, *Data;
    const CallExpr *Registration;
    /// Through a helper: an argument the callable captures.
    const Expr *Captured = nullptr;
  };
  /// Judges one registration made in \p Function (null: outside functions).
  void judge(const CallExpr &Registration, const FunctionDecl *Function,
             const ast_matchers::MatchFinder::MatchResult &Result);
  void judgeAt(const RegistrationSite &Site, const lastword::analysis::ApiCall &Api);
  /// Does \p Function collect or wait for finalizers after \p Registration
  /// (a test, a shutdown path)? Its locals then outlive the callable.
  bool waitsForFinalizersAfter(const FunctionDecl &Function, const CallExpr &Registration,
                               const SourceManager &SM);
};

} // namespace clang::tidy::gc

#endif
