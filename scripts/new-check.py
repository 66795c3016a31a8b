#!/usr/bin/env python3
"""Creates the skeleton of a new gc-* check.

    python3 scripts/new-check.py finalizer-escape      # or gc-finalizer-escape

writes, for the check gc-finalizer-escape:

    checks/gc/FinalizerEscapeCheck.h, .cpp   the check class
    checks/gc/GcTidyModule.cpp               registers it
    checks/CMakeLists.txt                    builds it
    docs/checks/gc-finalizer-escape.md       its page
    test/checks/gc-finalizer-escape.cpp      its lit test
    README.md                                a row in the table of checks

The skeleton builds and its test passes: it reports every finalizer
registration of the API profile, so that the plumbing (options, matchers,
system code, NOLINT, both shells) works before the real analysis is written.
Every place to fill in is marked TODO. See docs/contributing.md.

Nothing is written when the name is not a valid check name, when the check
exists already, or when a file to update does not look as expected.
Exit status: 0 created, 1 refused (the check exists, or the tree is not as
expected), 2 bad usage or name.
"""
import argparse
import os
import re
import sys

NAME_RULE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Refused(Exception):
    pass


def check_name(raw):
    """'gc-finalizer-escape' or 'finalizer-escape' -> 'finalizer-escape'."""
    name = raw[3:] if raw.startswith("gc-") else raw
    if not NAME_RULE.match(name):
        raise ValueError(
            "invalid check name '%s': use lower-case words of letters and digits joined by "
            "single '-', starting with a letter (e.g. 'finalizer-escape')" % raw)
    if len(name) > 60:
        raise ValueError("invalid check name '%s': longer than 60 characters" % raw)
    return name


def class_name(name):
    return "".join(part[0].upper() + part[1:] for part in name.split("-"))


def banner(file_name, what, suffix=""):
    """The LLVM file header line, padded to 80 columns when it fits."""
    head = "//===--- %s - %s " % (file_name, what)
    tail = "===//"
    return head + "-" * max(1, 80 - len(head) - len(tail)) + tail


def header_text(name, cls):
    guard = "LASTWORD_GC_%sCHECK_H" % cls.upper()
    return f"""{banner(cls + "Check.h", "gc-" + name)}

#ifndef {guard}
#define {guard}

#include "gc/GcCheck.h"

namespace clang::tidy::gc {{

/// What gc-{name} learns about one translation unit: replaced by a fresh
/// one at the start of each (GcCheck). TODO: the check's per-TU facts.
struct {cls}State {{}};

/// TODO: what gc-{name} finds, and what goes wrong at run time because of it
/// (docs/checks/gc-{name}.md).
///
/// The skeleton reports every finalizer registration of the API profile.
class {cls}Check : public GcCheck<{cls}State> {{
public:
  {cls}Check(StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  /// Code as written: template instantiations and implicit code are not
  /// visited, so a template is judged once.
  std::optional<TraversalKind> getCheckTraversalKind() const override {{
    return TK_IgnoreUnlessSpelledInSource;
  }}

private:
  /// The check's own options (the shared ones, the API profile and
  /// ExcludePaths, are GcCheck's).
  void storeCheckOptions(ClangTidyOptions::OptionMap &Opts) override;
}};

}} // namespace clang::tidy::gc

#endif
"""


def source_text(name, cls):
    return f"""{banner(cls + "Check.cpp", "gc-" + name)}

#include "gc/{cls}Check.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {{

// The check's own options are read once, here (listOption for lists);
// storeCheckOptions writes them back for --dump-config.
{cls}Check::{cls}Check(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context) {{}}

void {cls}Check::storeCheckOptions(ClangTidyOptions::OptionMap &Opts) {{
  // TODO: Options.store(Opts, ...) for each option the constructor reads.
}}

void {cls}Check::registerMatchers(MatchFinder *Finder) {{
  // TODO: match what the check looks for. The API is recognised by name,
  // through the profile: never by including the runtime's headers.
  if (Profile.functions(ApiRole::Finalizer).empty())
    return;
  Finder->addMatcher(
      callExpr(unless(isExpansionInSystemHeader()), apiCallTo(Profile, ApiRole::Finalizer))
          .bind("call"),
      this);
}}

void {cls}Check::check(const MatchFinder::MatchResult &Result) {{
  const auto *Call = Result.Nodes.getNodeAs<CallExpr>("call");
  if (!Call || Excluded.excludesMainFile(*Result.SourceManager))
    return;
  std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Finalizer);
  // `set_finalizer(obj, nullptr)` removes a finalizer.
  if (!Api || Api->Unregisters)
    return;
  const SourceManager &SM = *Result.SourceManager;
  SourceLocation Loc = SM.getFileLoc(Call->getBeginLoc());
  if (isInSystemCode(Loc, SM))
    return;
  const FunctionDecl *Callee = Call->getDirectCallee();
  // TODO: the real message: lower case, what happens at run time, no
  // trailing period.
  diag(Loc, "'%0' registers a finalizer here")
      << (Callee ? displayName(*Callee) : std::string("the call"));
}}

}} // namespace clang::tidy::gc
"""


