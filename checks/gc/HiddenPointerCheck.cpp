//===--- HiddenPointerCheck.cpp - gc-hidden-pointer -----------------------===//

#include "gc/HiddenPointerCheck.h"
#include "analysis/ApiCalls.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSwitch.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

using Origin = HiddenPointerState::Origin;

bool isUnscannedAllocator(const FunctionDecl &Function) {
  return ApiProfile::unscannedAllocators().matches(Function);
}

AST_MATCHER(FunctionDecl, unscannedAllocator) { return isUnscannedAllocator(Node); }

bool isIntegerType(QualType Type) {
  return !Type.isNull() && Type->isIntegerType() && !Type->isBooleanType() &&
         !Type->isEnumeralType();
}

bool isBytePointee(QualType Pointee) {
  Pointee = Pointee.getCanonicalType().getUnqualifiedType();
  if (Pointee->isVoidType() || Pointee->isCharType())
    return true;
  if (const auto *Enum = Pointee->getAs<EnumType>())
    return hasName(Enum->getDecl(), "byte") && Enum->getDecl()->isInStdNamespace();
  return false;
}

// The pointer a conversion starts from, looking through casts to `void *`
// and byte pointers (`static_cast<void *>(p)`, `(char *)p`).
const Expr *pointerSource(const Expr *E) {
  while (E) {
    E = E->IgnoreParenImpCasts();
    const auto *Cast = dyn_cast<ExplicitCastExpr>(E);
    if (!Cast)
      break;
    const Expr *Sub = Cast->getSubExpr()->IgnoreParenImpCasts();
    if (!Cast->getType()->isPointerType() || !isBytePointee(Cast->getType()->getPointeeType()) ||
        !Sub->getType()->isPointerType())
      break;
    E = Sub;
  }
  return E;
}

// A place in the current frame: a local variable, a field of a local
// struct, an element of a local array. Conservative stack scanning sees it.
bool isLocalPlace(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    return Var && Var->hasLocalStorage() && !Var->getType()->isReferenceType();
  }
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return !Member->isArrow() && isLocalPlace(Member->getBase());
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
    return Subscript->getBase()->IgnoreParenImpCasts()->getType()->isArrayType() &&
           isLocalPlace(Subscript->getBase());
  return false;
}

const Decl *placeDecl(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E))
    return Ref->getDecl();
  if (const auto *Member = dyn_cast<MemberExpr>(E))
    return Member->getMemberDecl();
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E))
    return placeDecl(Subscript->getBase());
  if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(E))
    if (Operator->getOperator() == OO_Subscript || Operator->getOperator() == OO_Star)
      return placeDecl(Operator->getArg(0));
  if (const auto *Unary = dyn_cast<UnaryOperator>(E))
    if (Unary->getOpcode() == UO_Deref)
      return placeDecl(Unary->getSubExpr());
  return nullptr;
}

std::string describePlace(const Expr *E) {
  const Decl *D = placeDecl(E);
  const auto *Named = dyn_cast_or_null<NamedDecl>(D);
  if (!Named || identifierName(Named).empty())
    return "outside the stack";
  std::string Name = identifierName(Named).str();
  if (const auto *Field = dyn_cast<FieldDecl>(Named)) {
    std::string Owner = identifierName(Field->getParent()).str();
    return "in field '" + (Owner.empty() ? Name : Owner + "::" + Name) + "'";
  }
  if (const auto *Var = dyn_cast<VarDecl>(Named)) {
    if (Var->hasGlobalStorage())
      return (Var->isStaticLocal() ? "in static '" : "in global '") + Name + "'";
    return "in '" + Name + "'";
  }
  return "in '" + Name + "'";
}

bool isStdContainer(QualType Type) {
  const auto *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  return Record && Record->isInStdNamespace();
}

// Standard sets and map keys hold an address as an identity (a visited set),
// compared and hashed, never turned back into a pointer.
bool isIdentityContainer(QualType Type) {
  const auto *Record = Type.getNonReferenceType()->getAsCXXRecordDecl();
  if (!Record || !Record->isInStdNamespace())
    return false;
  llvm::StringRef Name = identifierName(Record);
  return Name == "set" || Name == "unordered_set" || Name == "multiset" ||
         Name == "unordered_multiset";
}

bool isInserter(llvm::StringRef Name) {
  return llvm::StringSwitch<bool>(Name)
      .Cases("push_back", "emplace_back", "push_front", "emplace_front", "push", "emplace", true)
      .Cases("insert", "emplace_hint", "insert_or_assign", "try_emplace", "assign", "resize", true)
      .Default(false);
}

std::string recordName(const RecordDecl *Record) {
  if (!Record)
    return "object";
  std::string Name = identifierName(Record).str();
  return Name.empty() ? std::string("object") : Name;
}

// A function as written in a template stands for its instantiations: the
// types that decide (is the pointee collected?) are known only there.
void forEachInstance(const FunctionDecl &F, llvm::function_ref<void(const FunctionDecl &)> Visit) {
  if (!F.isDependentContext()) {
    if (F.hasBody())
      Visit(F);
    return;
  }
  if (const FunctionTemplateDecl *Template = F.getDescribedFunctionTemplate()) {
    for (const FunctionDecl *Spec : Template->specializations())
      if (Spec->hasBody() && !Spec->isDependentContext())
        Visit(*Spec);
    return;
  }
  const auto *Method = dyn_cast<CXXMethodDecl>(&F);
  const ClassTemplateDecl *Class =
      Method ? Method->getParent()->getDescribedClassTemplate() : nullptr;
  if (!Class || identifierName(Method).empty())
    return;
  for (const ClassTemplateSpecializationDecl *Spec : Class->specializations())
    for (const CXXMethodDecl *Candidate : Spec->methods())
      if (Candidate->getInstantiatedFromMemberFunction() == Method && Candidate->hasBody())
        Visit(*Candidate);
}

} // namespace

HiddenPointerCheck::HiddenPointerCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context) {}

// The bundled runtime (and Oilpan) trace the heap precisely; Boehm GC scans
// it conservatively and only disguises or unscanned memory hide a pointer.
bool HiddenPointerCheck::precise() const { return Profile.flavor() != ApiFlavor::Bdwgc; }

