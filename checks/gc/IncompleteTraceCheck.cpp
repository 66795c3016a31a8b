//===--- IncompleteTraceCheck.cpp - gc-incomplete-trace -------------------===//

#include "gc/IncompleteTraceCheck.h"
#include "analysis/ApiCalls.h"
#include "analysis/CollectedTypes.h"
#include "analysis/SourceUtils.h"
#include "analysis/TracedFields.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/StmtCXX.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;
using namespace lastword::analysis;

namespace clang::tidy::gc {
namespace {

// `this`, `*this`, and casts of them (`static_cast<const Base &>(*this)`).
bool isThisObject(const Expr *E) {
  if (!E)
    return false;
  E = E->IgnoreParenCasts();
  if (const auto *Unary = dyn_cast<UnaryOperator>(E))
    if (Unary->getOpcode() == UO_Deref)
      E = Unary->getSubExpr()->IgnoreParenCasts();
  return isa<CXXThisExpr>(E);
}

bool isTestOperator(OverloadedOperatorKind Op) {
  switch (Op) {
  case OO_EqualEqual:
  case OO_ExclaimEqual:
  case OO_Exclaim:
  case OO_AmpAmp:
  case OO_PipePipe:
  case OO_Less:
  case OO_Greater:
  case OO_LessEqual:
  case OO_GreaterEqual:
  case OO_Spaceship:
    return true;
  default:
    return false;
  }
}

// What a trace method, and the helpers it hands the object to, visit. A field
// counts as visited when it is used other than as a test (`if (next)`,
// `left != nullptr`): passed to the visitor, to a helper, iterated over.
class TraceWalk {
public:
  TraceWalk(const CXXRecordDecl &Record, const ApiProfile &Profile)
      : Record(Record), Profile(Profile) {}

  void walkFunction(const FunctionDecl *Function) {
    if (!Function || Unknown)
      return;
    const FunctionDecl *Definition = Function->getDefinition();
    if (!Definition) {
      // A template's member declared in the class and defined out of it.
      if (const FunctionDecl *Pattern = Function->getTemplateInstantiationPattern())
        Definition = Pattern->getDefinition();
    }
    if (!Definition || !Definition->hasBody()) {
      Unknown = true; // a helper we cannot see gets the object
      return;
    }
    if (!Seen.insert(Definition).second)
      return;
    walk(Definition->getBody(), false, 0);
  }

  llvm::SmallPtrSet<const FieldDecl *, 8> Used;
  llvm::SmallPtrSet<const CXXRecordDecl *, 4> BaseTraceCalled;
  bool DependentTraceCall = false;
  bool Unknown = false;

private:
  void useName(DeclarationName Name) {
    if (!Name.isIdentifier())
      return;
    for (const FieldDecl *Field : Record.fields())
      if (Field->getDeclName() == Name)
        Used.insert(Field);
  }

  // A call of a method on the object itself: a helper or a base's trace.
  void followMethod(const CXXMethodDecl *Method, bool Qualified) {
    if (!Method)
      return;
    const CXXRecordDecl *Owner = Method->getParent();
    if (isTraceMethod(Profile, *Method) && Owner &&
        Owner->getCanonicalDecl() != Record.getCanonicalDecl()) {
      BaseTraceCalled.insert(Owner->getCanonicalDecl());
      return; // a base's trace visits the base's fields, never ours
    }
    // A virtual hook called from an inherited trace runs the override.
    if (Method->isVirtual() && !Qualified && Record.hasDefinition())
      if (const CXXMethodDecl *Override = Method->getCorrespondingMethodInClass(&Record, true))
        Method = Override;
    walkFunction(Method);
  }

  void followOverloads(const OverloadExpr &Overloads, bool Qualified) {
    for (const NamedDecl *Candidate : Overloads.decls()) {
      const NamedDecl *Decl = Candidate->getUnderlyingDecl();
      if (const auto *Template = dyn_cast<FunctionTemplateDecl>(Decl))
        Decl = Template->getTemplatedDecl();
      if (const auto *Method = dyn_cast<CXXMethodDecl>(Decl))
        followMethod(Method, Qualified);
      else if (const auto *Function = dyn_cast<FunctionDecl>(Decl))
        walkFunction(Function);
      if (Unknown)
        return;
    }
  }

