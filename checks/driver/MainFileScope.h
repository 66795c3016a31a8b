//===--- MainFileScope.h - Match only outside system headers --------------===//
//
// The driver's checks never report in system headers, yet clang's matcher
// walk visits every node of the translation unit, most of them in the
// standard library. Before the checks run, this consumer narrows the AST
// context's traversal scope to the top-level declarations outside system
// headers. The checks still reach system-header code by navigation (a
// callee's definition, a type's fields); only the matcher walk is narrowed.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_DRIVER_MAINFILESCOPE_H
#define LASTWORD_DRIVER_MAINFILESCOPE_H

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
    for (clang::Decl *D : Context.getTranslationUnitDecl()->decls())
      if (!SM.isInSystemHeader(D->getLocation()))
        Scope.push_back(D);
    Context.setTraversalScope(Scope);
  }
};

} // namespace lastword

#endif