std::string HiddenPointerCheck::memberTemplate() const {
  const NameList &Members = Profile.types(TypeRole::Member);
  return Members.empty() ? std::string() : StringRef(Members.patterns().front()).ltrim(':').str();
}

CollectedTypes &HiddenPointerCheck::types() {
  if (!Types)
    Types = std::make_unique<CollectedTypes>(*Context, Profile);
  return *Types;
}

void HiddenPointerCheck::registerMatchers(MatchFinder *Finder) {
  auto User = unless(isExpansionInSystemHeader());
  // The calls the check looks at, matched by one matcher (eachOf: every
  // branch that matches is reported, in this order), so that the match
  // finder tries one matcher, not five, on each call of the translation unit.
  std::vector<StatementMatcher> Calls;
  // Every hidden integer starts with a pointer turned into an integer. As
  // the check ignores implicit nodes, only a cast as written can match.
  Finder->addMatcher(explicitCastExpr(hasType(isInteger()),
                                      hasSourceExpression(hasType(pointerType())),
                                      unless(hasType(booleanType())), User)
                         .bind("conversion"),
                     this);
  Calls.push_back(callExpr(callsFunctionNamed({"::std::bit_cast"}), argumentCountIs(1), User)
                      .bind("conversion-call"));
  // ... and only one turned back into a pointer can be used after the
  // object was freed: `GC_REVEAL_POINTER(h)`, `(Node *)(bits & ~1)`.
  Finder->addMatcher(explicitCastExpr(hasDestinationType(pointerType()),
                                      hasSourceExpression(hasType(isInteger())),
                                      unless(hasSourceExpression(hasType(booleanType()))), User)
                         .bind("reveal"),
                     this);
  Calls.push_back(callExpr(callsFunctionNamed({"::std::bit_cast"}), argumentCountIs(1),
                           hasType(pointerType()), User)
                      .bind("reveal"));
  // Results of the translation unit's own functions: helpers that encode.
  Calls.push_back(
      callExpr(callee(functionDecl(returns(isInteger()), unless(returns(booleanType())), User)),
               User)
          .bind("integer-call"));
  Finder->addMatcher(varDecl(hasGlobalStorage(), hasType(isInteger()), hasInitializer(expr()), User)
                         .bind("global"),
                     this);
  if (precise()) {
    // `void *` fields that receive a collected pointer.
    auto VoidPointer = hasType(pointerType(pointee(voidType())));
    Finder->addMatcher(
        binaryOperator(isAssignmentOperator(),
                       hasLHS(memberExpr(member(fieldDecl(VoidPointer))).bind("void-field")), User)
            .bind("void-store"),
        this);
    Finder->addMatcher(
        cxxConstructorDecl(forEachConstructorInitializer(
            cxxCtorInitializer(isWritten(), forField(fieldDecl(VoidPointer))).bind("void-init"))),
        this);
    // trace(): a raw field handed to one of the VisitFunctions (`visit_pointer`)
    // is traced by its type.
    std::vector<StringRef> Visits(Profile.types(TypeRole::VisitFunction).patterns().begin(),
                                  Profile.types(TypeRole::VisitFunction).patterns().end());
    if (!Visits.empty())
      Calls.push_back(callExpr(callsFunctionNamed(Visits), User).bind("visit-pointer"));
  }
  Finder->addMatcher(fieldDecl(User).bind("field"), this);
  if (precise()) {
    Calls.push_back(
        callExpr(callsFunctionNamed({"::memcpy", "::memmove", "::memset", "::bzero", "::bcopy",
                                     "__builtin_memcpy", "__builtin_memmove", "__builtin_memset",
                                     "::std::copy", "::std::copy_n", "::std::copy_backward",
                                     "::std::fill", "::std::fill_n"}),
                 User)
            .bind("bytes"));
  } else {
    // Also C's implicit conversion of the `void *` (`struct node **t =
    // malloc(...)`), which code as written does not show.
    // And the TU's own allocation wrappers (`void *xcalloc(...)`), judged
    // by their bodies.
    Finder->addMatcher(
        traverse(TK_AsIs,
                 castExpr(hasType(pointerType()),
                          hasSourceExpression(ignoringParenImpCasts(callExpr(callee(functionDecl(
                              anyOf(unscannedAllocator(),
                                    allOf(returns(pointerType(pointee(voidType()))), User))))))),
                          unless(isInTemplateInstantiation()), User)
                     .bind("unscanned")),
        this);
    const std::vector<std::string> &Links = ApiProfile::disappearingLinkFunctions().patterns();
    std::vector<StringRef> LinkFunctions(Links.begin(), Links.end());
    Calls.push_back(
        callExpr(callsFunctionNamed(LinkFunctions), hasArgument(0, expr().bind("link"))));
  }
  std::vector<ast_matchers::internal::DynTypedMatcher> Branches(Calls.begin(), Calls.end());
  Finder->addMatcher(callExpr(ast_matchers::internal::DynTypedMatcher::constructVariadic(
                                  ast_matchers::internal::DynTypedMatcher::VO_EachOf,
                                  ASTNodeKind::getFromNodeKind<Stmt>(), std::move(Branches))
                                  .unconditionalConvertTo<CallExpr>()),
                     this);
}