  void walkCall(const CallExpr &Call, unsigned Depth) {
    const Expr *Callee = Call.getCallee()->IgnoreParenImpCasts();
    bool PassesObject = llvm::any_of(Call.arguments(), isThisObject);

    if (const auto *Member = dyn_cast<CXXMemberCallExpr>(&Call)) {
      const CXXMethodDecl *Method = Member->getMethodDecl();
      const Expr *Object = Member->getImplicitObjectArgument();
      const auto *Access = dyn_cast<MemberExpr>(Callee);
      if (isThisObject(Object)) {
        followMethod(Method, Access && Access->hasQualifier());
      } else {
        walk(Object, false, Depth + 1);
      }
      for (const Expr *Arg : Call.arguments())
        walk(Arg, false, Depth + 1);
      return;
    }
    if (const auto *Unresolved = dyn_cast<UnresolvedMemberExpr>(Callee)) {
      if (Unresolved->isImplicitAccess() || isThisObject(Unresolved->getBase())) {
        if (isTraceMethodName(Profile, Unresolved->getMemberName().getAsString()) &&
            Unresolved->getQualifier())
          DependentTraceCall = true;
        followOverloads(*Unresolved, Unresolved->getQualifier() != nullptr);
      } else {
        walk(Unresolved->getBase(), false, Depth + 1);
      }
    } else if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(Callee)) {
      DeclarationName Name = Dependent->getMember();
      if (Dependent->isImplicitAccess() || isThisObject(Dependent->getBase())) {
        // `this->Base<T>::trace(t)`, `Base<T>::trace(t)` in a template: the
        // base is only known per instantiation.
        if (Name.isIdentifier() &&
            isTraceMethodName(Profile, Name.getAsIdentifierInfo()->getName()))
          DependentTraceCall = true;
        else
          Unknown = true;
      } else {
        walk(Dependent->getBase(), false, Depth + 1);
      }
    } else if (const auto *Scoped = dyn_cast<DependentScopeDeclRefExpr>(Callee)) {
      DeclarationName Name = Scoped->getDeclName();
      if (Name.isIdentifier() && isTraceMethodName(Profile, Name.getAsIdentifierInfo()->getName()))
        DependentTraceCall = true;
      else
        Unknown = true;
    } else if (const auto *Lookup = dyn_cast<UnresolvedLookupExpr>(Callee)) {
      if (PassesObject)
        followOverloads(*Lookup, false);
    } else if (PassesObject) {
      // A free helper that gets the object: what it uses of it counts.
      const FunctionDecl *Direct = Call.getDirectCallee();
      if (!Direct || isa<CXXOperatorCallExpr>(Call))
        Unknown = Unknown || !Direct;
      else
        walkFunction(Direct);
    } else if (const auto *Static = dyn_cast_or_null<CXXMethodDecl>(Call.getDirectCallee());
               Static && Static->isStatic() &&
               Static->getParent()->getCanonicalDecl() == Record.getCanonicalDecl()) {
      // `Derived::traced_fields()`: the class's own list of what to visit.
      walkFunction(Static);
    } else if (!isa<DeclRefExpr>(Callee)) {
      walk(Callee, false, Depth + 1);
    }
    bool Test = false;
    if (const auto *Operator = dyn_cast<CXXOperatorCallExpr>(&Call))
      Test = isTestOperator(Operator->getOperator());
    for (const Expr *Arg : Call.arguments())
      walk(Arg, Test, Depth + 1);
  }

