//===--- ReleasedFields.h - Which fields a finalizer or cleanup releases --===//
//
// A finalizer or cleanup usually exists to give something back: it closes
// `self->fd`, frees `self->buf`, deletes `self->native`, calls
// `self->sock.close()`. Those fields are the object's native handles: code
// that reads one and keeps using it after the object's last use races the
// finalizer (gc-missing-keep-alive), and a method that releases the same
// field is the explicit release path the finalizer backs up.
//
// releasedBy() answers for a function that receives the object as a
// parameter (a finalizer callable, Boehm's `void fn(void *obj, void *cd)`)
// or as `this` (a gc_cleanup destructor, a member function the finalizer
// calls): the fields whose value it hands to a call (`close(self->fd)`,
// `free(self->buf)`, `fclose(self->fp)`), deletes, or calls a mutating
// member function on (`self->sock.close()`, `self->native->shutdown()`),
// following the object into member functions and helpers it is passed to.
// fieldPassedAs() answers for a cleanup argument or Boehm client data that
// is a field of the object (`add_cleanup(f, close_fd, f->fd)`).
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_ANALYSIS_RELEASEDFIELDS_H
#define LASTWORD_ANALYSIS_RELEASEDFIELDS_H

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace lastword::analysis {

/// The field as declared in its class template (or the field itself):
/// instantiations of one class template share it, so a field released in a
/// template's finalizer matches the same field read in an instantiation.
const clang::FieldDecl *fieldPattern(const clang::FieldDecl *Field);

/// Can a field of this type be a native handle (a descriptor, a pointer, an
/// object owning storage)? Booleans, floating point and enumerations cannot.
bool mayBeHandleType(clang::QualType Type);

class ReleasedFields {
public:
  using FieldList = llvm::SmallVector<const clang::FieldDecl *, 4>;

  /// Fields (as fieldPattern) of the object that \p Body releases, where
  /// \p Body receives the object as parameter \p ObjectParam, or as `this`
  /// when \p ObjectParam is -1. Memoised.
  const FieldList &releasedBy(const clang::FunctionDecl &Body, int ObjectParam);

  /// The field of the registered object (\p Object, as the registration
  /// names it) that \p Argument carries: `f->fd`, a local initialised from
  /// it, or a local that \p Registering also stores into a field of the
  /// object (`f->fd = fd; add_cleanup(f, close_fd, fd)`). Null otherwise.
  static const clang::FieldDecl *fieldPassedAs(const clang::Expr *Argument,
                                               const clang::Expr *Object,
                                               const clang::FunctionDecl *Registering);

  /// How one of those fields is released: handed to \p Via (`::close`),
  /// \p Via called on it (`sock.close()`), or deleted (null \p Via).
  /// Canonical declarations, so that a call elsewhere (`::close(c->fd)` in
  /// the code that owns the object) can be recognised as the same release.
  struct ReleaseCall {
    const clang::FieldDecl *Field = nullptr;
    const clang::FunctionDecl *Via = nullptr;
  };
  using CallList = llvm::SmallVector<ReleaseCall, 4>;
  /// The calls that release the fields of releasedBy(\p Body, \p ObjectParam).
  const CallList &releaseCallsOf(const clang::FunctionDecl &Body, int ObjectParam);
  /// The functions \p Callable hands its parameter \p Param to (or null for
  /// `delete`): what a cleanup does with its argument.
  static llvm::SmallVector<const clang::FunctionDecl *, 2>
  callsTakingParameter(const clang::FunctionDecl &Callable, unsigned Param);
  /// The declaration calls are compared by.
  static const clang::FunctionDecl *canonicalCallee(const clang::FunctionDecl *Function);

  void clear() {
    Memo.clear();
    CallMemo.clear();
  }

private:
  const FieldList &compute(const clang::FunctionDecl &Body, int ObjectParam, unsigned Depth);

  llvm::DenseMap<std::pair<const clang::FunctionDecl *, int>, FieldList> Memo;
  llvm::DenseMap<std::pair<const clang::FunctionDecl *, int>, CallList> CallMemo;
};

} // namespace lastword::analysis

#endif
