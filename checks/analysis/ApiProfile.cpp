//===--- ApiProfile.cpp ---------------------------------------------------===//

#include "analysis/ApiProfile.h"
#include "analysis/OptionLists.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"
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
  const char *CppgcNames;
};

// Boehm's macros (GC_REGISTER_FINALIZER, GC_MALLOC, GC_NEW) expand to these
// functions, with the GC_debug_ ones under GC_DEBUG.
const RoleDefaults Roles[] = {
    {ApiRole::Finalizer,
     "FinalizerFunctions",
     {"", 0, 1, -1},
     "lastword::set_finalizer",
     "GC_register_finalizer(0,1,2);GC_register_finalizer_ignore_self(0,1,2);"
     "GC_register_finalizer_no_order(0,1,2);GC_register_finalizer_unreachable(0,1,2);"
     "GC_debug_register_finalizer(0,1,2);GC_debug_register_finalizer_ignore_self(0,1,2);"
     "GC_debug_register_finalizer_no_order(0,1,2);"
     "GC_debug_register_finalizer_unreachable(0,1,2)",
     ""},
    {ApiRole::Cleanup, "CleanupFunctions", {"", 0, 1, 2}, "lastword::add_cleanup", "", ""},
    {ApiRole::KeepAlive,
     "KeepAliveFunctions",
     {"", 0, -1, -1},
     "lastword::keep_alive",
     "GC_noop1;GC_reachable_here",
     ""},
    {ApiRole::Allocation,
     "AllocationFunctions",
     {"", -1, -1, -1},
     "lastword::make",
     "GC_malloc;GC_malloc_atomic;GC_malloc_ignore_off_page;"
     "GC_malloc_atomic_ignore_off_page;GC_debug_malloc;GC_debug_malloc_atomic;"
     "GC_debug_malloc_replacement;GC_malloc_explicitly_typed",
     "cppgc::MakeGarbageCollected"},
    {ApiRole::Collect,
     "CollectFunctions",
     {"", -1, -1, -1},
     "lastword::collect",
     "GC_gcollect;GC_gcollect_and_unmap;GC_try_to_collect",
     "cppgc::Heap::ForceGarbageCollectionSlow"},
    {ApiRole::WaitForFinalizers,
     "WaitFunctions",
     {"", -1, -1, -1},
     "lastword::wait_for_finalizers",
     "GC_invoke_finalizers",
     ""},
};

struct TypeRoleDefaults {
  TypeRole Role;
  const char *OptionName;
  const char *LastwordNames;
  const char *BdwgcNames;
  const char *CppgcNames;
};

// lastword needs no collected base: make<T> allocates any type, and a type
// is collected because it is allocated so, traces, or holds member<T>.
// Boehm's C++ interface names its base classes, placement tag and
// GC_base; Boehm traces conservatively, so it has no member wrapper or trace
// method. cppgc's Member, WeakMember, UntracedMember and Persistent are alias
// templates of internal classes, recognised through the alias.
const TypeRoleDefaults TypeRoles[] = {
    {TypeRole::CollectedBase, "CollectedBases", "", "gc;gc_cleanup",
     "cppgc::GarbageCollected;cppgc::GarbageCollectedMixin"},
    {TypeRole::FinalizableBase, "FinalizableBases", "", "gc_cleanup", ""},
    {TypeRole::Finalizable, "FinalizableTypes", "", "", ""},
    {TypeRole::Member, "MemberTypes", "lastword::member", "",
     "cppgc::Member;cppgc::subtle::UncompressedMember"},
    {TypeRole::WeakMember, "WeakMemberTypes", "", "", "cppgc::WeakMember"},
    {TypeRole::UntracedMember, "UntracedMemberTypes", "", "", "cppgc::UntracedMember"},
    {TypeRole::Persistent, "PersistentTypes", "lastword::persistent", "",
     "cppgc::Persistent;cppgc::subtle::CrossThreadPersistent"},
    {TypeRole::WeakPersistent, "WeakPersistentTypes", "", "",
     "cppgc::WeakPersistent;cppgc::subtle::WeakCrossThreadPersistent"},
    {TypeRole::Root, "RootTypes", "", "", ""},
    {TypeRole::TraceMethod, "TraceMethods", "trace", "", "Trace"},
    {TypeRole::VisitFunction, "VisitFunctions",
     "lastword::tracer::visit;lastword::tracer::visit_pointer", "", "cppgc::Visitor::Trace"},
    {TypeRole::PlacementTag, "PlacementTags", "", "GCPlacement", ""},
    {TypeRole::PreFinalizerMacro, "PreFinalizerMacros", "", "",
     "CPPGC_USING_PRE_FINALIZER;USING_PRE_FINALIZER"},
};

