//===--- GcCheck.h - What every gc-* check shares -------------------------===//
//
// Every gc-* check reads the API profile (`Api` and the profile's name
// options) and `ExcludePaths`, writes them back for --dump-config, and
// forgets what it learnt about a translation unit before the next one
// starts. GcCheckBase does those once; it knows no check.
//
//===----------------------------------------------------------------------===//

#ifndef LASTWORD_GC_GCCHECK_H
#define LASTWORD_GC_GCCHECK_H

#include "analysis/ApiProfile.h"
#include "analysis/CallPaths.h"
#include "analysis/ExcludedPaths.h"
#include "analysis/OptionLists.h"
#include "clang-tidy/ClangTidyCheck.h"
#include <string>
#include <type_traits>
#include <vector>

namespace clang::tidy::gc {

/// The options and per-translation-unit life cycle shared by every check.
/// Derive from GcCheck<State>, not from this class.
class GcCheckBase : public ClangTidyCheck {
public:
  GcCheckBase(StringRef Name, ClangTidyContext *Context);

  /// Writes the shared options, then the check's own (storeCheckOptions).
  void storeOptions(ClangTidyOptions::OptionMap &Opts) final;
  /// Forgets the previous translation unit: the shared state here, then
  /// the check's own (resetTranslationUnit).
  void onStartOfTranslationUnit() final;

protected:
  /// The check's own options, as its constructor read them.
  virtual void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {}
  virtual void resetTranslationUnit() = 0;

  /// A list option of the check (read locally): clang-tidy's list syntax,
  /// see analysis/OptionLists.h.
  std::vector<std::string> listOption(StringRef Name, StringRef Default) const {
    return lastword::analysis::parseOptionList(Options.get(Name, Default));
  }
  void storeListOption(ClangTidyOptions::OptionMap &Opts, StringRef Name,
                       const std::vector<std::string> &Entries) const {
    Options.store(Opts, Name, lastword::analysis::serializeOptionList(Entries));
  }

  /// Notes along a call path: "'flush' is called here", ... and, at the
  /// sink, \p SinkNote with %0 bound to the sink's name; how an implicit or
  /// virtual step runs follows after a colon.
  void noteCallPath(const lastword::analysis::CallPath &Path, StringRef SinkNote);

  /// The collector's API, as the options describe it.
  const lastword::analysis::ApiProfile Profile;
  /// ExcludePaths: nothing is reported in a translation unit whose main
  /// file matches (Excluded.excludesMainFile).
  lastword::analysis::ExcludedPaths Excluded;
  /// The translation unit being checked, for checks that keep it (set it
  /// from a match); null at the start of each translation unit.
  ASTContext *Context = nullptr;
};

/// A gc-* check whose per-translation-unit state is \p State: a fresh
/// State (built from the API profile when it takes one) replaces the old
/// one at the start of every translation unit, so nothing the check learnt
/// about one file can leak into the next. The check's members that are not
/// in State are its options, read once in the constructor.
template <typename State> class GcCheck : public GcCheckBase, protected State {
protected:
  GcCheck(StringRef Name, ClangTidyContext *Context)
      : GcCheckBase(Name, Context), State(freshState()) {}

private:
  State freshState() const {
    if constexpr (std::is_constructible_v<State, const lastword::analysis::ApiProfile &>)
      return State(Profile);
    else
      return State();
  }
  void resetTranslationUnit() final { static_cast<State &>(*this) = freshState(); }
};

} // namespace clang::tidy::gc

#endif
