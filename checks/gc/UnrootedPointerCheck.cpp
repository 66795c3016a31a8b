//===--- UnrootedPointerCheck.cpp - gc-unrooted-pointer -------------------===//

#include "gc/UnrootedPointerCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/SourceUtils.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include <cctype>

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

std::string recordName(const RecordDecl *Record) {
  std::string Name = Record ? identifierName(Record).str() : std::string();
  return Name.empty() ? std::string("object") : Name;
}

std::string describeVar(const VarDecl &Var) {
  std::string Name = identifierName(&Var).str();
  if (Var.isStaticDataMember())
    return "static member '" + recordName(dyn_cast<RecordDecl>(Var.getDeclContext())) +
           "::" + Name + "'";
  if (Var.isStaticLocal())
    return "static '" + Name + "'";
  if (Var.getTLSKind() != VarDecl::TLS_None)
    return "thread_local '" + Name + "'";
  return "global '" + Name + "'";
}

std::string templateName(QualType Type) {
  if (const auto *Record = Type.getCanonicalType()->getAsCXXRecordDecl())
    return "std::" + identifierName(Record).str();
  return "container";
}

bool isStdType(QualType Type) {
  const auto *Record = Type.getCanonicalType()->getAsCXXRecordDecl();
  return Record && Record->isInStdNamespace();
}

const char *allocatorName(const Expr &Allocation) {
  if (isa<CXXNewExpr>(Allocation))
    return "new";
  if (const auto *Cast = dyn_cast<CastExpr>(&Allocation))
    if (const auto *Call = dyn_cast<CallExpr>(Cast->getSubExpr()->IgnoreParenImpCasts()))
      if (const FunctionDecl *Callee = Call->getDirectCallee())
        return identifierName(Callee) == "calloc"    ? "calloc"
               : identifierName(Callee) == "realloc" ? "realloc"
                                                     : "malloc";
  if (const auto *Call = dyn_cast<CallExpr>(&Allocation))
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      return identifierName(Callee) == "make_shared" ? "std::make_shared" : "std::make_unique";
  return "new";
}

} // namespace

UnrootedPointerCheck::UnrootedPointerCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context) {}

// The bundled runtime scans stacks, registers and persistent handles only;
// Boehm GC scans static data too, and, with libgccpp, `new`'ed memory.
bool UnrootedPointerCheck::precise() const { return Profile.flavor() != ApiFlavor::Bdwgc; }

bool UnrootedPointerCheck::operatorNewHides() {
  return precise() || !types().operatorNewIsScanned();
}

std::string UnrootedPointerCheck::persistentTemplate() const {
  const NameList &Persistent = Profile.types(TypeRole::Persistent);
  return Persistent.empty() ? std::string()
                            : StringRef(Persistent.patterns().front()).ltrim(':').str();
}

CollectedTypes &UnrootedPointerCheck::types() {
  if (!Types)
    Types = std::make_unique<CollectedTypes>(*Context, Profile);
  return *Types;
}

void UnrootedPointerCheck::registerMatchers(MatchFinder *Finder) {
  auto User = unless(isExpansionInSystemHeader());
  Finder->addMatcher(varDecl(hasGlobalStorage(), unless(parmVarDecl()), User).bind("global"), this);
  Finder->addMatcher(cxxNewExpr(User).bind("new"), this);
  Finder->addMatcher(callExpr(callsFunctionNamed({"::std::make_unique", "::std::make_shared",
                                                  "::std::allocate_shared"}),
                              User)
                         .bind("make-smart"),
                     this);
  // The check ignores implicit nodes: only a cast as written can match.
  Finder->addMatcher(
      explicitCastExpr(hasType(pointerType()),
                       hasSourceExpression(ignoringParenImpCasts(callExpr(
                           callee(functionDecl(hasAnyName("::malloc", "::calloc", "::realloc")))))),
                       User)
          .bind("malloc"),
      this);
}