def doc_text(name):
    check = "gc-" + name
    return f"""# {check}

TODO: one sentence: what the check finds.

```
file.cpp:8:3: warning: 'lastword::set_finalizer' registers a finalizer here [{check}]
```

## Why

TODO: what happens at run time, from the guarantees of
[the API reference](../api.md) (for example
[`set_finalizer`](../api.md#set_finalizer)), for the bundled runtime and under
[the Boehm GC profile](../api.md#the-boehm-gc-profile).

## Example

```cpp
void track(Res *r) {{
  lastword::set_finalizer(r, [](Res *self) {{ release(self->fd); }});
}}
```

## Fix

TODO: the fixed code, and whether there is a fix-it.

## What stays silent

- `set_finalizer(obj, nullptr)`, which removes a finalizer;
- functions of the same name that are not the collector's API;
- code in system headers; a line with `// NOLINT({check})`.

## Options

Set in `.clang-tidy` (`CheckOptions`) or with `--config`, as
`{check}.<option>`. The API profile options (*profile*) are read
locally first, then globally, so `Api: bdwgc` applies to every `gc-*` check
([API profiles](../api-profiles.md)). `--dump-config` prints every value.
Lists are `;`-separated; setting a list replaces its default.

| option | type | default | meaning |
|---|---|---|---|
| `ExcludePaths` | regular expression | (empty) | searched in the path of each translation unit's main file: nothing is reported in a file that matches (test, benchmark and demo programs). Read locally first, then globally; the driver's `--exclude-paths` sets the global value |
| `Api` (*profile*) | `lastword`, `bdwgc` or `cppgc` | `lastword` | which collector's API the code is written against: [`<lastword/gc.hpp>`](../api.md), [Boehm GC](../api.md#the-boehm-gc-profile) or [cppgc](../api-profiles.md#the-cppgc-profile) |
| `FinalizerFunctions` (*profile*) | list of `name(object,callback[,data])` | `lastword::set_finalizer(0,1)`; `bdwgc`: `GC_register_finalizer(0,1,2)`, its `_ignore_self`, `_no_order`, `_unreachable` and `GC_debug_` forms | finalizer registrations |

`CleanupFunctions`, `KeepAliveFunctions`, `AllocationFunctions`,
`CollectFunctions` and `WaitFunctions` are read and printed too, but do not
change what this check reports; so are the profile's
[type roles](../api-profiles.md#type-roles) (`CollectedBases`, `FinalizableBases`, `FinalizableTypes`, `MemberTypes`, `WeakMemberTypes`, `UntracedMemberTypes`, `PersistentTypes`, `WeakPersistentTypes`, `RootTypes`, `TraceMethods`, `VisitFunctions`, `PlacementTags` and `PreFinalizerMacros`).

## Limitations

TODO.
"""


def test_text(name):
    check = "gc-" + name
    return f"""// RUN: %check_gc %s {check} %t
// TODO: the real cases: positives, tricky near misses that must stay silent,
// macros and templates (docs/contributing.md).

#include <lastword/gc.hpp>

struct Res {{
  int fd = -1;
}};

void registers(Res *r) {{
  lastword::set_finalizer(r, [](Res *self) {{ self->fd = -1; }});
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'lastword::set_finalizer' registers a finalizer here [{check}]
}}

#define TRACK(obj) lastword::set_finalizer(obj, [](Res *) {{}})

void through_a_macro(Res *r) {{
  TRACK(r);
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'lastword::set_finalizer' registers a finalizer here [{check}]
}}

// Near misses: they must stay silent.

void unregisters(Res *r) {{ lastword::set_finalizer(r, nullptr); }}

namespace other {{
template <class T, class F> void set_finalizer(T *, F) {{}}
}} // namespace other

void not_the_api(Res *r) {{ other::set_finalizer(r, [](Res *) {{}}); }}

void suppressed(Res *r) {{
  lastword::set_finalizer(r, [](Res *) {{}}); // NOLINT({check})
}}
"""