const CallExpr *HiddenPointerCheck::unscannedSource(const FunctionDecl *Function, unsigned Depth) {
  if (!Function || Depth > 3)
    return nullptr;
  if (isUnscannedAllocator(*Function))
    return nullptr; // the allocator itself, not a wrapper
  const FunctionDecl *Definition = nullptr;
  if (!Function->hasBody(Definition) || !Definition ||
      isInSystemCode(Definition->getLocation(), *SM))
    return nullptr;
  auto [Known, Inserted] = UnscannedSources.try_emplace(Definition, nullptr);
  if (!Inserted)
    return Known->second;
  // What a value the function returns is: an allocation, or unknown.
  std::function<const CallExpr *(const Expr *, unsigned)> allocationOf =
      [&](const Expr *E, unsigned Steps) -> const CallExpr * {
    if (!E || Steps > 8)
      return nullptr;
    E = E->IgnoreParenCasts();
    if (const auto *Choice = dyn_cast<ConditionalOperator>(E)) {
      const CallExpr *True = allocationOf(Choice->getTrueExpr(), Steps + 1);
      const CallExpr *False = allocationOf(Choice->getFalseExpr(), Steps + 1);
      return True && False ? True : nullptr;
    }
    if (const auto *Call = dyn_cast<CallExpr>(E)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee && isUnscannedAllocator(*Callee))
        return Call;
      return unscannedSource(Callee, Depth + 1);
    }
    // `void *p = calloc(n, size); if (!p) abort(); return p;`: every value
    // the local is given.
    const auto *Ref = dyn_cast<DeclRefExpr>(E);
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (!Var || !Var->hasLocalStorage() || isa<ParmVarDecl>(Var))
      return nullptr;
    const CallExpr *Found = nullptr;
    bool Other = false;
    auto consider = [&](const Expr *Value) {
      if (const CallExpr *Allocation = allocationOf(Value, Steps + 1))
        Found = Found ? Found : Allocation;
      else
        Other = true;
    };
    if (Var->getInit())
      consider(Var->getInit());
    visitStmts(Definition->getBody(), [&](const Stmt &S) {
      if (const auto *Assign = dyn_cast<BinaryOperator>(&S); Assign && Assign->isAssignmentOp())
        if (const auto *Target = dyn_cast<DeclRefExpr>(Assign->getLHS()->IgnoreParenImpCasts());
            Target && Target->getDecl() == Var)
          consider(Assign->getRHS());
      return !Other;
    });
    return Other ? nullptr : Found;
  };
  const CallExpr *Result = nullptr;
  bool Other = false;
  forEachReturn(Definition->getBody(), [&](const ReturnStmt &Return) {
    const Expr *Value = Return.getRetValue();
    if (Other || (Value && Value->IgnoreParenCasts()->isNullPointerConstant(
                               *Context, Expr::NPC_ValueDependentIsNotNull)))
      return;
    if (const CallExpr *Allocation = allocationOf(Value, 0))
      Result = Result ? Result : Allocation;
    else
      Other = true;
  });
  UnscannedSources[Definition] = Other ? nullptr : Result;
  return Other ? nullptr : Result;
}

void HiddenPointerCheck::check(const MatchFinder::MatchResult &Result) {
  SM = Result.SourceManager;
  Context = Result.Context;
  const auto &Nodes = Result.Nodes;
  auto enclosing = [&](const Stmt &S) -> const FunctionDecl * {
    if (!Enclosing)
      Enclosing = EnclosingFunctions::shared(*Result.Context);
    return Enclosing->of(S);
  };
  auto queue = [&](const FunctionDecl *F) {
    if (F)
      FunctionsToScan.insert(F);
  };
  // GC_HIDE_POINTER is a macro of a system header, used in user code.
  if (const auto *Conversion = Nodes.getNodeAs<Expr>("conversion")) {
    if (inUserCode(SM->getExpansionLoc(Conversion->getBeginLoc())))
      queue(enclosing(*Conversion));
    return;
  }
  if (const auto *Conversion = Nodes.getNodeAs<Expr>("conversion-call")) {
    if (inUserCode(Conversion->getBeginLoc()))
      queue(enclosing(*Conversion));
    return;
  }
  if (const auto *Reveal = Nodes.getNodeAs<Expr>("reveal")) {
    // A constant (`(void *)-1`, a sentinel) reveals nothing.
    const Expr *Source = isa<CastExpr>(Reveal) ? cast<CastExpr>(Reveal)->getSubExpr()
                                               : cast<CallExpr>(Reveal)->getArg(0);
    if (!Reveals && inUserCode(SM->getExpansionLoc(Reveal->getBeginLoc())) &&
        (Source->isValueDependent() || !Source->isIntegerConstantExpr(*Context)))
      Reveals = true;
    return;
  }
  if (const auto *Call = Nodes.getNodeAs<CallExpr>("integer-call")) {
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      if (Callee->hasBody() && inUserCode(Call->getBeginLoc()))
        IntegerCalls.push_back(Call);
    return;
  }
  if (const auto *Var = Nodes.getNodeAs<VarDecl>("global")) {
    if (!Var->isStaticLocal() && inUserCode(Var->getLocation()))
      Globals.push_back(Var);
    return;
  }
  if (const auto *Field = Nodes.getNodeAs<FieldDecl>("field")) {
    if (inUserCode(Field->getLocation()))
      Fields.push_back(Field);
    return;
  }
  if (const auto *Store = Nodes.getNodeAs<BinaryOperator>("void-store")) {
    if (inUserCode(Store->getBeginLoc()))
      VoidStores.push_back(
          {Store,
           dyn_cast<FieldDecl>(
               cast<MemberExpr>(Store->getLHS()->IgnoreParenImpCasts())->getMemberDecl()),
           Store->getRHS()});
    return;
  }
  if (const auto *Init = Nodes.getNodeAs<CXXCtorInitializer>("void-init")) {
    if (Init->getInit() && inUserCode(Init->getSourceLocation()))
      VoidStores.push_back({Init->getInit(), Init->getMember(), Init->getInit()});
    return;
  }
  if (const auto *Visit = Nodes.getNodeAs<CallExpr>("visit-pointer")) {
    const FunctionDecl *Callee = Visit->getDirectCallee();
    if (!Callee || !Profile.isFunction(TypeRole::VisitFunction, *Callee))
      return;
    for (const Expr *Arg : Visit->arguments())
      visitStmts(Arg, [&](const Stmt &S) {
        if (const auto *Member = dyn_cast<MemberExpr>(&S))
          TracedRaw.insert(Member->getMemberDecl()->getCanonicalDecl());
        return true;
      });
    return;
  }
  if (const auto *Call = Nodes.getNodeAs<CallExpr>("bytes")) {
    if (inUserCode(Call->getBeginLoc()))
      ByteCopies.push_back(Call);
    return;
  }
  if (const auto *Cast = Nodes.getNodeAs<CastExpr>("unscanned")) {
    // C's implicit conversion begins inside the macro (GC_MALLOC_ATOMIC).
    if (inUserCode(SM->getExpansionLoc(Cast->getBeginLoc())))
      UnscannedAllocations.push_back({Cast, enclosing(*Cast)});
    return;
  }
  if (const auto *Link = Nodes.getNodeAs<Expr>("link")) {
    const Expr *Place = Link->IgnoreParenCasts();
    if (const auto *AddressOf = dyn_cast<UnaryOperator>(Place))
      if (AddressOf->getOpcode() == UO_AddrOf)
        if (const Decl *D = placeDecl(AddressOf->getSubExpr()))
          DisappearingLinks.insert(D->getCanonicalDecl());
    return;
  }
}