void UnrootedPointerCheck::check(const MatchFinder::MatchResult &Result) {
  SM = Result.SourceManager;
  Context = Result.Context;
  const auto &Nodes = Result.Nodes;
  if (const auto *Var = Nodes.getNodeAs<VarDecl>("global")) {
    if (!isInSystemCode(Var->getLocation(), *SM))
      Globals.push_back(Var);
    return;
  }
  auto noteAllocation = [&](QualType Type, const Expr &Allocation) {
    if (Type.isNull() || Type->isDependentType())
      return;
    Type = Type.getCanonicalType();
    if (Type->isPointerType()) {
      PointerArrays.push_back({&Allocation, Type});
      return;
    }
    if (const RecordDecl *Record = recordOf(Type))
      HeapRecords.insert({Record, &Allocation});
  };
  if (const auto *New = Nodes.getNodeAs<CXXNewExpr>("new")) {
    if (New->getNumPlacementArgs() == 0)
      noteAllocation(New->getAllocatedType(), *New);
    return;
  }
  if (const auto *Call = Nodes.getNodeAs<CallExpr>("make-smart")) {
    QualType Type = Call->getType();
    if (const auto *Spec =
            dyn_cast_or_null<ClassTemplateSpecializationDecl>(Type->getAsCXXRecordDecl()))
      if (Spec->getTemplateArgs().size() >= 1 &&
          Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
        noteAllocation(Spec->getTemplateArgs()[0].getAsType(), *Call);
    return;
  }
  if (const auto *Cast = Nodes.getNodeAs<CastExpr>("malloc")) {
    // Boehm GC: gc-hidden-pointer reports collected pointers in malloc'ed memory.
    if (precise())
      noteAllocation(Cast->getType()->getPointeeType(), *Cast);
    return;
  }
}

std::string UnrootedPointerCheck::advice(const RecordDecl *Target, bool Elements) const {
  std::string Name = recordName(Target);
  if (!precise())
    return Elements ? "give the container 'gc_allocator', or keep the objects reachable from "
                      "collected memory"
                    : "allocate the holder with 'GC_MALLOC_UNCOLLECTABLE' or derive it from "
                      "'gc'";
  std::string Persistent = persistentTemplate();
  if (Persistent.empty())
    return Elements ? "keep the objects reachable from a root" : "keep it reachable from a root";
  return Elements ? "keep '" + Persistent + "<" + Name + ">' elements"
                  : "keep it in a '" + Persistent + "<" + Name + ">'";
}

const RecordDecl *UnrootedPointerCheck::rawTarget(QualType Type) {
  Type = Type.getCanonicalType();
  while (const auto *Array = dyn_cast<ArrayType>(Type.getTypePtr()))
    Type = Array->getElementType().getCanonicalType();
  if (!Type->isPointerType() && !Type->isReferenceType())
    return nullptr;
  return types().collectedRecord(Type);
}

// `Node *current = nullptr;` becomes `lastword::persistent<Node> current = nullptr;`
// (the profile's first PersistentTypes name).
void UnrootedPointerCheck::offerPersistent(DiagnosticBuilder &D, const DeclaratorDecl &Decl) {
  const auto *Var = dyn_cast<VarDecl>(&Decl);
  if (!Var) {
    if (std::optional<FixItHint> Fix = persistentFix(Decl))
      D << *Fix;
    return;
  }
  // A static member declared in its class and defined outside changes at
  // both, or the program no longer compiles: every declaration or none.
  llvm::SmallVector<FixItHint, 2> Fixes;
  for (const VarDecl *Redeclaration : Var->redecls()) {
    std::optional<FixItHint> Fix = persistentFix(*Redeclaration);
    if (!Fix)
      return;
    Fixes.push_back(*Fix);
  }
  for (const FixItHint &Fix : Fixes)
    D << Fix;
}

std::optional<FixItHint> UnrootedPointerCheck::persistentFix(const DeclaratorDecl &Decl) {
  TypeSourceInfo *Info = Decl.getTypeSourceInfo();
  if (!Info)
    return std::nullopt;
  auto Pointer = Info->getTypeLoc().getAs<PointerTypeLoc>();
  SourceLocation Begin = Decl.getBeginLoc();
  // An out-of-line definition names its class first: `Node *Cache::last`.
  SourceLocation Name =
      Decl.getQualifierLoc() ? Decl.getQualifierLoc().getBeginLoc() : Decl.getLocation();
  if (!Pointer || Begin.isMacroID() || Name.isMacroID() || Pointer.getStarLoc().isMacroID() ||
      SM->getFileID(Begin) != SM->getFileID(Name))
    return std::nullopt;
  if (const auto *Var = dyn_cast<VarDecl>(&Decl))
    if (Var->isConstexpr() || Var->hasExternalStorage())
      return std::nullopt;
  // `Node *a, *b;`: the first declarator does not show the comma.
  if (const auto *Next = dyn_cast_or_null<DeclaratorDecl>(Decl.getNextDeclInContext()))
    if (Next->getBeginLoc() == Begin)
      return std::nullopt;
  const LangOptions &Lang = Context->getLangOpts();
  StringRef Declared = Lexer::getSourceText(CharSourceRange::getCharRange(Begin, Name), *SM, Lang);
  StringRef Before =
      Lexer::getSourceText(CharSourceRange::getCharRange(Begin, Pointer.getStarLoc()), *SM, Lang);
  // One declarator only, nothing between the star and the name (`*const`).
  if (Declared.empty() || Before.empty() || Declared.contains(',') ||
      !Declared.substr(Before.size() + 1).trim().empty())
    return std::nullopt;
  // Keep the specifiers in front: `static`, `inline`, `thread_local`.
  std::string Prefix;
  StringRef Rest = Before.trim();
  for (StringRef Keyword : {"static", "inline", "thread_local", "constinit", "mutable"}) {
    StringRef Trimmed = Rest;
    if (Trimmed.consume_front(Keyword) && !Trimmed.empty() && isspace(Trimmed.front())) {
      Prefix += Keyword.str() + " ";
      Rest = Trimmed.trim();
    }
  }
  std::string Persistent = persistentTemplate();
  if (Rest.empty() || Persistent.empty())
    return std::nullopt;
  return FixItHint::CreateReplacement(CharSourceRange::getCharRange(Begin, Name),
                                      Prefix + Persistent + "<" + Rest.str() + "> ");
}

void UnrootedPointerCheck::checkGlobal(const VarDecl &Var) {
  if (Var.isInvalidDecl() || Var.hasExternalStorage())
    return;
  // A static member of a class template whose type depends on the template
  // is judged through its instantiations (`Pipeline<Rgb>::registry`, a
  // `std::vector<Stage<Rgb> *>`), reported once at the pattern.
  if (Var.getType()->isDependentType()) {
    // A static local of a template function (`static Table entries;` in
    // `Cache<Key>::table()`): the same local in each instantiation.
    if (const auto *Function = dyn_cast<FunctionDecl>(Var.getDeclContext());
        Function && Var.isStaticLocal()) {
      forEachInstantiation(*Function, [&](const FunctionDecl &Instance) {
        visitStmts(Instance.getBody(), [&](const Stmt &S) {
          if (const auto *Decls = dyn_cast<DeclStmt>(&S))
            for (const Decl *D : Decls->decls())
              if (const auto *Local = dyn_cast<VarDecl>(D);
                  Local && Local->isStaticLocal() && Local->getLocation() == Var.getLocation() &&
                  !Local->getType()->isDependentType())
                checkGlobal(*Local);
          return true;
        });
      });
      return;
    }
    const auto *Class = dyn_cast<CXXRecordDecl>(Var.getDeclContext());
    const ClassTemplateDecl *Template = Class ? Class->getDescribedClassTemplate() : nullptr;
    if (!Var.isStaticDataMember() || !Template || !Var.getIdentifier())
      return;
    for (const ClassTemplateSpecializationDecl *Specialization : Template->specializations()) {
      if (Specialization->getSpecializationKind() != TSK_ImplicitInstantiation)
        continue;
      for (const NamedDecl *Member : Specialization->lookup(Var.getDeclName()))
        if (const auto *Instance = dyn_cast<VarDecl>(Member);
            Instance && Instance->getInstantiatedFromStaticDataMember() &&
            !Instance->getType()->isDependentType())
          checkGlobal(*Instance);
    }
    return;
  }
  bool Instantiated = isInTemplateInstantiation(Var);
  if (Instantiated && !Var.isStaticDataMember() && !Var.isStaticLocal())
    return;
  // One finding per variable: at its definition when this translation unit
  // has one (a static member defined outside its class), else at its first
  // declaration.
  const VarDecl *Definition = Var.getDefinition();
  if (&Var != (Definition ? Definition : Var.getCanonicalDecl()))
    return;
  SourceLocation Loc = SM->getFileLoc(Var.getLocation());
  if (!Reported.insert(Loc).second)
    return;
  QualType Type = Var.getType();
  std::string Where = describeVar(Var);
  if (precise()) {
    if (const RecordDecl *Target = rawTarget(Type)) {
      bool Reference = Type->isReferenceType();
      auto D = diag(Loc, "%0 holds a %1 to collected '%2' outside the collected heap: the "
                         "collector does not scan globals, so it can free the object while "
                         "it is still in use; %3")
               << Where << (Reference ? "reference" : "raw pointer") << recordName(Target)
               << advice(Target, false);
      if (!Reference && !Type.getCanonicalType()->isArrayType() && !Instantiated)
        offerPersistent(D, Var);
      return;
    }
    FieldHandle Handle = types().classifyType(Type);
    if ((Handle.Kind == HandleKind::Member || Handle.Kind == HandleKind::WeakMember ||
         Handle.Kind == HandleKind::UntracedMember) &&
        !Handle.Container && !Handle.InArray) {
      std::string Persistent = persistentTemplate();
      diag(Loc, "%0 is a member pointer outside any collected object: nothing traces it, so the "
                "collector can free its target while it is still in use; %1")
          << Where
          << (Persistent.empty() ? std::string("keep it reachable from a root")
                                 : "keep it in a '" + Persistent + "'");
      return;
    }
  }
  if (isStdType(Type)) {
    if (!operatorNewHides())
      return;
    if (const RecordDecl *Target = types().collectedInContainer(Type))
      diag(Loc, "%0 keeps pointers to collected '%1' in a '%2', whose storage the collector "
                "does not scan: it can free the objects while they are still in use; %3")
          << Where << recordName(Target) << templateName(Type) << advice(Target, true);
    return;
  }
  // A global object of a plain type holding raw pointers (not a handle of
  // the profile, whose raw pointer is its own business).
  if (types().classifyType(Type).Wrapper)
    return;
  const RecordDecl *Record = recordOf(Type);
  if (!Record || Type->isPointerType() || Type->isReferenceType() || types().isCollected(*Record) ||
      isInSystemCode(Record->getLocation(), *SM))
    return;
  for (const FieldDecl *Field : Record->fields()) {
    const RecordDecl *Target = precise() ? rawTarget(Field->getType()) : nullptr;
    bool Container = false;
    if (!Target && isStdType(Field->getType()) && operatorNewHides()) {
      Target = types().collectedInContainer(Field->getType());
      Container = Target != nullptr;
    }
    if (!Target)
      continue;
    diag(Loc, "%0 holds %select{a raw pointer|pointers}1 to collected '%2' in field '%3', "
              "outside the collected heap: the collector does not scan it, so it can free the "
              "object while it is still in use; %4")
        << Where << Container << recordName(Target) << identifierName(Field)
        << advice(Target, Container);
    diag(SM->getFileLoc(Field->getLocation()), "'%0' is declared here", DiagnosticIDs::Note)
        << identifierName(Field);
    return;
  }
}

void UnrootedPointerCheck::checkHeapType(const RecordDecl &Record, const Expr &Allocation) {
  QualType Type = Context->getRecordType(&Record);
  if (types().isCollected(Record) || Record.isDependentContext() ||
      (!isStdType(Type) && isInSystemCode(Record.getLocation(), *SM)))
    return;
  if (types().classifyType(Type).Wrapper)
    return;
  if (const auto *New = dyn_cast<CXXNewExpr>(&Allocation))
    if (isCollectedNew(*New, Profile))
      return;
  if (!operatorNewHides())
    return;
  SourceLocation AllocLoc = SM->getFileLoc(Allocation.getBeginLoc());
  if (isStdType(Type)) {
    // `new std::vector<Node *>`.
    if (const RecordDecl *Target = types().collectedInContainer(Type))
      if (Reported.insert(AllocLoc).second)
        diag(AllocLoc, "pointers to collected '%0' kept in a '%1' allocated with '%2', which "
                       "the collector does not scan: it can free the objects while they are "
                       "still in use; %3")
            << recordName(Target) << templateName(Type) << allocatorName(Allocation)
            << advice(Target, true);
    return;
  }
  for (const FieldDecl *Field : Record.fields()) {
    const RecordDecl *Target = rawTarget(Field->getType());
    bool Container = false;
    if (!Target && isStdType(Field->getType())) {
      Target = types().collectedInContainer(Field->getType());
      Container = Target != nullptr;
    }
    if (!Target)
      continue;
    SourceLocation Loc = SM->getFileLoc(Field->getLocation());
    if (!Reported.insert(Loc).second)
      continue;
    {
      auto D = diag(Loc, "field '%0' of '%1' holds %select{a raw pointer|pointers}2 to "
                         "collected '%3', but '%1' is allocated outside the collected heap: "
                         "the collector neither scans nor traces it, so it can free the object "
                         "while it is still in use; %4")
               << identifierName(Field) << recordName(&Record) << Container << recordName(Target)
               << advice(Target, Container);
      if (precise() && !Container && Field->getType()->isPointerType() &&
          !isa<ClassTemplateSpecializationDecl>(Record))
        offerPersistent(D, *Field);
    }
    diag(AllocLoc, "'%0' is allocated with '%1' here", DiagnosticIDs::Note)
        << recordName(&Record) << allocatorName(Allocation);
  }
}

void UnrootedPointerCheck::checkPointerArray(const Expr &Allocation, QualType Element) {
  if (!precise())
    return;
  const RecordDecl *Target = rawTarget(Element);
  if (!Target)
    return;
  SourceLocation Loc = SM->getFileLoc(Allocation.getBeginLoc());
  if (!Reported.insert(Loc).second)
    return;
  diag(Loc, "pointers to collected '%0' kept in memory from '%1', which the collector does not "
            "scan: it can free the objects while they are still in use; %2")
      << recordName(Target) << allocatorName(Allocation) << advice(Target, true);
}

void UnrootedPointerCheck::onEndOfTranslationUnit() {
  if (SM && Context && !Excluded.excludesMainFile(*SM)) {
    for (const VarDecl *Var : Globals)
      checkGlobal(*Var);
    for (const auto &[Record, Allocation] : HeapRecords)
      checkHeapType(*Record, *Allocation);
    for (const auto &[Allocation, Element] : PointerArrays)
      checkPointerArray(*Allocation, Element);
  }
  Types.reset();
}

} // namespace clang::tidy::gc
