//===--- ApiProfile.cpp ---------------------------------------------------===//

#include "analysis/ApiProfile.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using clang::tidy::ClangTidyCheck;
using clang::tidy::ClangTidyOptions;

namespace lastword::analysis {
namespace {

struct RoleDefaults {
  ApiRole Role;
  const char *OptionName;
  ApiFunction Positions;
  const char *LastwordNames;
  const char *BdwgcNames;
};

// Boehm's macros (GC_REGISTER_FINALIZER, GC_MALLOC, GC_NEW) expand to these
// functions, with the GC_debug_ ones under GC_DEBUG.
const RoleDefaults Roles[] = {
    {ApiRole::Finalizer, "FinalizerFunctions", {"", 0, 1, -1},
     "lastword::set_finalizer",
     "GC_register_finalizer(0,1,2);GC_register_finalizer_ignore_self(0,1,2);"
     "GC_register_finalizer_no_order(0,1,2);GC_register_finalizer_unreachable(0,1,2);"
     "GC_debug_register_finalizer(0,1,2);GC_debug_register_finalizer_ignore_self(0,1,2);"
     "GC_debug_register_finalizer_no_order(0,1,2);"
     "GC_debug_register_finalizer_unreachable(0,1,2)"},
    {ApiRole::Cleanup, "CleanupFunctions", {"", 0, 1, 2}, "lastword::add_cleanup", ""},
    {ApiRole::KeepAlive, "KeepAliveFunctions", {"", 0, -1, -1}, "lastword::keep_alive",
     "GC_noop1;GC_reachable_here"},
    {ApiRole::Allocation, "AllocationFunctions", {"", -1, -1, -1}, "lastword::make",
     "GC_malloc;GC_malloc_atomic;GC_malloc_ignore_off_page;"
     "GC_malloc_atomic_ignore_off_page;GC_debug_malloc;GC_debug_malloc_atomic;"
     "GC_debug_malloc_replacement;GC_malloc_explicitly_typed"},
    {ApiRole::Collect, "CollectFunctions", {"", -1, -1, -1}, "lastword::collect",
     "GC_gcollect;GC_gcollect_and_unmap;GC_try_to_collect"},
    {ApiRole::WaitForFinalizers, "WaitFunctions", {"", -1, -1, -1},
     "lastword::wait_for_finalizers", "GC_invoke_finalizers"},
};

const RoleDefaults &defaultsFor(ApiRole Role) {
  return Roles[static_cast<size_t>(Role)];
}

std::optional<int> parsePosition(llvm::StringRef Text) {
  Text = Text.trim();
  int Value;
  if (Text.getAsInteger(10, Value) || Value < 0 || Value > 64)
    return std::nullopt;
  return Value;
}

} // namespace

std::vector<ApiFunction> parseApiFunctionList(llvm::StringRef Value,
                                              const ApiFunction &DefaultPositions,
                                              std::vector<std::string> &Rejected) {
  std::vector<ApiFunction> Result;
  llvm::SmallVector<llvm::StringRef, 8> Entries;
  Value.split(Entries, ';', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef Entry : Entries) {
    Entry = Entry.trim();
    if (Entry.empty())
      continue;
    ApiFunction Function = DefaultPositions;
    auto [Name, Rest] = Entry.split('(');
    Function.Name = Name.trim().str();
    bool Valid = !Function.Name.empty() &&
                 llvm::all_of(Function.Name, [](char C) {
                   return llvm::isAlnum(C) || C == '_' || C == ':';
                 });
    if (Valid && Entry.contains('(')) {
      if (!Rest.consume_back(")")) {
        Valid = false;
      } else {
        llvm::SmallVector<llvm::StringRef, 3> Positions;
        Rest.split(Positions, ',');
        int *Slots[] = {&Function.ObjectArg, &Function.CallbackArg, &Function.DataArg};
        if (Positions.size() > 3)
          Valid = false;
        for (size_t I = 0; Valid && I < Positions.size(); ++I) {
          std::optional<int> Position = parsePosition(Positions[I]);
          if (!Position)
            Valid = false;
          else
            *Slots[I] = *Position;
        }
      }
    }
    if (Valid)
      Result.push_back(std::move(Function));
    else
      Rejected.push_back(Entry.str());
  }
  return Result;
}

ApiProfile ApiProfile::defaults(ApiFlavor Flavor) {
  ApiProfile Profile;
  Profile.Flavor = Flavor;
  for (ApiRole Role : AllApiRoles) {
    const RoleDefaults &D = defaultsFor(Role);
    std::vector<std::string> Ignored;
    Profile.Functions[static_cast<size_t>(Role)] = parseApiFunctionList(
        Flavor == ApiFlavor::Lastword ? D.LastwordNames : D.BdwgcNames, D.Positions, Ignored);
  }
  return Profile;
}

ApiProfile ApiProfile::fromOptions(const ClangTidyCheck &Check,
                                   const ClangTidyCheck::OptionsView &Options) {
  ApiFlavor Flavor = Options.getLocalOrGlobal("Api", ApiFlavor::Lastword);
  ApiProfile Profile = defaults(Flavor);
  for (ApiRole Role : AllApiRoles) {
    const RoleDefaults &D = defaultsFor(Role);
    std::optional<llvm::StringRef> Value = Options.getLocalOrGlobal(D.OptionName);
    if (!Value)
      continue;
    std::vector<std::string> Rejected;
    Profile.Functions[static_cast<size_t>(Role)] =
        parseApiFunctionList(*Value, D.Positions, Rejected);
    for (const std::string &Entry : Rejected)
      Check.configurationDiag("invalid entry '%0' in option '%1': expected a qualified "
                              "name, optionally followed by (object,callback,data) "
                              "argument positions",
                              clang::DiagnosticIDs::Error)
          << Entry << D.OptionName;
  }
  return Profile;
}

void ApiProfile::storeOptions(ClangTidyCheck::OptionsView &Options,
                              ClangTidyOptions::OptionMap &Opts) const {
  Options.store(Opts, "Api", flavorName(Flavor));
  for (ApiRole Role : AllApiRoles)
    Options.store(Opts, optionName(Role), serialise(Role));
}

std::vector<llvm::StringRef> ApiProfile::names(ApiRole Role) const {
  std::vector<llvm::StringRef> Names;
  for (const ApiFunction &Function : functions(Role))
    Names.push_back(Function.Name);
  return Names;
}

const ApiFunction *ApiProfile::lookup(ApiRole Role, llvm::StringRef QualifiedName) const {
  for (const ApiFunction &Function : functions(Role)) {
    llvm::StringRef Name = Function.Name;
    Name.consume_front("::");
    // An unqualified entry names the function in any namespace, as hasName does.
    if (QualifiedName == Name ||
        (!Name.contains("::") && QualifiedName.ends_with("::" + Name.str())))
      return &Function;
  }
  return nullptr;
}

std::string ApiProfile::serialise(ApiRole Role) const {
  const ApiFunction &Defaults = defaultsFor(Role).Positions;
  std::string Out;
  for (const ApiFunction &Function : functions(Role)) {
    if (!Out.empty())
      Out += ';';
    Out += Function.Name;
    if (Defaults.ObjectArg < 0 && Function.ObjectArg < 0)
      continue;
    Out += '(' + std::to_string(Function.ObjectArg);
    if (Function.CallbackArg >= 0 || Function.DataArg >= 0)
      Out += ',' + std::to_string(Function.CallbackArg);
    if (Function.DataArg >= 0)
      Out += ',' + std::to_string(Function.DataArg);
    Out += ')';
  }
  return Out;
}

llvm::StringRef ApiProfile::optionName(ApiRole Role) { return defaultsFor(Role).OptionName; }

llvm::StringRef ApiProfile::flavorName(ApiFlavor Flavor) {
  return Flavor == ApiFlavor::Lastword ? "lastword" : "bdwgc";
}

} // namespace lastword::analysis

llvm::ArrayRef<std::pair<lastword::analysis::ApiFlavor, llvm::StringRef>>
clang::tidy::OptionEnumMapping<lastword::analysis::ApiFlavor>::getEnumMapping() {
  static constexpr std::pair<lastword::analysis::ApiFlavor, llvm::StringRef> Mapping[] = {
      {lastword::analysis::ApiFlavor::Lastword, "lastword"},
      {lastword::analysis::ApiFlavor::Bdwgc, "bdwgc"}};
  return Mapping;
}