bool HiddenPointerCheck::inUserCode(SourceLocation Loc) const {
  return SM && Loc.isValid() && !isInSystemCode(Loc, *SM);
}

// ---------------------------------------------------------------------------
// Integers that carry a collected pointer.

bool HiddenPointerCheck::counts(const Origin &O) const {
  if (O.Param)
    return true;
  if (!O.Pointee)
    return O.Untyped && O.HideMacro;
  return precise() || O.Disguised || O.HideMacro;
}

std::optional<Origin> HiddenPointerCheck::originOf(const Expr *E, const ParmVarDecl *Seed,
                                                   unsigned Depth) {
  if (!E || Depth > 6)
    return std::nullopt;
  E = E->IgnoreParens();
  if (const auto *Implicit = dyn_cast<ImplicitCastExpr>(E)) {
    const Expr *Sub = Implicit->getSubExpr();
    if (isIntegerType(Sub->getType()) || Implicit->getCastKind() == CK_LValueToRValue ||
        Implicit->getCastKind() == CK_NoOp)
      return originOf(Sub, Seed, Depth + 1);
    return std::nullopt;
  }
  if (const auto *Cleanups = dyn_cast<ExprWithCleanups>(E))
    return originOf(Cleanups->getSubExpr(), Seed, Depth);
  if (const auto *Cast = dyn_cast<ExplicitCastExpr>(E)) {
    if (!isIntegerType(Cast->getType()))
      return std::nullopt;
    const Expr *Sub = Cast->getSubExpr()->IgnoreParenImpCasts();
    if (Sub->getType()->isPointerType()) {
      const Expr *Source = pointerSource(Sub);
      const RecordDecl *Pointee = types().collectedRecord(Source->getType());
      SourceLocation At = Cast->getBeginLoc();
      bool Untyped = !Pointee && !precise() && Source->getType()->isVoidPointerType() &&
                     At.isMacroID() &&
                     ApiProfile::isPointerHidingMacro(
                         Lexer::getImmediateMacroName(At, *SM, Context->getLangOpts()));
      if (!Pointee && !Untyped)
        return std::nullopt;
      Origin O;
      O.Conversion = Cast;
      O.Pointee = Pointee;
      O.Untyped = Untyped;
      return O;
    }
    return originOf(Cast->getSubExpr(), Seed, Depth + 1);
  }
  if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
    if (Unary->getOpcode() != UO_Not && Unary->getOpcode() != UO_Minus)
      return std::nullopt;
    std::optional<Origin> O = originOf(Unary->getSubExpr(), Seed, Depth + 1);
    if (O) {
      O->Disguised = true;
      SourceLocation Loc = Unary->getOperatorLoc();
      if (Loc.isMacroID() && Context &&
          ApiProfile::isPointerHidingMacro(
              Lexer::getImmediateMacroName(Loc, *SM, Context->getLangOpts())))
        O->HideMacro = true;
    }
    return O;
  }
  if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
    BinaryOperatorKind Op = Binary->getOpcode();
    if (Op == BO_Comma)
      return originOf(Binary->getRHS(), Seed, Depth + 1);
    if (Op != BO_Or && Op != BO_Xor && Op != BO_And && Op != BO_Add && Op != BO_Sub)
      return std::nullopt; // shifts, products, remainders: a hash, not an address
    std::optional<Origin> L = originOf(Binary->getLHS(), Seed, Depth + 1);
    std::optional<Origin> R = originOf(Binary->getRHS(), Seed, Depth + 1);
    if (Op == BO_Sub && L && R)
      return std::nullopt; // the distance between two addresses
    if (Op == BO_And) {
      // `bits & 7` takes the tag out; `bits & ~7` keeps the address.
      const Expr *Mask = L ? Binary->getRHS() : Binary->getLHS();
      Expr::EvalResult Value;
      if (!Mask->isValueDependent() && Mask->EvaluateAsInt(Value, *Context) &&
          Value.Val.getInt().getZExtValue() < 4096)
        return std::nullopt;
    }
    std::optional<Origin> O = L ? L : R;
    if (O && Op == BO_Xor)
      O->Disguised = true;
    return O;
  }
  if (const auto *Conditional = dyn_cast<ConditionalOperator>(E)) {
    if (std::optional<Origin> O = originOf(Conditional->getTrueExpr(), Seed, Depth + 1))
      return O;
    return originOf(Conditional->getFalseExpr(), Seed, Depth + 1);
  }
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (const auto *Param = dyn_cast<ParmVarDecl>(Ref->getDecl())) {
      if (Seed && Param == Seed) {
        Origin O;
        O.Param = Param;
        return O;
      }
      return std::nullopt;
    }
    const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
    if (Var && Var->hasLocalStorage() && !Var->getType()->isReferenceType() && Var->getInit())
      return originOf(Var->getInit(), Seed, Depth + 1);
    return std::nullopt;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee)
      return std::nullopt;
    if (Callee->isInStdNamespace() && hasName(Callee, "bit_cast") && Call->getNumArgs() == 1 &&
        isIntegerType(Call->getType())) {
      const Expr *Source = pointerSource(Call->getArg(0));
      if (!Source->getType()->isPointerType())
        return std::nullopt;
      const RecordDecl *Pointee = types().collectedRecord(Source->getType());
      if (!Pointee)
        return std::nullopt;
      Origin O;
      O.Conversion = Call;
      O.Pointee = Pointee;
      return O;
    }
    if (!isIntegerType(Call->getType()))
      return std::nullopt;
    std::optional<Origin> Returned = returnedOrigin(*Callee);
    if (Returned && !Returned->Helper)
      Returned->Helper = Callee;
    return Returned;
  }
  return std::nullopt;
}

