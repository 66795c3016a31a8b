//===--- MainFileScope.h - Match only the user's own declarations ---------===//
//
// The driver's checks never report in system headers or inside the
// collector library's own headers, yet clang's matcher walk visits every
// node of the translation unit: most of them in the standard library, and
// in the collector's templates instantiated once per registration (each
// finalizer lambda is a new `set_finalizer<T, F>`). Before the checks run,
// this consumer narrows the AST context's traversal scope to the top-level
// declarations outside system headers, leaving out the library's namespace
// (`namespace lastword {`, `namespace cppgc {`) when a header declares it.
// The checks still reach that code by navigation (a callee's definition, a
// type's fields); only the matcher walk and the translation-unit-wide
// visitors are narrowed.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_MAINFILESCOPE_H
#define LASTWORD_DRIVER_MAINFILESCOPE_H

#include "analysis/ApiProfile.h"
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/Basic/SourceManager.h"
#include <vector>

namespace lastword {

class MainFileScope : public clang::ASTConsumer {
public:
  void HandleTranslationUnit(clang::ASTContext &Context) override {
    const clang::SourceManager &SM = Context.getSourceManager();
    std::vector<clang::Decl *> Scope;
    for (clang::Decl *D : Context.getTranslationUnitDecl()->decls()) {
      clang::SourceLocation Loc = SM.getExpansionLoc(D->getLocation());
      if (SM.isInSystemHeader(Loc))
        continue;
      if (llvm::isa<clang::NamespaceDecl>(D) && !SM.isInMainFile(Loc) &&
          analysis::ApiProfile::isInLibraryNamespace(*D))
        continue;
      Scope.push_back(D);
    }
    Context.setTraversalScope(Scope);
  }
};

} // namespace lastword

#endif