  void walk(const Stmt *S, bool Test, unsigned Depth) {
    if (!S || Unknown)
      return;
    if (Depth > 256) {
      Unknown = true;
      return;
    }
    if (const auto *Member = dyn_cast<MemberExpr>(S)) {
      if (const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl()))
        if (!Test)
          Used.insert(Field);
      walk(Member->getBase(), false, Depth + 1);
      return;
    }
    // `&Class::next_`: a member pointer the trace visits through.
    if (const auto *Ref = dyn_cast<DeclRefExpr>(S)) {
      if (const auto *Field = dyn_cast<FieldDecl>(Ref->getDecl()); Field && !Test)
        Used.insert(Field);
      return;
    }
    if (const auto *Dependent = dyn_cast<CXXDependentScopeMemberExpr>(S)) {
      if (!Test)
        useName(Dependent->getMember());
      if (!Dependent->isImplicitAccess())
        walk(Dependent->getBase(), false, Depth + 1);
      return;
    }
    if (const auto *Call = dyn_cast<CallExpr>(S)) {
      // `next.get()` and `operator T *` pass the field on as it is.
      if (const auto *Member = dyn_cast<CXXMemberCallExpr>(Call)) {
        const CXXMethodDecl *Method = Member->getMethodDecl();
        if (Method && !isThisObject(Member->getImplicitObjectArgument()) &&
            (isa<CXXConversionDecl>(Method) || hasName(Method, "get"))) {
          walk(Member->getImplicitObjectArgument(), Test, Depth + 1);
          return;
        }
      }
      walkCall(*Call, Depth);
      return;
    }
    if (const auto *If = dyn_cast<IfStmt>(S)) {
      walk(If->getInit(), false, Depth + 1);
      walk(If->getConditionVariableDeclStmt(), false, Depth + 1);
      walk(If->getCond(), true, Depth + 1);
      walk(If->getThen(), false, Depth + 1);
      walk(If->getElse(), false, Depth + 1);
      return;
    }
    if (const auto *While = dyn_cast<WhileStmt>(S)) {
      walk(While->getCond(), true, Depth + 1);
      walk(While->getBody(), false, Depth + 1);
      return;
    }
    if (const auto *Unary = dyn_cast<UnaryOperator>(S)) {
      walk(Unary->getSubExpr(), Test || Unary->getOpcode() == UO_LNot, Depth + 1);
      return;
    }
    if (const auto *Binary = dyn_cast<BinaryOperator>(S)) {
      bool Tests = Binary->isComparisonOp() || Binary->isLogicalOp();
      walk(Binary->getLHS(), Tests, Depth + 1);
      walk(Binary->getRHS(), Tests, Depth + 1);
      return;
    }
    if (const auto *Rewritten = dyn_cast<CXXRewrittenBinaryOperator>(S)) {
      walk(Rewritten->getLHS(), true, Depth + 1);
      walk(Rewritten->getRHS(), true, Depth + 1);
      return;
    }
    if (const auto *Conditional = dyn_cast<ConditionalOperator>(S)) {
      walk(Conditional->getCond(), true, Depth + 1);
      walk(Conditional->getTrueExpr(), Test, Depth + 1);
      walk(Conditional->getFalseExpr(), Test, Depth + 1);
      return;
    }
    bool Transparent = isa<ImplicitCastExpr, ParenExpr, ExprWithCleanups, MaterializeTemporaryExpr,
                           CXXBindTemporaryExpr>(S);
    for (const Stmt *Child : S->children())
      walk(Child, Transparent && Test, Depth + 1);
  }

  const CXXRecordDecl &Record;
  const ApiProfile &Profile;
  llvm::SmallPtrSet<const FunctionDecl *, 8> Seen;
};

// The record as written: a class template's pattern for its specializations.
const CXXRecordDecl *asWritten(const CXXRecordDecl &Record) {
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(&Record))
    if (Spec->getSpecializationKind() != TSK_ExplicitSpecialization)
      if (const ClassTemplateDecl *Template = Spec->getSpecializedTemplate())
        return Template->getTemplatedDecl()->getCanonicalDecl();
  return Record.getCanonicalDecl();
}

struct TracedField {
  const FieldDecl *Field;
  TracedShape Shape;
};