std::optional<Origin> HiddenPointerCheck::returnedOrigin(const FunctionDecl &Callee) {
  const FunctionDecl *Definition = nullptr;
  if (!Callee.hasBody(Definition) || !Definition || !inUserCode(Definition->getLocation()))
    return std::nullopt;
  auto Known = Returns.find(Definition);
  if (Known != Returns.end())
    return Known->second;
  if (!InProgress.insert(Definition).second)
    return std::nullopt;
  std::optional<Origin> Found;
  visitStmts(Definition->getBody(), [&](const Stmt &S) {
    if (Found || isa<LambdaExpr>(S))
      return false;
    if (const auto *Return = dyn_cast<ReturnStmt>(&S)) {
      std::optional<Origin> O = originOf(Return->getRetValue(), nullptr, 0);
      if (O && counts(*O))
        Found = O;
      return false;
    }
    return true;
  });
  InProgress.erase(Definition);
  Returns[Definition] = Found;
  return Found;
}

// A value stored as a whole, or as an argument of the object built from it.
std::optional<Origin> HiddenPointerCheck::storedOrigin(const Expr *E, const ParmVarDecl *Seed) {
  if (!E)
    return std::nullopt;
  const Expr *Value = skipTemporaries(E);
  if (std::optional<Origin> O = originOf(Value, Seed, 0))
    return O;
  if (const auto *List = dyn_cast<InitListExpr>(Value)) {
    for (const Expr *Init : List->inits())
      if (std::optional<Origin> O = originOf(Init, Seed, 0))
        return O;
  } else if (const auto *Construct = dyn_cast<CXXConstructExpr>(Value)) {
    for (const Expr *Arg : Construct->arguments())
      if (std::optional<Origin> O = originOf(Arg, Seed, 0))
        return O;
  }
  return std::nullopt;
}

void HiddenPointerCheck::forEachStore(
    const FunctionDecl &Function,
    llvm::function_ref<void(const Stmt &, const Expr *, const std::string &, const Decl *)> Found) {
  if (const auto *Constructor = dyn_cast<CXXConstructorDecl>(&Function))
    for (const CXXCtorInitializer *Init : Constructor->inits())
      if (Init->isWritten() && Init->getMember() && Init->getInit()) {
        const FieldDecl *Field = Init->getMember();
        std::string Owner = identifierName(Field->getParent()).str();
        Found(*Init->getInit(), Init->getInit(),
              "in field '" + Owner + "::" + identifierName(Field).str() + "'", Field);
      }
  const Stmt *Body = Function.getBody();
  if (!Body)
    return;
  visitStmts(Body, [&](const Stmt &S) {
    if (const auto *Binary = dyn_cast<BinaryOperator>(&S)) {
      if (Binary->isAssignmentOp() && !isLocalPlace(Binary->getLHS()))
        Found(S, Binary->getRHS(), describePlace(Binary->getLHS()), placeDecl(Binary->getLHS()));
      return true;
    }
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(&S)) {
      if (Operator->isAssignmentOp() && Operator->getNumArgs() == 2 &&
          !isLocalPlace(Operator->getArg(0)))
        Found(S, Operator->getArg(1), describePlace(Operator->getArg(0)),
              placeDecl(Operator->getArg(0)));
      return true;
    }
    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&S)) {
      const CXXMethodDecl *Method = Member->getMethodDecl();
      const Expr *Object = Member->getImplicitObjectArgument();
      if (!Method || !Object)
        return true;
      llvm::StringRef Name = identifierName(Method);
      bool Stores = false;
      if (isInserter(Name))
        Stores = isStdContainer(Object->getType()) && !isIdentityContainer(Object->getType());
      else if (Name == "store" || Name == "exchange")
        Stores = !isLocalPlace(Object);
      if (Stores)
        for (const Expr *Arg : Member->arguments())
          Found(S, Arg, describePlace(Object), placeDecl(Object));
      return true;
    }
    if (const auto *Declaration = dyn_cast<DeclStmt>(&S)) {
      for (const Decl *D : Declaration->decls())
        if (const auto *Var = dyn_cast<VarDecl>(D))
          if (Var->isStaticLocal() && Var->getInit())
            Found(S, Var->getInit(), "in static '" + identifierName(Var).str() + "'", Var);
      return true;
    }
    if (const auto *New = dyn_cast<CXXNewExpr>(&S)) {
      std::string Where = "in a new '" + recordName(recordOf(New->getAllocatedType())) + "'";
      if (const Expr *Init = New->getInitializer())
        Found(S, Init, Where, nullptr);
      return true;
    }
    if (const auto *Call = dyn_cast<CallExpr>(&S)) {
      std::optional<ApiCall> Api = classifyCall(*Call, Profile, ApiRole::Allocation);
      if (Api && Call->getType()->isPointerType()) {
        std::string Where = "in a new '" + recordName(recordOf(Call->getType())) + "'";
        for (const Expr *Arg : Call->arguments())
          Found(S, Arg, Where, nullptr);
      }
      return true;
    }
    return true;
  });
}

const HiddenPointerCheck::ParamStore *HiddenPointerCheck::storedParam(const FunctionDecl &Callee,
                                                                      unsigned Index) {
  const FunctionDecl *Definition = nullptr;
  if (!Callee.hasBody(Definition) || !Definition || Index >= Definition->getNumParams() ||
      !inUserCode(Definition->getLocation()))
    return nullptr;
  auto Key = std::make_pair(Definition, Index);
  auto Known = ParamStores.find(Key);
  if (Known != ParamStores.end())
    return Known->second.get();
  const ParmVarDecl *Param = Definition->getParamDecl(Index);
  std::unique_ptr<ParamStore> Store;
  if (isIntegerType(Param->getType()))
    forEachStore(*Definition, [&](const Stmt &Site, const Expr *Value, const std::string &Where,
                                  const Decl *Place) {
      if (!Store && storedOrigin(Value, Param))
        Store = std::make_unique<ParamStore>(ParamStore{&Site, Where, Place});
    });
  std::unique_ptr<ParamStore> &Slot = ParamStores[Key];
  Slot = std::move(Store);
  return Slot.get();
}