def readme_row(name):
    check = "gc-" + name
    return ("| [`%s`](docs/checks/%s.md) | TODO: the bug | TODO: what happens at run time |\n"
            % (check, check))


def insert_sorted(lines, pattern, new_line, key, what, path):
    """Inserts new_line among the lines matching pattern, ordered by key (None: last)."""
    indices = [i for i, line in enumerate(lines) if re.match(pattern, line)]
    if not indices:
        raise Refused("cannot find %s in %s: it no longer looks as this script expects; "
                      "add the check by hand (docs/contributing.md)" % (what, path))
    if new_line in lines:
        raise Refused("%s already contains: %s" % (path, new_line.strip()))
    at = indices[-1] + 1
    for i in indices if key else []:
        if key(new_line) < key(lines[i]):
            at = i
            break
    lines.insert(at, new_line)


def plan(root, name):
    """All files to write, {relative path: text}; raises Refused on any problem."""
    cls = class_name(name)
    check = "gc-" + name
    created = {
        "checks/gc/%sCheck.h" % cls: header_text(name, cls),
        "checks/gc/%sCheck.cpp" % cls: source_text(name, cls),
        "docs/checks/%s.md" % check: doc_text(name),
        "test/checks/%s.cpp" % check: test_text(name),
    }
    for rel in created:
        if os.path.exists(os.path.join(root, rel)):
            raise Refused("check '%s' already exists: %s is there" % (check, rel))

    def read(rel):
        path = os.path.join(root, rel)
        if not os.path.isfile(path):
            raise Refused("%s not found: run from a lastword tree, or pass --root" % rel)
        with open(path, encoding="utf-8") as f:
            return f.read()

    module_rel = "checks/gc/GcTidyModule.cpp"
    module = read(module_rel)
    if re.search(r'registerCheck<\w+>\(\s*"%s"\s*\)' % re.escape(check), module):
        raise Refused("check '%s' already exists: %s registers it" % (check, module_rel))
    if re.search(r"\b%sCheck\b" % cls, module):
        raise Refused("class %sCheck already exists: %s names it" % (cls, module_rel))
    lines = module.splitlines(keepends=True)
    insert_sorted(lines, r'#include "gc/\w+Check\.h"', '#include "gc/%sCheck.h"\n' % cls,
                  lambda l: l, "the check includes", module_rel)
    insert_sorted(lines, r'\s*CheckFactories\.registerCheck<\w+>\("gc-[a-z0-9-]+"\);',
                  '  CheckFactories.registerCheck<%sCheck>("%s");\n' % (cls, check),
                  lambda l: re.search(r'"(gc-[a-z0-9-]+)"', l).group(1),
                  "the registerCheck calls", module_rel)
    changed = {module_rel: "".join(lines)}

    cmake_rel = "checks/CMakeLists.txt"
    lines = read(cmake_rel).splitlines(keepends=True)
    insert_sorted(lines, r"\s+gc/\w+Check\.cpp\s*$", "  gc/%sCheck.cpp\n" % cls,
                  lambda l: l.strip(), "the list of gc/*Check.cpp sources", cmake_rel)
    changed[cmake_rel] = "".join(lines)

    readme_rel = "README.md"
    lines = read(readme_rel).splitlines(keepends=True)
    # The table's order is editorial: the new check goes last.
    insert_sorted(lines, r"\| \[`gc-[a-z0-9-]+`\]", readme_row(name), None,
                  "the table of checks", readme_rel)
    changed[readme_rel] = "".join(lines)
    return created, changed


def main(argv):
    parser = argparse.ArgumentParser(
        prog="new-check.py", description="Creates the skeleton of a new gc-* check.")
    parser.add_argument("name", help="the check's name, e.g. finalizer-escape or gc-finalizer-escape")
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       os.pardir),
                        help="the lastword source tree (default: the one holding this script)")
    args = parser.parse_args(argv)
    try:
        name = check_name(args.name)
    except ValueError as error:
        sys.stderr.write("new-check: error: %s\n" % error)
        return 2
    root = os.path.abspath(args.root)
    try:
        created, changed = plan(root, name)
    except Refused as error:
        sys.stderr.write("new-check: error: %s; nothing written\n" % error)
        return 1
    for rel, text in list(created.items()) + list(changed.items()):
        with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
            f.write(text)
    for rel in created:
        print("created  " + rel)
    for rel in changed:
        print("updated  " + rel)
    print("next: build (cmake --build build), run the new test "
          "(lit -sv build/test/checks/gc-%s.cpp), then fill in every TODO" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