std::vector<TracedField> tracedFields(const CXXRecordDecl &Record, CollectedTypes &Types) {
  std::vector<TracedField> Fields;
  for (const FieldDecl *Field : Record.fields()) {
    TracedShape Shape = tracedShape(Types, Field->getType());
    if (Shape.Kind != TracedKind::None)
      Fields.push_back({Field, Shape});
  }
  return Fields;
}

// The traced fields of \p Record and of its bases, which a derived type's
// trace reaches through the base's trace.
void collectTracedState(const CXXRecordDecl &Record, CollectedTypes &Types,
                        std::vector<TracedField> &Out, unsigned Depth = 0) {
  if (Depth > 16 || !Record.hasDefinition())
    return;
  const CXXRecordDecl &Definition = *Record.getDefinition();
  for (const TracedField &Field : tracedFields(Definition, Types))
    Out.push_back(Field);
  for (const CXXBaseSpecifier &Base : Definition.bases())
    if (const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl())
      collectTracedState(*BaseRecord, Types, Out, Depth + 1);
}

// Which consequence a missed field has: 0 a member is freed, 1 what an
// array, container or embedded struct holds is freed, 2 a weak member dangles.
unsigned consequence(const TracedShape &Shape) {
  if (Shape.Kind == TracedKind::Member)
    return Shape.Weak ? 2 : 0;
  return 1;
}

std::string lineIndent(SourceLocation Loc, const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return "";
  size_t LineStart = Buffer.rfind('\n', Offset);
  LineStart = LineStart == StringRef::npos ? 0 : LineStart + 1;
  if (LineStart > Offset)
    LineStart = Offset;
  StringRef Line = Buffer.slice(LineStart, Offset);
  return Line.take_while([](char C) { return C == ' ' || C == '\t'; }).str();
}

bool firstOnLine(SourceLocation Loc, const SourceManager &SM) {
  auto [File, Offset] = SM.getDecomposedLoc(Loc);
  bool Invalid = false;
  StringRef Buffer = SM.getBufferData(File, &Invalid);
  if (Invalid)
    return false;
  size_t LineStart = Buffer.rfind('\n', Offset);
  LineStart = LineStart == StringRef::npos ? 0 : LineStart + 1;
  if (Offset == 0 || LineStart > Offset)
    return true;
  return Buffer.slice(LineStart, Offset).trim().empty();
}

// A statement at the end of \p Body, on its own line when the body spans lines.
std::optional<FixItHint> appendStatement(const CompoundStmt &Body, StringRef Text,
                                         const SourceManager &SM) {
  SourceLocation Left = Body.getLBracLoc(), Right = Body.getRBracLoc();
  if (Left.isInvalid() || Right.isInvalid() || Left.isMacroID() || Right.isMacroID())
    return std::nullopt;
  bool OneLine = SM.getSpellingLineNumber(Left) == SM.getSpellingLineNumber(Right);
  if (OneLine || !firstOnLine(Right, SM)) {
    bool Spaced = false;
    bool Invalid = false;
    const char *Before = SM.getCharacterData(Right.getLocWithOffset(-1), &Invalid);
    if (!Invalid)
      Spaced = *Before == ' ' || *Before == '\t';
    return FixItHint::CreateInsertion(Right, (Spaced ? "" : " ") + Text.str() + " ");
  }
  std::string Indent = Body.body_empty() ? lineIndent(Right, SM) + "  "
                                         : lineIndent(Body.body_back()->getBeginLoc(), SM);
  SourceLocation LineStart =
      Right.getLocWithOffset(-static_cast<int>(lineIndent(Right, SM).size()));
  return FixItHint::CreateInsertion(LineStart, Indent + Text.str() + "\n");
}