namespace {
// A compound `^=` into a place: what it holds afterwards is the XOR of the
// old value and the new one, an address of neither.
bool xorsIntoPlace(const Stmt &Site) {
  if (const auto *Compound = dyn_cast<CompoundAssignOperator>(&Site))
    return Compound->getOpcode() == BO_XorAssign;
  if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(&Site))
    return Operator->getOperator() == OO_CaretEqual;
  return false;
}
} // namespace

void HiddenPointerCheck::scanFunction(const FunctionDecl &Function) {
  auto judge = [&](const Stmt &Site, const Expr *Value, const std::string &Where, const Decl *Place,
                   const Stmt *Inner) {
    std::optional<Origin> O = storedOrigin(Value, nullptr);
    if (O && xorsIntoPlace(Site))
      O->Disguised = true; // `node->link ^= (uintptr_t)next`: the word holds prev ^ next
    if (!O || !counts(*O) || O->Param)
      return;
    if (Place && TracedRaw.contains(Place->getCanonicalDecl()))
      return;
    if (O->HideMacro && !precise() && Place &&
        DisappearingLinks.contains(Place->getCanonicalDecl()))
      return;
    reportStore(Site, *O, Where, Inner);
  };
  forEachStore(Function, [&](const Stmt &Site, const Expr *Value, const std::string &Where,
                             const Decl *Place) { judge(Site, Value, Where, Place, nullptr); });
  // Setters: the callee stores its integer parameter.
  visitStmts(Function.getBody(), [&](const Stmt &S) {
    const auto *Call = dyn_cast<CallExpr>(&S);
    if (!Call)
      return true;
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee || isa<CXXOperatorCallExpr>(Call))
      return true;
    for (unsigned I = 0; I < Call->getNumArgs() && I < Callee->getNumParams(); ++I) {
      if (!isIntegerType(Call->getArg(I)->getType()))
        continue;
      std::optional<Origin> O = storedOrigin(Call->getArg(I), nullptr);
      if (!O)
        continue;
      const ParamStore *Store = storedParam(*Callee, I);
      if (Store && xorsIntoPlace(*Store->Site))
        O->Disguised = true;
      if (!counts(*O))
        continue;
      if (Store) {
        if (O->HideMacro && !precise() && Store->Place &&
            DisappearingLinks.contains(Store->Place->getCanonicalDecl()))
          continue;
        reportStore(*Call, *O, Store->Where, Store->Site, Callee);
        break;
      }
    }
    return true;
  });
}

void HiddenPointerCheck::reportStore(const Stmt &Site, const Origin &O, const std::string &Where,
                                     const Stmt *Inner, const FunctionDecl *Setter) {
  // An integer never turned back into a pointer (a weak index that only
  // compares hidden values) is used by no one after the object is freed.
  if (!Reveals)
    return;
  SourceLocation Loc = SM->getFileLoc(Site.getBeginLoc());
  if (!inUserCode(Loc) || !firstReport(Loc))
    return;
  std::string Type = recordName(O.Pointee);
  if (O.Untyped)
    diag(Loc, "pointer hidden by GC_HIDE_POINTER and kept %0 without a disappearing link: the "
              "collector cannot see it, so the object can be freed while still in use")
        << Where;
  else if (O.HideMacro && !precise())
    diag(Loc, "pointer to collected '%0' hidden by GC_HIDE_POINTER and kept %1 without a "
              "disappearing link: the collector cannot see it, so the object can be freed "
              "while still in use")
        << Type << Where;
  else if (!precise())
    diag(Loc, "pointer to collected '%0' disguised by XOR or complement and kept %1: the "
              "collector cannot see it, so the object can be freed while still in use")
        << Type << Where;
  else
    diag(Loc, "pointer to collected '%0' kept as an integer %1: the collector does not trace "
              "it, so the object can be freed while still in use")
        << Type << Where;
  if (Inner)
    diag(SM->getFileLoc(Inner->getBeginLoc()), "'%0' keeps it %1 here", DiagnosticIDs::Note)
        << (Setter ? displayName(*Setter) : std::string("the callee")) << Where;
  if (O.Conversion) {
    SourceLocation At = SM->getFileLoc(O.Conversion->getBeginLoc());
    if (O.Helper)
      diag(At, "'%0' converts the pointer to an integer here", DiagnosticIDs::Note)
          << displayName(*O.Helper);
    else if (SM->getSpellingLineNumber(At) != SM->getSpellingLineNumber(Loc) ||
             SM->getFileID(At) != SM->getFileID(Loc))
      diag(At, "the pointer is converted to an integer here", DiagnosticIDs::Note);
  }
}

// ---------------------------------------------------------------------------
// Fields of collected types.