const TypeRoleDefaults &defaultsFor(TypeRole Role) { return TypeRoles[static_cast<size_t>(Role)]; }

const char *namesFor(ApiFlavor Flavor, const char *Lastword, const char *Bdwgc, const char *Cppgc) {
  switch (Flavor) {
  case ApiFlavor::Lastword:
    return Lastword;
  case ApiFlavor::Bdwgc:
    return Bdwgc;
  case ApiFlavor::Cppgc:
    return Cppgc;
  }
  return Lastword;
}

bool isNameChar(char C) { return llvm::isAlnum(C) || C == '_' || C == ':'; }

const RoleDefaults &defaultsFor(ApiRole Role) { return Roles[static_cast<size_t>(Role)]; }

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
  for (const std::string &Text : parseOptionList(Value)) {
    llvm::StringRef Entry = Text;
    ApiFunction Function = DefaultPositions;
    auto [Name, Rest] = Entry.split('(');
    Function.Name = Name.trim().str();
    bool Valid = !Function.Name.empty() && llvm::all_of(Function.Name, isNameChar);
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

std::vector<std::string> parseNameList(llvm::StringRef Value, std::vector<std::string> &Rejected) {
  std::vector<std::string> Result;
  for (std::string &Entry : parseOptionList(Value)) {
    llvm::StringRef Name = Entry;
    Name.consume_front("::");
    if (!Name.empty() && llvm::all_of(Name, isNameChar) && !Name.ends_with(":") &&
        !Name.contains(":::"))
      Result.push_back(std::move(Entry));
    else
      Rejected.push_back(std::move(Entry));
  }
  return Result;
}

bool matchesQualifiedName(llvm::StringRef QualifiedName, llvm::StringRef Pattern) {
  Pattern.consume_front("::");
  QualifiedName.consume_front("::");
  if (Pattern.empty())
    return false;
  if (QualifiedName == Pattern)
    return true;
  // A qualified pattern is anchored (`lastword::make` never matches
  // `app::lastword::make`); an unqualified one matches in any scope.
  if (Pattern.contains("::"))
    return false;
  return QualifiedName.size() > Pattern.size() + 2 && QualifiedName.ends_with(Pattern) &&
         QualifiedName.drop_back(Pattern.size()).ends_with("::");
}

NameList::NameList(std::vector<std::string> Patterns) : Patterns(std::move(Patterns)) {
  for (llvm::StringRef Pattern : this->Patterns) {
    size_t Colon = Pattern.rfind(':');
    LastNames.insert(Colon == llvm::StringRef::npos ? Pattern : Pattern.drop_front(Colon + 1));
  }
}

bool NameList::matches(llvm::StringRef QualifiedName) const {
  return llvm::any_of(Patterns, [&](const std::string &Pattern) {
    return matchesQualifiedName(QualifiedName, Pattern);
  });
}

bool NameList::matches(const clang::NamedDecl &D) const {
  if (Patterns.empty() || !D.getIdentifier() || !mayMatch(D.getIdentifier()->getName()))
    return false;
  const clang::NamedDecl *Named = &D;
  if (const auto *Specialization = llvm::dyn_cast<clang::ClassTemplateSpecializationDecl>(&D))
    Named = Specialization->getSpecializedTemplate();
  return matches(Named->getQualifiedNameAsString());
}

ApiProfile ApiProfile::defaults(ApiFlavor Flavor) {
  ApiProfile Profile;
  Profile.Flavor = Flavor;
  for (ApiRole Role : AllApiRoles) {
    const RoleDefaults &D = defaultsFor(Role);
    std::vector<std::string> Ignored;
    Profile.Functions[static_cast<size_t>(Role)] = parseApiFunctionList(
        namesFor(Flavor, D.LastwordNames, D.BdwgcNames, D.CppgcNames), D.Positions, Ignored);
  }
  for (TypeRole Role : AllTypeRoles) {
    const TypeRoleDefaults &D = defaultsFor(Role);
    std::vector<std::string> Ignored;
    Profile.Types[static_cast<size_t>(Role)] = NameList(
        parseNameList(namesFor(Flavor, D.LastwordNames, D.BdwgcNames, D.CppgcNames), Ignored));
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
  for (TypeRole Role : AllTypeRoles) {
    const TypeRoleDefaults &D = defaultsFor(Role);
    std::optional<llvm::StringRef> Value = Options.getLocalOrGlobal(D.OptionName);
    if (!Value)
      continue;
    std::vector<std::string> Rejected;
    Profile.Types[static_cast<size_t>(Role)] = NameList(parseNameList(*Value, Rejected));
    for (const std::string &Entry : Rejected)
      Check.configurationDiag("invalid entry '%0' in option '%1': expected a qualified name",
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
  for (TypeRole Role : AllTypeRoles)
    Options.store(Opts, optionName(Role), serialise(Role));
}

std::vector<llvm::StringRef> ApiProfile::names(ApiRole Role) const {
  std::vector<llvm::StringRef> Names;
  for (const ApiFunction &Function : functions(Role))
    Names.push_back(Function.Name);
  return Names;
}

const ApiFunction *ApiProfile::lookup(ApiRole Role, llvm::StringRef QualifiedName) const {
  for (const ApiFunction &Function : functions(Role))
    if (matchesQualifiedName(QualifiedName, Function.Name))
      return &Function;
  return nullptr;
}

const clang::NamedDecl *ApiProfile::matchType(TypeRole Role, clang::QualType Type) const {
  const NameList &Names = types(Role);
  if (Names.empty() || Type.isNull())
    return nullptr;
  // Walk the sugar: the alias or typedef as written, then what it stands for.
  const clang::Type *T = Type.getTypePtr();
  for (unsigned Step = 0; T && Step < 16; ++Step) {
    const clang::NamedDecl *Named = nullptr;
    if (const auto *Typedef = llvm::dyn_cast<clang::TypedefType>(T))
      Named = Typedef->getDecl();
    else if (const auto *Specialization = llvm::dyn_cast<clang::TemplateSpecializationType>(T))
      Named = Specialization->getTemplateName().getAsTemplateDecl();
    else if (const auto *Record = llvm::dyn_cast<clang::RecordType>(T))
      Named = Record->getDecl();
    else if (const auto *Enum = llvm::dyn_cast<clang::EnumType>(T))
      Named = Enum->getDecl();
    else if (const auto *Injected = llvm::dyn_cast<clang::InjectedClassNameType>(T))
      Named = Injected->getDecl();
    if (Named && Names.matches(*Named))
      return Named;
    clang::QualType Next = T->getLocallyUnqualifiedSingleStepDesugaredType();
    if (Next.getTypePtr() == T)
      break;
    T = Next.getTypePtr();
  }
  return nullptr;
}

const NameList &ApiProfile::objectStartFunctions() {
  static const NameList Names({"GC_base"});
  return Names;
}

const NameList &ApiProfile::scannedAllocators() {
  static const NameList Names(
      {"gc_allocator", "gc_allocator_ignore_off_page", "traceable_allocator"});
  return Names;
}

const NameList &ApiProfile::unscannedAllocators() {
  static const NameList Names({"::malloc", "::calloc", "::realloc", "::GC_malloc_atomic",
                               "::GC_malloc_atomic_ignore_off_page", "::GC_debug_malloc_atomic",
                               "::GC_malloc_atomic_uncollectable",
                               "::GC_debug_malloc_atomic_uncollectable"});
  return Names;
}

const NameList &ApiProfile::freeFunctions() {
  static const NameList Names({"::free", "::GC_free", "::GC_debug_free"});
  return Names;
}

const NameList &ApiProfile::disappearingLinkFunctions() {
  static const NameList Names({"::GC_general_register_disappearing_link",
                               "::GC_register_disappearing_link", "::GC_register_long_link",
                               "::GC_move_disappearing_link", "::GC_move_long_link"});
  return Names;
}

bool ApiProfile::isPointerHidingMacro(llvm::StringRef MacroName) {
  return MacroName == "GC_HIDE_POINTER";
}

std::string ApiProfile::keepAliveSpelling() const {
  if (Flavor == ApiFlavor::Bdwgc)
    return "GC_reachable_here";
  const std::vector<ApiFunction> &KeepAlive = functions(ApiRole::KeepAlive);
  return llvm::StringRef(KeepAlive.empty() ? "lastword::keep_alive" : KeepAlive.front().Name)
      .ltrim(':')
      .str();
}

bool ApiProfile::isInLibraryNamespace(const clang::Decl &D) {
  // Built on first use from the built-in profiles' qualified names.
  static const llvm::StringSet<> Namespaces = [] {
    llvm::StringSet<> Out;
    auto Add = [&Out](llvm::StringRef Name) {
      Name.consume_front("::");
      size_t Colon = Name.find("::");
      if (Colon != llvm::StringRef::npos)
        Out.insert(Name.take_front(Colon));
    };
    for (ApiFlavor Flavor : {ApiFlavor::Lastword, ApiFlavor::Bdwgc, ApiFlavor::Cppgc}) {
      ApiProfile Profile = defaults(Flavor);
      for (ApiRole Role : AllApiRoles)
        for (const ApiFunction &Function : Profile.functions(Role))
          Add(Function.Name);
      for (TypeRole Role : AllTypeRoles)
        for (const std::string &Name : Profile.types(Role).patterns())
          Add(Name);
    }
    return Out;
  }();
  const clang::DeclContext *Context = D.getDeclContext();
  const clang::NamespaceDecl *Outermost = nullptr;
  for (; Context && !Context->isTranslationUnit(); Context = Context->getParent())
    if (const auto *Namespace = llvm::dyn_cast<clang::NamespaceDecl>(Context))
      Outermost = Namespace;
  return Outermost && Outermost->getIdentifier() &&
         Namespaces.contains(Outermost->getIdentifier()->getName());
}

llvm::StringRef ApiProfile::redirectOf(llvm::StringRef Name) const {
  if (Flavor != ApiFlavor::Bdwgc)
    return {};
  // gc_pthread_redirects.h (included by gc.h when GC_THREADS is defined).
  static constexpr std::pair<const char *, const char *> Redirects[] = {
      {"pthread_create", "GC_pthread_create"},
      {"pthread_join", "GC_pthread_join"},
      {"pthread_detach", "GC_pthread_detach"},
      {"pthread_sigmask", "GC_pthread_sigmask"},
      {"pthread_cancel", "GC_pthread_cancel"},
      {"pthread_exit", "GC_pthread_exit"},
      {"dlopen", "GC_dlopen"}};
  for (const auto &[From, To] : Redirects)
    if (Name == From)
      return To;
  return {};
}

bool ApiProfile::rejectsObjectAsData(const ApiFunction &Function) {
  return matchesQualifiedName("lastword::add_cleanup", Function.Name) &&
         llvm::StringRef(Function.Name).contains("::");
}

bool ApiProfile::isFunction(TypeRole Role, const clang::FunctionDecl &Function) const {
  return types(Role).matches(Function);
}

std::string ApiProfile::serialise(ApiRole Role) const {
  const ApiFunction &Defaults = defaultsFor(Role).Positions;
  std::vector<std::string> Entries;
  for (const ApiFunction &Function : functions(Role)) {
    std::string Entry = Function.Name;
    if (Defaults.ObjectArg >= 0 || Function.ObjectArg >= 0) {
      Entry += '(' + std::to_string(Function.ObjectArg);
      if (Function.CallbackArg >= 0 || Function.DataArg >= 0)
        Entry += ',' + std::to_string(Function.CallbackArg);
      if (Function.DataArg >= 0)
        Entry += ',' + std::to_string(Function.DataArg);
      Entry += ')';
    }
    Entries.push_back(std::move(Entry));
  }
  return serializeOptionList(Entries);
}

std::string ApiProfile::serialise(TypeRole Role) const {
  return serializeOptionList(types(Role).patterns());
}

llvm::StringRef ApiProfile::optionName(ApiRole Role) { return defaultsFor(Role).OptionName; }

llvm::StringRef ApiProfile::optionName(TypeRole Role) { return defaultsFor(Role).OptionName; }

llvm::StringRef ApiProfile::flavorName(ApiFlavor Flavor) {
  return namesFor(Flavor, "lastword", "bdwgc", "cppgc");
}

} // namespace lastword::analysis

llvm::ArrayRef<std::pair<lastword::analysis::ApiFlavor, llvm::StringRef>>
clang::tidy::OptionEnumMapping<lastword::analysis::ApiFlavor>::getEnumMapping() {
  static constexpr std::pair<lastword::analysis::ApiFlavor, llvm::StringRef> Mapping[] = {
      {lastword::analysis::ApiFlavor::Lastword, "lastword"},
      {lastword::analysis::ApiFlavor::Bdwgc, "bdwgc"},
      {lastword::analysis::ApiFlavor::Cppgc, "cppgc"}};
  return Mapping;
}