// A statement at the start of \p Body.
std::optional<FixItHint> prependStatement(const CompoundStmt &Body, StringRef Text,
                                          const SourceManager &SM) {
  SourceLocation Left = Body.getLBracLoc(), Right = Body.getRBracLoc();
  if (Left.isInvalid() || Right.isInvalid() || Left.isMacroID() || Right.isMacroID())
    return std::nullopt;
  SourceLocation After = Left.getLocWithOffset(1);
  bool OneLine = SM.getSpellingLineNumber(Left) == SM.getSpellingLineNumber(Right);
  if (OneLine || Body.body_empty() ||
      SM.getSpellingLineNumber(Body.body_front()->getBeginLoc()) == SM.getSpellingLineNumber(Left))
    return FixItHint::CreateInsertion(After, " " + Text.str());
  return FixItHint::CreateInsertion(After, "\n" + lineIndent(Body.body_front()->getBeginLoc(), SM) +
                                               Text.str());
}

std::string sourceText(SourceRange Range, const ASTContext &Context) {
  if (Range.isInvalid() || Range.getBegin().isMacroID() || Range.getEnd().isMacroID())
    return "";
  return Lexer::getSourceText(CharSourceRange::getTokenRange(Range), Context.getSourceManager(),
                              Context.getLangOpts())
      .str();
}

// A trace method visiting \p Fields, added before the class's closing brace;
// none when a field has no mechanical visit or the profile names no tracer.
std::optional<FixItHint> traceMethodFix(const CXXRecordDecl &Record,
                                        const std::vector<TracedField> &Fields,
                                        const ApiProfile &Profile, const SourceManager &SM) {
  std::string Signature = traceSignature(Profile);
  SourceLocation Right = Record.getBraceRange().getEnd();
  if (Signature.empty() || Fields.empty() || Right.isInvalid() || Right.isMacroID() ||
      Fields.front().Field->getLocation().isMacroID())
    return std::nullopt;
  std::string Body;
  for (const TracedField &Field : Fields) {
    std::string Statement =
        visitStatement(Profile, newVisitorName(Profile), newVisitorIsPointer(Profile),
                       declName(*Field.Field), Field.Shape);
    if (Statement.empty())
      return std::nullopt;
    Body += " " + Statement;
  }
  std::string Method = Signature + " {" + Body + " }";
  if (!firstOnLine(Right, SM))
    return FixItHint::CreateInsertion(Right, Method + " ");
  std::string Indent = lineIndent(Fields.front().Field->getBeginLoc(), SM);
  SourceLocation LineStart =
      Right.getLocWithOffset(-static_cast<int>(lineIndent(Right, SM).size()));
  return FixItHint::CreateInsertion(LineStart, Indent + Method + "\n");
}

} // namespace

IncompleteTraceCheck::IncompleteTraceCheck(StringRef Name, ClangTidyContext *Context)
    : GcCheck(Name, Context) {}

void IncompleteTraceCheck::registerMatchers(MatchFinder *Finder) {
  // A conservative collector (Boehm) has no trace methods to get wrong.
  if (!tracesPrecisely(Profile))
    return;
  Finder->addMatcher(cxxRecordDecl(isDefinition(), unless(isExpansionInSystemHeader()),
                                   unless(isImplicit()), unless(isLambda()))
                         .bind("record"),
                     this);
  if (!Profile.functions(ApiRole::Allocation).empty())
    Finder->addMatcher(callExpr(callsFunctionNamed(Profile.names(ApiRole::Allocation)),
                                unless(isExpansionInSystemHeader()))
                           .bind("allocation"),
                       this);
}

void IncompleteTraceCheck::check(const MatchFinder::MatchResult &Result) {
  if (Excluded.excludesMainFile(*Result.SourceManager))
    return;
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>("allocation")) {
    // make<T>(...): T lives on the collected heap.
    const FunctionDecl *Callee = Call->getDirectCallee();
    const TemplateArgumentList *Args = Callee ? Callee->getTemplateSpecializationArgs() : nullptr;
    if (Args && Args->size() >= 1 && Args->get(0).getKind() == TemplateArgument::Type)
      if (const CXXRecordDecl *Allocated = Args->get(0).getAsType()->getAsCXXRecordDecl())
        HeapTypes.insert(asWritten(*Allocated));
    return;
  }
  const auto *Record = Result.Nodes.getNodeAs<CXXRecordDecl>("record");
  if (!Record || !Record->isCompleteDefinition() || Record->isUnion())
    return;
  if (const auto *Spec = dyn_cast<ClassTemplateSpecializationDecl>(Record))
    if (Spec->getSpecializationKind() != TSK_ExplicitSpecialization)
      return;
  if (isInSystemCode(Record->getLocation(), *Result.SourceManager))
    return;
  judge(*Record, *Result.Context);
}