void HiddenPointerCheck::checkField(const FieldDecl &Field) {
  const RecordDecl *Owner = Field.getParent();
  if (!Owner)
    return;
  if (Owner->isDependentContext()) {
    // A class template as written: judge the field in each specialization.
    const auto *Pattern = dyn_cast<CXXRecordDecl>(Owner);
    const ClassTemplateDecl *Template = Pattern ? Pattern->getDescribedClassTemplate() : nullptr;
    if (!Template || identifierName(&Field).empty())
      return;
    for (const ClassTemplateSpecializationDecl *Spec : Template->specializations())
      if (Spec->hasDefinition())
        for (const FieldDecl *Instance : Spec->fields())
          if (identifierName(Instance) == identifierName(&Field)) {
            checkField(*Instance);
            break;
          }
    return;
  }
  if (!types().isCollected(*Owner))
    return;
  QualType Type = Field.getType();
  SourceLocation Loc = SM->getFileLoc(Field.getLocation());
  std::string OwnerName = recordName(Owner);
  std::string Name = identifierName(&Field).str();
  // A pointer the trace method hands to visit_pointer is traced.
  if (TracedRaw.contains(Field.getCanonicalDecl()))
    return;
  if (!precise()) {
    // Boehm scans collected objects conservatively: only memory it does not
    // scan hides a pointer, such as the buffer of a standard container when
    // `operator new` is plain malloc.
    if (!isStdContainer(Type) || types().operatorNewIsScanned())
      return;
  }
  auto pointeeOf = [&](QualType T) -> const RecordDecl * {
    T = T.getCanonicalType();
    if (T->isPointerType() || T->isReferenceType())
      return types().collectedRecord(T);
    return nullptr;
  };
  if (const RecordDecl *Target = pointeeOf(Type)) {
    if (!firstReport(Loc))
      return;
    bool Reference = Type->isReferenceType();
    auto D = diag(Loc, "field '%0' of collected '%1' holds a %2 to collected '%3': the "
                       "collector does not trace it, so its target can be freed while '%1' "
                       "still uses it")
             << Name << OwnerName << (Reference ? "reference" : "raw pointer")
             << recordName(Target);
    // `Node *next;` becomes `lastword::member<Node> next;` (assignments
    // and reads compile unchanged), spelled with the profile's first
    // MemberTypes name; no fix-it when the profile has none.
    std::string Member = memberTemplate();
    if (Member.empty() || Reference || Loc.isMacroID() || Field.isMutable() ||
        isa<ClassTemplateSpecializationDecl>(Owner) || Owner->isDependentContext())
      return;
    TypeSourceInfo *Info = Field.getTypeSourceInfo();
    if (!Info)
      return;
    auto Pointer = Info->getTypeLoc().getAs<PointerTypeLoc>();
    SourceLocation Begin = Field.getBeginLoc();
    if (!Pointer || Begin.isMacroID() || Pointer.getStarLoc().isMacroID())
      return;
    StringRef Pointee = Lexer::getSourceText(
        CharSourceRange::getCharRange(Begin, Pointer.getStarLoc()), *SM, Context->getLangOpts());
    StringRef Declared = Lexer::getSourceText(
        CharSourceRange::getCharRange(Begin, Field.getLocation()), *SM, Context->getLangOpts());
    Pointee = Pointee.trim();
    // Only a declaration of this one field (not `Node *a, *b;`).
    if (Pointee.empty() || Declared.contains(',') || Declared.contains('['))
      return;
    if (const auto *Next = dyn_cast_or_null<FieldDecl>(Field.getNextDeclInContext()))
      if (Next->getBeginLoc() == Begin)
        return;
    D << FixItHint::CreateReplacement(CharSourceRange::getCharRange(Begin, Field.getLocation()),
                                      Member + "<" + Pointee.str() + "> ");
    return;
  }
  QualType Canonical = Type.getCanonicalType();
  const auto *Record = Canonical->getAsCXXRecordDecl();
  const auto *Spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(Record);
  if (!Spec || !Spec->isInStdNamespace())
    return;
  llvm::StringRef Template = identifierName(Spec);
  // std::unique_ptr<Node>, std::shared_ptr<Node>: the object itself holds
  // the pointer, outside member<>; a container's buffer is outside the
  // object altogether.
  const RecordDecl *Target = nullptr;
  bool Smart = Template == "unique_ptr" || Template == "shared_ptr" || Template == "weak_ptr";
  if (Smart) {
    if (!precise() || Template == "weak_ptr")
      return;
    if (Spec->getTemplateArgs().size() >= 1 &&
        Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
      Target = types().collectedRecord(Spec->getTemplateArgs()[0].getAsType());
  } else {
    if (Template == "atomic" && precise()) {
      if (Spec->getTemplateArgs().size() >= 1 &&
          Spec->getTemplateArgs()[0].getKind() == TemplateArgument::Type)
        Target = pointeeOf(Spec->getTemplateArgs()[0].getAsType());
    } else {
      Target = types().collectedInContainer(Type);
    }
  }
  if (!Target || !firstReport(Loc))
    return;
  if (Smart)
    diag(Loc, "field '%0' of collected '%1' holds collected '%2' in a '%3': the collector does "
              "not trace it, so its target can be freed while '%1' still uses it")
        << Name << OwnerName << recordName(Target) << ("std::" + Template).str();
  else if (Template == "atomic")
    diag(Loc, "field '%0' of collected '%1' holds a raw pointer to collected '%2': the "
              "collector does not trace it, so its target can be freed while '%1' still uses it")
        << Name << OwnerName << recordName(Target);
  else
    diag(Loc, "field '%0' of collected '%1' keeps pointers to collected '%2' in a '%3', whose "
              "storage the collector does not %4: they can be freed while '%1' still uses them")
        << Name << OwnerName << recordName(Target) << ("std::" + Template).str()
        << (precise() ? "trace" : "scan");
}

// `h->context = node;` into a `void *` field of a collected type.
void HiddenPointerCheck::checkVoidStore(const Expr &Site, const FieldDecl &Field,
                                        const Expr *Value) {
  const RecordDecl *Owner = Field.getParent();
  if (!Value || !types().isCollected(*Owner) || TracedRaw.contains(Field.getCanonicalDecl()))
    return;
  const Expr *Source = Value->IgnoreParenCasts();
  const RecordDecl *Target = types().collectedRecord(Source->getType());
  if (!Target || !Source->getType()->isPointerType())
    return;
  SourceLocation Loc = SM->getFileLoc(Site.getBeginLoc());
  if (!firstReport(Loc))
    return;
  diag(Loc, "pointer to collected '%0' stored in 'void *' field '%1' of collected '%2': the "
            "collector does not trace it, so the object can be freed while still in use")
      << recordName(Target) << identifierName(&Field) << recordName(Owner);
  diag(SM->getFileLoc(Field.getLocation()), "'%0' is declared here", DiagnosticIDs::Note)
      << identifierName(&Field);
}

// ---------------------------------------------------------------------------
// Bytes written over member<T> fields.

void HiddenPointerCheck::checkByteCopy(const CallExpr &Call) {
  const FunctionDecl *Callee = Call.getDirectCallee();
  if (!Callee || Call.getNumArgs() < 2)
    return;
  llvm::StringRef Name = identifierName(Callee);
  bool Algorithm = Callee->isInStdNamespace() && !Name.starts_with("mem");
  // The destination: memcpy(dst, ...), std::copy(first, last, dst),
  // std::copy_n(first, n, dst), std::fill(first, last, v).
  const Expr *Destination = Call.getArg(0);
  if (Algorithm && (Name == "copy" || Name == "copy_n" || Name == "copy_backward")) {
    if (Call.getNumArgs() < 3)
      return;
    Destination = Call.getArg(2);
  }
  const Expr *Target = Destination->IgnoreParenImpCasts();
  // Look through casts to bytes: (char *)node, reinterpret_cast<std::byte *>(node).
  bool ThroughBytes = false;
  while (const auto *Cast = dyn_cast<ExplicitCastExpr>(Target)) {
    ThroughBytes = true;
    Target = Cast->getSubExpr()->IgnoreParenImpCasts();
  }
  QualType Type = Target->getType();
  if (Type->isArrayType())
    Type = Context->getBaseElementType(Type);
  else if (Type->isPointerType())
    Type = Type->getPointeeType();
  else
    return;
  const RecordDecl *Record = Type->getAsRecordDecl();
  // std::copy over member<T> elements assigns them one by one, through the
  // barrier; only a copy over bytes of the object bypasses it.
  if (Algorithm && !ThroughBytes)
    return;
  if (!Record || !types().holdsMembers(*Record))
    return;
  SourceLocation Loc = SM->getFileLoc(Call.getBeginLoc());
  if (!firstReport(Loc))
    return;
  diag(Loc, "'%0' writes raw bytes over the %1 fields of '%2': the stores bypass the write "
            "barrier, so an object they pointed to can be freed while still reachable")
      << displayName(*Callee) << (memberTemplate().empty() ? "member" : memberTemplate())
      << recordName(Record);
}

// ---------------------------------------------------------------------------
// Boehm: collected pointers in memory the collector does not scan.

void HiddenPointerCheck::checkUnscannedAllocation(const UnscannedAllocation &Allocation) {
  const CastExpr &Cast = *Allocation.Cast;
  QualType Pointee = Cast.getType()->getPointeeType();
  const RecordDecl *Target = nullptr;
  if (Pointee->isPointerType())
    Target = types().collectedRecord(Pointee);
  else if (const RecordDecl *Record = recordOf(Pointee))
    for (const FieldDecl *Field : Record->fields()) {
      QualType FieldType = Field->getType().getCanonicalType();
      while (FieldType->isArrayType())
        FieldType = Context->getBaseElementType(FieldType);
      if (FieldType->isPointerType())
        if ((Target = types().collectedRecord(FieldType)))
          break;
    }
  if (!Target)
    return;
  const auto *Call = cast<CallExpr>(Cast.getSubExpr()->IgnoreParenImpCasts());
  const FunctionDecl *Callee = Call->getDirectCallee();
  const CallExpr *Wrapped = nullptr;
  if (Callee && !isUnscannedAllocator(*Callee) && !(Wrapped = unscannedSource(Callee)))
    return;
  llvm::StringRef Name = identifierName(Wrapped ? Wrapped->getDirectCallee() : Callee);
  bool Atomic = Name.contains("atomic");
  // A scratch buffer freed in the same function holds pointers the caller
  // keeps elsewhere too.
  if (!Atomic && Allocation.Function && Allocation.Function->getBody()) {
    bool Freed = false;
    visitStmts(Allocation.Function->getBody(), [&](const Stmt &S) {
      if (const auto *Free = dyn_cast<CallExpr>(&S))
        if (const FunctionDecl *F = Free->getDirectCallee())
          if (ApiProfile::freeFunctions().matches(*F) && Free->getNumArgs() == 1 &&
              Context->hasSameType(Free->getArg(0)->IgnoreParenImpCasts()->getType(),
                                   Cast.getType()))
            Freed = true;
      return !Freed;
    });
    if (Freed)
      return;
  }
  SourceLocation Loc = SM->getFileLoc(Cast.getBeginLoc());
  if (!firstReport(Loc))
    return;
  std::string Macro;
  SourceLocation CallLoc = Call->getBeginLoc();
  if (CallLoc.isMacroID())
    Macro = Lexer::getImmediateMacroName(CallLoc, *SM, Context->getLangOpts()).str();
  diag(Loc, "pointers to collected '%0' kept in memory from '%1', which the collector does not "
            "scan: the objects can be freed while still in use")
      << recordName(Target) << (Macro.empty() ? identifierName(Callee).str() : Macro);
  if (Wrapped && Wrapped->getDirectCallee())
    diag(SM->getFileLoc(Wrapped->getBeginLoc()), "'%0' returns memory from '%1'",
         DiagnosticIDs::Note)
        << identifierName(Callee) << identifierName(Wrapped->getDirectCallee());
}

// ---------------------------------------------------------------------------

void HiddenPointerCheck::onEndOfTranslationUnit() {
  if (!SM || Excluded.excludesMainFile(*SM)) {
    Types.reset();
    Enclosing.reset();
    return;
  }
  for (const FieldDecl *Field : Fields)
    checkField(*Field);
  for (const auto &[Site, Field, Value] : VoidStores)
    if (Field)
      checkVoidStore(*Site, *Field, Value);
  for (const CallExpr *Call : ByteCopies)
    checkByteCopy(*Call);
  for (const UnscannedAllocation &Allocation : UnscannedAllocations)
    checkUnscannedAllocation(Allocation);
  // Helpers whose result carries a pointer: their callers store it.
  for (const CallExpr *Call : IntegerCalls)
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      if (returnedOrigin(*Callee)) {
        if (!Enclosing)
          Enclosing = EnclosingFunctions::shared(*Context);
        if (const FunctionDecl *Caller = Enclosing->of(*Call))
          FunctionsToScan.insert(Caller);
      }
  for (const FunctionDecl *Function : FunctionsToScan)
    forEachInstance(*Function, [&](const FunctionDecl &Instance) { scanFunction(Instance); });
  for (const VarDecl *Var : Globals) {
    std::optional<Origin> O = storedOrigin(Var->getInit(), nullptr);
    if (O && counts(*O) && !O->Param)
      reportStore(*Var->getInit(), *O, "in global '" + identifierName(Var).str() + "'", nullptr);
  }
  Types.reset();
  Enclosing.reset();
}

} // namespace clang::tidy::gc