CollectedTypes &IncompleteTraceCheck::typesOf(ASTContext &Context) {
  if (!Types)
    Types = std::make_unique<CollectedTypes>(Context, Profile);
  return *Types;
}

void IncompleteTraceCheck::judge(const CXXRecordDecl &Record, ASTContext &Context) {
  std::vector<TracedField> Fields = tracedFields(Record, typesOf(Context));
  for (const TracedField &Field : Fields)
    if (const CXXRecordDecl *Target = Field.Shape.Target)
      HeapTypes.insert(asWritten(*Target));

  const SourceManager &SM = Context.getSourceManager();
  const FunctionDecl *Own = ownTraceMethod(Profile, Record);
  const FunctionDecl *Trace = Own ? Own : inheritedTraceMethod(Profile, Record);
  if (!Trace) {
    if (!Fields.empty())
      Untraced.push_back(&Record);
    return;
  }
  if (!Own && Fields.empty())
    return; // the inherited trace is the base's business

  TraceWalk Walk(Record, Profile);
  Walk.walkFunction(Trace);
  if (Walk.Unknown)
    return;
  const FunctionDecl *Definition = Trace->getDefinition();
  if (!Definition && Trace->getTemplateInstantiationPattern())
    Definition = Trace->getTemplateInstantiationPattern()->getDefinition();
  if (!Definition)
    return;
  const auto *Body = dyn_cast_or_null<CompoundStmt>(Definition->getBody());
  const ParmVarDecl *Visitor = Definition->getNumParams() ? Definition->getParamDecl(0) : nullptr;
  std::string VisitorName = Visitor ? identifierName(Visitor).str() : "";
  bool VisitorIsPointer = Visitor && Visitor->getType()->isPointerType();
  bool CanFix =
      Own && Body && !VisitorName.empty() && !isInSystemCode(Definition->getLocation(), SM);
  std::string TraceName = displayName(*Trace);

  for (const TracedField &Field : Fields) {
    if (Walk.Used.contains(Field.Field))
      continue;
    {
      auto Diag =
          Own ? diag(
                    SM.getFileLoc(Field.Field->getLocation()),
                    "'%0' does not visit '%1': %select{the collector never marks what it points "
                    "to, which is freed while still in use|the collector never marks what it "
                    "holds, which is freed while still in use|the collector never clears this weak "
                    "member when what it points to is freed, and it is left dangling}2")
                    << TraceName << declName(*Field.Field) << consequence(Field.Shape)
              : diag(SM.getFileLoc(Field.Field->getLocation()),
                     "'%0' has no trace method of its own and the inherited '%1' does not visit "
                     "'%2': %select{the collector never marks what it points to, which is freed "
                     "while still in use|the collector never marks what it holds, which is freed "
                     "while still in use|the collector never clears this weak member when what it "
                     "points to is freed, and it is left dangling}3")
                    << declName(Record) << TraceName << declName(*Field.Field)
                    << consequence(Field.Shape);
      if (CanFix) {
        std::string Statement = visitStatement(Profile, VisitorName, VisitorIsPointer,
                                               declName(*Field.Field), Field.Shape);
        if (!Statement.empty())
          if (std::optional<FixItHint> Fix = appendStatement(*Body, Statement, SM))
            Diag << *Fix;
      }
    }
    diag(SM.getFileLoc(Definition->getLocation()), "'%0' is defined here", DiagnosticIDs::Note)
        << TraceName;
  }

  if (!Own || Walk.DependentTraceCall)
    return;
  for (const CXXBaseSpecifier &Base : Record.bases()) {
    const CXXRecordDecl *BaseRecord = Base.getType()->getAsCXXRecordDecl();
    if (!BaseRecord || !BaseRecord->hasDefinition() || Base.getType()->isDependentType())
      continue;
    BaseRecord = BaseRecord->getDefinition();
    std::vector<TracedField> Inherited;
    collectTracedState(*BaseRecord, typesOf(Context), Inherited);
    if (Inherited.empty())
      continue;
    bool Called = llvm::any_of(Walk.BaseTraceCalled, [&](const CXXRecordDecl *Owner) {
      return Owner == BaseRecord->getCanonicalDecl() || BaseRecord->isDerivedFrom(Owner);
    });
    bool AllVisited = llvm::all_of(
        Inherited, [&](const TracedField &Field) { return Walk.Used.contains(Field.Field); });
    if (Called || AllVisited)
      continue;
    const FunctionDecl *BaseTrace = ownTraceMethod(Profile, *BaseRecord);
    if (!BaseTrace)
      BaseTrace = inheritedTraceMethod(Profile, *BaseRecord);
    std::string BaseName =
        sourceText(Base.getTypeSourceInfo()->getTypeLoc().getSourceRange(), Context);
    if (BaseName.empty())
      BaseName = declName(*BaseRecord);
    if (BaseTrace) {
      auto Diag = diag(SM.getFileLoc(Definition->getLocation()),
                       "'%0' does not call '%1::%2': the traced fields of '%3' are never visited, "
                       "and what they point to is freed while still in use")
                  << TraceName << BaseName << identifierName(BaseTrace) << declName(*BaseRecord);
      if (CanFix)
        if (std::optional<FixItHint> Fix = prependStatement(
                *Body, baseTraceStatement(BaseName, identifierName(BaseTrace), VisitorName), SM))
          Diag << *Fix;
    } else {
      diag(SM.getFileLoc(Definition->getLocation()),
           "'%0' does not visit the traced fields of its base '%1', which has no trace method: "
           "what they point to is freed while still in use")
          << TraceName << declName(*BaseRecord);
    }
    diag(SM.getFileLoc(Inherited.front().Field->getLocation()), "'%0' holds '%1' here",
         DiagnosticIDs::Note)
        << declName(*Inherited.front().Field->getParent()) << declName(*Inherited.front().Field);
  }
}

void IncompleteTraceCheck::onEndOfTranslationUnit() {
  const SourceManager *SM =
      Untraced.empty() ? nullptr : &Untraced.front()->getASTContext().getSourceManager();
  for (const CXXRecordDecl *Record : Untraced) {
    // A struct of members embedded by value in a traced object is traced by
    // its holder; only a type that lives on the heap by itself needs a trace.
    if (!HeapTypes.contains(asWritten(*Record)) &&
        !derivesFrom(*Record, Profile.types(TypeRole::CollectedBase)))
      continue;
    // An abstract class is never allocated as itself: the traces of the
    // classes derived from it must visit its fields, and are judged so.
    if (Record->isAbstract())
      continue;
    std::vector<TracedField> Fields = tracedFields(*Record, *Types);
    std::optional<FixItHint> AddTrace = traceMethodFix(*Record, Fields, Profile, *SM);
    for (const TracedField &Field : Fields) {
      auto Diag = diag(SM->getFileLoc(Field.Field->getLocation()),
                       "'%0' has no trace method: the collector never visits '%1' and "
                       "%select{frees what it points to while still in use|frees what it holds "
                       "while still in use|leaves it dangling when what it points to is freed}2")
                  << declName(*Record) << declName(*Field.Field) << consequence(Field.Shape);
      // The whole method goes with the first field's warning.
      if (AddTrace) {
        Diag << *AddTrace;
        AddTrace.reset();
      }
    }
  }
  Untraced.clear();
  HeapTypes.clear();
}

} // namespace clang::tidy::gc
