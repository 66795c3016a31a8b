//===--- ObjectReach.cpp - the reach solver -------------------------------===//

#include "analysis/ObjectReach.h"
#include "analysis/ApiProfile.h"
#include "analysis/Budgets.h"
#include "analysis/ExprNormalise.h"
#include "analysis/SourceUtils.h"
#include "llvm/ADT/StringSet.h"
#include <deque>

using namespace clang;

namespace lastword::analysis {
namespace {

/// How far carries() follows values into values and holders into holders.
constexpr unsigned MaxDepth = limitOf(Budget::ReachDepth);

std::string nameOf(const ValueDecl *Var) {
  if (!Var)
    return "this";
  return declName(*Var);
}

} // namespace

ObjectReach::ObjectReach(ObjectIdentity Object, const FunctionFlow *Flow, const Stmt *At,
                         FlowCache &Cache, ReachOptions Options)
    : Object(std::move(Object)), Cache(Cache), Context(Cache.context()),
      Options(std::move(Options)), Flow(Flow), At(At) {
  if (Flow && At)
    AtPoint = Flow->pointOf(At);
  solve();
}

const CXXRecordDecl *ObjectReach::objectClass() const {
  QualType Type;
  if (const FieldDecl *Last = Object.Hops.empty() ? nullptr : Object.Hops.back().Field)
    Type = Last->getType();
  else if (Object.Variable)
    Type = Object.Variable->getType();
  else if (const auto *Method = Flow ? dyn_cast<CXXMethodDecl>(&Flow->function()) : nullptr)
    return Method->getParent();
  if (Type.isNull())
    return nullptr;
  Type = Type.getNonReferenceType();
  if (Type->isPointerType())
    Type = Type->getPointeeType();
  // A handle (`member<T>`, a smart pointer) names no class of its own.
  const CXXRecordDecl *Class = Type->getAsCXXRecordDecl();
  if (!Class || ApiProfile::isInLibraryNamespace(*Class) || Class->isInStdNamespace())
    return nullptr;
  return Class;
}

bool ObjectReach::writeBeforeInSource(const Write &W) const {
  const SourceManager &SM = Context.getSourceManager();
  SourceLocation Point = SM.getExpansionRange(At->getEndLoc()).getEnd();
  SourceLocation Loc = W.Loc.isValid() ? SM.getExpansionLoc(W.Loc) : SourceLocation();
  if (Point.isInvalid() || Loc.isInvalid() || SM.getFileID(Point) != SM.getFileID(Loc))
    return true;
  return Point == Loc || !SM.isBeforeInTranslationUnit(Point, Loc);
}

bool ObjectReach::writeHoldsAt(unsigned Index) const {
  if (!At)
    return true;
  const Write &W = Flow->writes()[Index];
  // The place written: `reg->add(r)` and `attach(r, c)` write a field of
  // what their target points to, when the callee shows which.
  AccessPath Target = W.Target;
  if (Target.isRoot() && W.TargetExpr) {
    const FieldDecl *Field = W.KnownField;
    if (std::optional<const FieldDecl *> Stored = passedWriteStores(W))
      Field = *Stored;
    bool Pointer = W.TargetExpr->getType()->isPointerType();
    if (Field) {
      Target.Hops.push_back({Field, Pointer});
      Target.ThroughPointer = Pointer;
    }
  }
  // A copy is taken at the point; a later write reaches it only through a
  // pointee the copy shares.
  bool Shared = !Target.isRoot() && Target.ThroughPointer;
  FlowPoint Where = Flow->pointOfWrite(Index);
  if (!Flow->hasCFG() || !Where.isValid() || !AtPoint.isValid() || Where == AtPoint)
    return writeBeforeInSource(W) || Shared;
  // What voids the write: its place replaced, or a variable its value was
  // read from given a new value (a new object, the next iteration's one).
  llvm::SmallVector<FlowPoint, 8> Voiding;
  for (unsigned Other : Flow->replacingWritesOf(W.Target.Variable))
    if (Other != Index && Flow->writes()[Other].Target.replaces(Target))
      Voiding.push_back(Flow->pointOfWrite(Other));
  llvm::SmallVector<const VarDecl *, 4> Read;
  unsigned Steps = limitOf(Budget::ReachReadSteps);
  visitStmts(W.Value, [&](const Stmt &Node) {
    if (Steps == 0) {
      budgetReached(Budget::ReachReadSteps);
      return false;
    }
    --Steps;
    if (const auto *Ref = dyn_cast<DeclRefExpr>(&Node))
      if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl());
          Var && Var->hasLocalStorage() && !llvm::is_contained(Read, Var))
        Read.push_back(Var);
    return true;
  });
  for (const VarDecl *Var : Read)
    for (unsigned Other : Flow->replacingWritesOf(Var))
      if (Other != Index && Flow->writes()[Other].Target.isRoot())
        Voiding.push_back(Flow->pointOfWrite(Other));
  if (Flow->reaches(Where, AtPoint, Voiding))
    return true;
  return Shared && Flow->reaches(AtPoint, Where, Voiding);
}

ReachStep ObjectReach::stepFor(const Write &W, const ReachChain &Chain) const {
  const ValueDecl *Target = W.Target.Variable;
  ReachStep Step;
  Step.Holder = Target;
  Step.HolderName = nameOf(Target);
  Step.Loc = W.Loc;
  Step.How = W.How;
  Step.Field = W.KnownField ? W.KnownField : W.Target.firstField();
  // `attach(r, c)` whose body stores r in `c->owner`.
  if (std::optional<const FieldDecl *> Stored = passedWriteStores(W)) {
    Step.StepKind = ReachStep::Kind::Holds;
    Step.Through = W.Target.isRoot() && *Stored
                       ? text(W.TargetExpr) +
                             (W.TargetExpr->getType()->isPointerType() ? "->" : ".") +
                             (*Stored)->getNameAsString()
                       : text(W.TargetExpr);
    if (W.Target.isRoot())
      Step.Field = *Stored;
    return Step;
  }
  if (W.KnownField)
    Step.Through = W.Through;
  else if (!W.makesAlias() && W.TargetExpr &&
           !isa<CXXThisExpr>(W.TargetExpr->IgnoreParenImpCasts()))
    Step.Through = text(W.TargetExpr);
  Step.StepKind = ReachStep::Kind::Holds;
  if (!W.makesAlias())
    return Step;
  const Expr *Value = lookThrough(W.Value);
  if (const auto *New = dyn_cast_or_null<CXXNewExpr>(Value))
    Value = New->getInitializer() ? lookThrough(New->getInitializer()) : nullptr;
  bool Pointer = Target && (Target->getType()->isPointerType() || isPointerLike(Target->getType()));
  const auto *Construct = dyn_cast_or_null<CXXConstructExpr>(Value);
  if (designates(Value) || (!Chain.empty() && isa_and_nonnull<DeclRefExpr>(Value)))
    Step.StepKind = ReachStep::Kind::Alias;
  else if (Construct && Construct->getNumArgs() == 1 && isPointerLike(Construct->getType()) &&
           carriesImpl(Construct->getArg(0), 0))
    Step.StepKind = ReachStep::Kind::Alias;
  // `T *e = v.front();`: an element of a container that holds the object.
  if (const auto *Access = dyn_cast_or_null<CXXMemberCallExpr>(Value);
      Access && Access->getMethodDecl() && isStdElementAccess(*Access->getMethodDecl()) &&
      !Chain.empty())
    Step.StepKind = ReachStep::Kind::Element;
  if (Step.StepKind != ReachStep::Kind::Holds || !Value)
    return Step;
  // Which field the construction stores it in, when visible.
  const FieldDecl *Field = nullptr;
  auto FieldOfArgs = [&](const CXXConstructorDecl *Ctor, auto Args) {
    unsigned Index = 0;
    for (const Expr *Arg : Args) {
      if (carriesImpl(Arg, 0))
        return Ctor ? Cache.summaries().fieldStoringParameter(*Ctor, Index) : nullptr;
      ++Index;
    }
    return static_cast<const FieldDecl *>(nullptr);
  };
  if (Construct) {
    Field = FieldOfArgs(Construct->getConstructor(), Construct->arguments());
  } else if (const auto *List = dyn_cast<InitListExpr>(Value)) {
    const RecordDecl *Record = List->getType()->getAsRecordDecl();
    const auto *CXXRecord = dyn_cast_or_null<CXXRecordDecl>(Record);
    unsigned Skip = CXXRecord && CXXRecord->hasDefinition() ? CXXRecord->getNumBases() : 0;
    if (Record && !Record->isUnion()) {
      unsigned Index = 0;
      for (const FieldDecl *Candidate : Record->fields()) {
        if (Skip + Index >= List->getNumInits())
          break;
        if (carriesImpl(List->getInit(Skip + Index), 0)) {
          Field = Candidate;
          break;
        }
        ++Index;
      }
    }
  } else if (const auto *Call = dyn_cast<CallExpr>(Value)) {
    if (const CXXConstructorDecl *Only =
            onlyConstructorTaking(builtRecord(*Call), Call->getNumArgs()))
      Field = FieldOfArgs(Only, Call->arguments());
  }
  if (Field) {
    Step.Field = Field;
    Step.Through = Step.HolderName + (Pointer ? "->" : ".") + Field->getNameAsString();
  }
  return Step;
}

namespace {

/// How deep summaries are computed inside one another before giving up.
constexpr unsigned MaxSummaryDepth = limitOf(Budget::SummaryDepth);

bool summaryTooDeep(unsigned Depth) {
  if (Depth < MaxSummaryDepth)
    return false;
  budgetReached(Budget::SummaryDepth);
  return true;
}

} // namespace

bool ObjectReach::returnCarriesParameter(const FunctionDecl &Callee, unsigned Index) const {
  const FunctionDecl *Definition = nullptr;
  if (!Callee.hasBody(Definition) || !Definition || Index >= Definition->getNumParams() ||
      Definition->getReturnType()->isVoidType() || Definition->isDependentContext() ||
      isInSystemCode(Definition->getLocation(), Context.getSourceManager()))
    return false;
  auto Key = std::make_pair(Definition, Index);
  if (auto It = Cache.ReturnCarries.find(Key); It != Cache.ReturnCarries.end())
    return It->second == 1;
  if (summaryTooDeep(Cache.SummaryDepth))
    return false;
  Cache.ReturnCarries[Key] = 2;
  ++Cache.SummaryDepth;
  ObjectIdentity Param;
  Param.Variable = Definition->getParamDecl(Index);
  const FunctionFlow &CalleeFlow = Cache.of(*Definition);
  bool Carries = false;
  forEachReturn(Definition->getBody(), [&](const ReturnStmt &Return) {
    if (Carries || !Return.getRetValue())
      return;
    ObjectReach Reach(Param, &CalleeFlow, &Return, Cache, Options);
    Carries = Reach.carries(Return.getRetValue()).has_value();
  });
  --Cache.SummaryDepth;
  Cache.ReturnCarries[Key] = Carries ? 1 : 0;
  return Carries;
}

bool ObjectReach::constructorGivesThisTo(const CXXConstructorDecl &Ctor, unsigned Index) const {
  // `using Base::Base;`: the base's constructor runs with the same `this`.
  if (Ctor.isInheritingConstructor())
    if (const CXXConstructorDecl *Inherited = Ctor.getInheritedConstructor().getConstructor();
        Inherited && Inherited != &Ctor)
      return constructorGivesThisTo(*Inherited, Index);
  const FunctionDecl *Definition = nullptr;
  if (!Ctor.hasBody(Definition) || !Definition || Index >= Definition->getNumParams() ||
      Definition->isDependentContext() ||
      isInSystemCode(Definition->getLocation(), Context.getSourceManager()))
    return false;
  auto Key = std::make_pair(Definition, Index);
  if (auto It = Cache.ParameterHoldsThis.find(Key); It != Cache.ParameterHoldsThis.end())
    return It->second == 1;
  if (summaryTooDeep(Cache.SummaryDepth))
    return false;
  Cache.ParameterHoldsThis[Key] = 2;
  ++Cache.SummaryDepth;
  ObjectReach Reach(ObjectIdentity{}, &Cache.of(*Definition), nullptr, Cache, Options);
  bool Gives = Reach.holds(Definition->getParamDecl(Index)).has_value();
  --Cache.SummaryDepth;
  Cache.ParameterHoldsThis[Key] = Gives ? 1 : 0;
  return Gives;
}

std::optional<const FieldDecl *> ObjectReach::passedWriteStores(const Write &W) const {
  if (W.WriteKind != Write::Kind::PassedTo || !W.Callee)
    return std::nullopt;
  return parameterStoredThrough(*W.Callee, W.FromParam, W.IntoParam);
}

std::optional<const FieldDecl *> ObjectReach::parameterStoredThrough(const FunctionDecl &Callee,
                                                                     unsigned From,
                                                                     unsigned Into) const {
  const FunctionDecl *Definition = nullptr;
  if (!Callee.hasBody(Definition) || !Definition || Definition->isDependentContext() ||
      isInSystemCode(Definition->getLocation(), Context.getSourceManager()))
    return std::nullopt;
  auto ParamOf = [&](unsigned Index) -> const ParmVarDecl * {
    return Index < Definition->getNumParams() ? Definition->getParamDecl(Index) : nullptr;
  };
  const ParmVarDecl *FromParam = ParamOf(From), *IntoParam = ParamOf(Into);
  if ((From != Write::ThisParameter && !FromParam) || (Into != Write::ThisParameter && !IntoParam))
    return std::nullopt;
  auto Key = std::make_pair(Definition, FlowCache::parameterPair(From, Into));
  if (auto It = Cache.ParameterStores.find(Key); It != Cache.ParameterStores.end()) {
    if (It->second.State == 1)
      return It->second.Field;
    return std::nullopt;
  }
  if (summaryTooDeep(Cache.SummaryDepth))
    return std::nullopt;
  Cache.ParameterStores[Key] = FlowCache::ParameterStore{};
  ++Cache.SummaryDepth;
  ObjectIdentity Value;
  Value.Variable = FromParam; // null: `this`
  const FunctionFlow &CalleeFlow = Cache.of(*Definition);
  ObjectReach Reach(Value, &CalleeFlow, nullptr, Cache, Options);
  std::optional<const FieldDecl *> Stored;
  // A write the caller sees: through the target parameter's pointer or
  // reference, or into a field of `this`; not a new value of the
  // parameter's own copy.
  QualType IntoType = IntoParam ? IntoParam->getType() : QualType();
  for (const Write &W : CalleeFlow.writes()) {
    if (Stored)
      break;
    if (W.Target.Variable != IntoParam || !W.Value || W.makesAlias())
      continue;
    bool Visible = !IntoParam || IntoType->isReferenceType() || W.Target.ThroughPointer ||
                   (W.Target.isRoot() && IntoType->isPointerType());
    if (!Visible || !Reach.carries(W.Value))
      continue;
    const FieldDecl *Field = W.Target.firstField();
    if (W.WriteKind == Write::Kind::PassedTo) {
      std::optional<const FieldDecl *> Nested = passedWriteStores(W);
      if (!Nested)
        continue;
      if (!Field)
        Field = *Nested;
    } else if (!Field) {
      Field = W.KnownField;
    }
    Stored = Field;
  }
  --Cache.SummaryDepth;
  FlowCache::ParameterStore &Slot = Cache.ParameterStores[Key];
  Slot.State = Stored ? 1 : 0;
  Slot.Field = Stored ? *Stored : nullptr;
  return Stored;
}

// The object built by a constructor that hands `this` to one of its
// arguments (`Widget(Panel *parent) { parent->add_child(this); }`): that
// argument holds the new object.
void ObjectReach::seedConstructedObject() {
  if (!Object.Variable || !Object.isRoot())
    return;
  for (unsigned Index : Flow->replacingWritesOf(Object.Variable)) {
    const Write &W = Flow->writes()[Index];
    if (!W.makesAlias() || !W.Value)
      continue;
    const Expr *Value = lookThrough(W.Value);
    const CXXConstructorDecl *Ctor = nullptr;
    llvm::SmallVector<const Expr *, 4> Args;
    if (const auto *New = dyn_cast_or_null<CXXNewExpr>(Value)) {
      if (const CXXConstructExpr *Construct = New->getConstructExpr()) {
        Ctor = Construct->getConstructor();
        Args.append(Construct->arg_begin(), Construct->arg_end());
      }
    } else if (const auto *Call = dyn_cast_or_null<CallExpr>(Value)) {
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (Callee && isCarryingFunction(*Callee)) {
        Ctor = onlyConstructorTaking(builtRecord(*Call), Call->getNumArgs());
        Args.append(Call->arg_begin(), Call->arg_end());
      }
    }
    if (!Ctor)
      continue;
    for (unsigned I = 0; I < Args.size(); ++I) {
      const Expr *Arg = lookThrough(Args[I]);
      const ValueDecl *Holder = nullptr;
      if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Arg))
        Holder = dyn_cast<VarDecl>(Ref->getDecl());
      else if (!isa_and_nonnull<CXXThisExpr>(Arg))
        continue;
      if ((!Holder && !isa_and_nonnull<CXXThisExpr>(Arg)) || Holders.count(Holder) ||
          !constructorGivesThisTo(*Ctor, I) || !writeHoldsAt(Index))
        continue;
      ReachStep Step;
      Step.StepKind = ReachStep::Kind::Holds;
      Step.Holder = Holder;
      Step.HolderName = nameOf(Holder);
      Step.Loc = W.Loc;
      Step.How = "stored by the constructor of '" + displayName(*Ctor) + "'";
      Holders.try_emplace(Holder, ReachChain{Step});
    }
  }
}

void ObjectReach::solve() {
  if (!Flow)
    return;
  seedConstructedObject();
  // From the object outwards: only writes whose value mentions the object
  // or a holder found so far can make a new holder.
  const std::vector<Write> &Writes = Flow->writes();
  std::vector<signed char> Judged(Writes.size(), -1);
  std::deque<const ValueDecl *> Work{Object.Variable};
  llvm::SmallPtrSet<const ValueDecl *, 8> Queued;
  bool ThisQueued = !Object.Variable;
  if (Object.Variable)
    Queued.insert(Object.Variable);
  for (const auto &Seeded : Holders) {
    if (!Seeded.first ? ThisQueued : !Queued.insert(Seeded.first).second)
      continue;
    ThisQueued = ThisQueued || !Seeded.first;
    Work.push_back(Seeded.first);
  }
  while (!Work.empty()) {
    const ValueDecl *Var = Work.front();
    Work.pop_front();
    for (unsigned Index : Flow->writesMentioning(Var)) {
      const Write &W = Writes[Index];
      const ValueDecl *Target = W.Target.Variable;
      if (Holders.count(Target) || Judged[Index] == 0)
        continue;
      // The object's own variable (or `this`) does not hold the object.
      if (Target == Object.Variable && Object.isRoot())
        continue;
      if (Options.IsRootField && (llvm::any_of(W.Target.Hops,
                                               [&](const AccessPath::Hop &Hop) {
                                                 return Hop.Field &&
                                                        Options.IsRootField(*Hop.Field);
                                               }) ||
                                  (W.KnownField && Options.IsRootField(*W.KnownField))))
        continue;
      std::optional<ReachChain> Chain = carriesImpl(W.Value, 0);
      if (!Chain)
        continue;
      if (Judged[Index] < 0)
        Judged[Index] =
            (W.WriteKind != Write::Kind::PassedTo || passedWriteStores(W)) && writeHoldsAt(Index)
                ? 1
                : 0;
      if (!Judged[Index])
        continue;
      ReachChain Full{stepFor(W, *Chain)};
      Full.append(Chain->begin(), Chain->end());
      Holders.try_emplace(Target, std::move(Full));
      if (!Target ? !ThisQueued : Queued.insert(Target).second) {
        if (!Target)
          ThisQueued = true;
        Work.push_back(Target);
      }
    }
  }
}

bool ObjectReach::isCarryingFunction(const FunctionDecl &Function) const {
  static const llvm::StringSet<> StdNames = {
      "make_pair",     "make_tuple", "make_shared", "make_unique", "allocate_shared",
      "make_optional", "ref",        "cref",        "tie",         "forward_as_tuple",
      "make_any"};
  if (Function.isInStdNamespace() && Function.getIdentifier() &&
      StdNames.contains(Function.getName()))
    return true;
  if (Options.CarryingFunctions.matches(Function))
    return true;
  return false;
}

bool ObjectReach::designates(const Expr *E) const {
  std::optional<ObjectIdentity> Identity = identifyObject(E);
  return Identity && *Identity == Object;
}

std::optional<ReachChain> ObjectReach::heldBy(const ValueDecl *Var, bool IsThis) const {
  const ValueDecl *Key = IsThis ? nullptr : Var;
  if (!IsThis && !Var)
    return std::nullopt;
  // The object is a field of this variable: the variable holds it.
  if (const FieldDecl *Field = Object.firstField();
      Field && Object.Variable == Key && mayHoldObject(Field->getType())) {
    ReachStep Step;
    Step.StepKind = ReachStep::Kind::Holds;
    Step.Holder = Key;
    Step.HolderName = nameOf(Key);
    Step.Through = Object.spelling();
    Step.Field = Field;
    return ReachChain{Step};
  }
  auto It = Holders.find(Key);
  if (It == Holders.end())
    return std::nullopt;
  return It->second;
}

std::optional<ReachChain> ObjectReach::carries(const Expr *E) const { return carriesImpl(E, 0); }

std::optional<ReachChain> ObjectReach::holds(const ValueDecl *Var) const {
  if (!Var && Object.isThis() && Object.isRoot())
    return ReachChain{};
  return holdsVariable(Var, 0);
}

std::optional<ReachChain> ObjectReach::holdsVariable(const ValueDecl *Var, unsigned Depth) const {
  if (!Var)
    return heldBy(nullptr, true);
  if (Var == Object.Variable && Object.isRoot())
    return ReachChain{};
  if (Depth > MaxDepth) {
    budgetReached(Budget::ReachDepth);
    return std::nullopt;
  }
  // A structured binding of a pointer or a class: what its whole holds.
  if (const auto *Binding = dyn_cast<BindingDecl>(Var)) {
    QualType Type = Binding->getType();
    if (Type.isNull() || !(Type->isPointerType() || Type->isRecordType() ||
                           Type->isDependentType() || Type->isReferenceType()))
      return std::nullopt;
    return holdsVariable(Binding->getDecomposedDecl(), Depth + 1);
  }
  // A reference bound to a variable is that variable.
  if (const Expr *Init = aliasedExpr(Var)) {
    if (designates(Init))
      return ReachChain{};
    if (const auto *Ref = dyn_cast<DeclRefExpr>(Init))
      return holdsVariable(Ref->getDecl(), Depth + 1);
    return carriesImpl(Init, Depth + 1);
  }
  return heldBy(Var, false);
}

std::optional<ReachChain> ObjectReach::carriesImpl(const Expr *E, unsigned Depth) const {
  if (!E)
    return std::nullopt;
  if (Depth > MaxDepth) {
    budgetReached(Budget::ReachDepth);
    return std::nullopt;
  }
  E = lookThrough(E);
  if (!E)
    return std::nullopt;
  if (designates(E))
    return ReachChain{};
  if (const auto *Ref = dyn_cast<DeclRefExpr>(E)) {
    if (isa_and_nonnull<VarDecl, BindingDecl>(Ref->getDecl()))
      return holdsVariable(Ref->getDecl(), Depth + 1);
    return std::nullopt;
  }
  if (isa<CXXThisExpr>(E))
    return heldBy(nullptr, true);
  // obj->name, an array field used as a value, decays to a pointer into obj.
  if (const auto *Member = dyn_cast<MemberExpr>(E);
      Member && Member->getType()->isArrayType() && designates(lookThrough(Member->getBase()))) {
    ReachStep Interior;
    Interior.StepKind = ReachStep::Kind::Interior;
    Interior.HolderName = text(E);
    return ReachChain{Interior};
  }

  if (const auto *Unary = dyn_cast<UnaryOperator>(E)) {
    if (Unary->getOpcode() != UO_AddrOf)
      return std::nullopt;
    const Expr *Sub = Unary->getSubExpr()->IgnoreParens();
    if (isa<DeclRefExpr>(Sub)) {
      std::optional<ReachChain> Chain = carriesImpl(Sub, Depth + 1);
      if (Chain && Chain->empty()) {
        ReachStep Step;
        Step.StepKind = ReachStep::Kind::Alias;
        Step.HolderName = text(E);
        Chain->insert(Chain->begin(), Step);
      }
      return Chain;
    }
    // &obj->field, &obj[i], &holder.field
    const Expr *Part = Sub;
    for (unsigned Step = 0; Part && Step < 32; ++Step) {
      Part = lookThrough(Part);
      if (!Part)
        break;
      const Expr *Base = nullptr;
      if (const auto *Member = dyn_cast<MemberExpr>(Part))
        Base = Member->getBase();
      else if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(Part))
        Base = Subscript->getBase();
      else if (const auto *Deref = dyn_cast<UnaryOperator>(Part);
               Deref && Deref->getOpcode() == UO_Deref)
        Base = Deref->getSubExpr();
      else if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(Part);
               Op && (Op->getOperator() == OO_Arrow || Op->getOperator() == OO_Star) &&
               Op->getNumArgs() >= 1)
        Base = Op->getArg(0);
      if (!Base)
        break;
      if (designates(Part) || designates(Base)) {
        ReachStep Interior;
        Interior.StepKind = ReachStep::Kind::Interior;
        Interior.HolderName = text(E);
        return ReachChain{Interior};
      }
      Part = Base;
    }
    if (Part && (isa<DeclRefExpr>(Part) || isa<CXXThisExpr>(Part)))
      if (std::optional<ReachChain> Chain = carriesImpl(Part, Depth + 1); Chain && !Chain->empty())
        return Chain;
    return std::nullopt;
  }

  if (const auto *Binary = dyn_cast<BinaryOperator>(E)) {
    switch (Binary->getOpcode()) {
    case BO_Comma:
    case BO_Assign:
      return carriesImpl(Binary->getRHS(), Depth + 1);
    case BO_Add:
    case BO_Sub: {
      const Expr *Pointer = Binary->getLHS()->getType()->isPointerType()   ? Binary->getLHS()
                            : Binary->getRHS()->getType()->isPointerType() ? Binary->getRHS()
                                                                           : nullptr;
      std::optional<ReachChain> Chain = carriesImpl(Pointer, Depth + 1);
      if (Chain && Chain->empty()) {
        ReachStep Interior;
        Interior.StepKind = ReachStep::Kind::Interior;
        Interior.HolderName = text(E);
        return ReachChain{Interior};
      }
      return Chain;
    }
    default:
      return std::nullopt;
    }
  }
  if (const auto *Conditional = dyn_cast<AbstractConditionalOperator>(E)) {
    if (std::optional<ReachChain> Chain = carriesImpl(Conditional->getTrueExpr(), Depth + 1))
      return Chain;
    return carriesImpl(Conditional->getFalseExpr(), Depth + 1);
  }

  // A field read: carries only what a holder stored in that field.
  if (const auto *Member = dyn_cast<MemberExpr>(E)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    if (!Field)
      return std::nullopt;
    std::optional<ReachChain> Chain = carriesImpl(lookThroughArrow(Member->getBase()), Depth + 1);
    if (!Chain || Chain->empty())
      return std::nullopt; // a field of the object: another value
    const ReachStep &First = Chain->front();
    if (First.StepKind != ReachStep::Kind::Holds)
      return std::nullopt;
    if (First.Field == Field)
      return ReachChain(Chain->begin() + 1, Chain->end());
    // A holder known without the field it keeps the object in: any field
    // whose type can point to the object's class.
    if (!First.Field && mayHoldObject(Field->getType())) {
      const CXXRecordDecl *Class = objectClass();
      if (!Class || mayReachRecord(Field->getType(), *Class))
        return Chain;
    }
    return std::nullopt;
  }
  if (const auto *Subscript = dyn_cast<ArraySubscriptExpr>(E)) {
    std::optional<ReachChain> Chain = carriesImpl(Subscript->getBase(), Depth + 1);
    if (!Chain || Chain->empty() || Chain->front().StepKind != ReachStep::Kind::Holds)
      return std::nullopt;
    return Chain;
  }
  // An element of a container (or the pointee of a smart pointer, the value
  // of an optional) that holds the object: v.front(), v.at(i), *v.begin().
  if (const auto *Member = dyn_cast<CXXMemberCallExpr>(E)) {
    const CXXMethodDecl *Method = Member->getMethodDecl();
    if (!Method || !isStdElementAccess(*Method) || !Member->getImplicitObjectArgument())
      return std::nullopt;
    std::optional<ReachChain> Chain = carriesImpl(Member->getImplicitObjectArgument(), Depth + 1);
    if (!Chain || Chain->empty() || Chain->front().StepKind != ReachStep::Kind::Holds)
      return std::nullopt;
    return Chain;
  }
  if (const auto *Op = dyn_cast<CXXOperatorCallExpr>(E)) {
    OverloadedOperatorKind Kind = Op->getOperator();
    if (Op->getNumArgs() < 1)
      return std::nullopt;
    if (Kind == OO_Arrow)
      return carriesImpl(Op->getArg(0), Depth + 1);
    if (Kind == OO_Subscript || Kind == OO_Star) {
      std::optional<ReachChain> Chain = carriesImpl(Op->getArg(0), Depth + 1);
      if (!Chain || Chain->empty() || Chain->front().StepKind != ReachStep::Kind::Holds)
        return std::nullopt;
      return Chain;
    }
    if (Kind == OO_Equal && Op->getNumArgs() == 2)
      return carriesImpl(Op->getArg(1), Depth + 1);
    return std::nullopt;
  }

  // Values built from parts: the parts that carry the object.
  auto FirstCarrying = [&](auto Range) -> std::optional<ReachChain> {
    for (const Expr *Part : Range)
      if (std::optional<ReachChain> Chain = carriesImpl(Part, Depth + 1))
        return Chain;
    return std::nullopt;
  };
  // Arguments of a constructor that visibly only reads them do not count.
  auto CarryingArgument = [&](const CXXConstructorDecl *Ctor,
                              auto Args) -> std::optional<ReachChain> {
    unsigned Index = 0;
    for (const Expr *Arg : Args) {
      if (!Cache.summaries().constructorOnlyReads(Ctor, Index))
        if (std::optional<ReachChain> Chain = carriesImpl(Arg, Depth + 1))
          return Chain;
      ++Index;
    }
    return std::nullopt;
  };
  if (const auto *Construct = dyn_cast<CXXConstructExpr>(E))
    return CarryingArgument(Construct->getConstructor(), Construct->arguments());
  if (const auto *List = dyn_cast<InitListExpr>(E))
    return FirstCarrying(List->inits());
  if (const auto *ParenList = dyn_cast<CXXParenListInitExpr>(E))
    return FirstCarrying(ParenList->getInitExprs());
  if (const auto *ParenList = dyn_cast<ParenListExpr>(E)) {
    for (unsigned I = 0; I < ParenList->getNumExprs(); ++I)
      if (std::optional<ReachChain> Chain = carriesImpl(ParenList->getExpr(I), Depth + 1))
        return Chain;
    return std::nullopt;
  }
  if (const auto *Unresolved = dyn_cast<CXXUnresolvedConstructExpr>(E))
    return FirstCarrying(Unresolved->arguments());
  if (const auto *StdList = dyn_cast<CXXStdInitializerListExpr>(E))
    return carriesImpl(StdList->getSubExpr(), Depth + 1);
  if (const auto *New = dyn_cast<CXXNewExpr>(E))
    return New->hasInitializer() ? carriesImpl(New->getInitializer(), Depth + 1) : std::nullopt;
  if (const auto *Lambda = dyn_cast<LambdaExpr>(E)) {
    for (const Expr *Init : Lambda->capture_inits())
      if (std::optional<ReachChain> Chain = carriesImpl(Init, Depth + 1))
        return Chain;
    return std::nullopt;
  }
  if (const auto *Call = dyn_cast<CallExpr>(E)) {
    bool Carrying = false;
    if (const FunctionDecl *Callee = Call->getDirectCallee())
      Carrying = isCarryingFunction(*Callee);
    else if (const auto *Lookup =
                 dyn_cast_or_null<UnresolvedLookupExpr>(Call->getCallee()->IgnoreParenImpCasts()))
      for (const NamedDecl *Decl : Lookup->decls())
        if (const auto *Template = dyn_cast<FunctionTemplateDecl>(Decl->getUnderlyingDecl()))
          Carrying = Carrying || isCarryingFunction(*Template->getTemplatedDecl());
    if (!Carrying) {
      // A function of the TU whose returned value carries a parameter (a
      // factory returning a lambda, a functor, an aggregate built from it).
      const FunctionDecl *Callee = Call->getDirectCallee();
      if (!Callee || isa<CXXOperatorCallExpr>(Call))
        return std::nullopt;
      for (unsigned I = 0; I < Call->getNumArgs() && I < Callee->getNumParams(); ++I) {
        if (!returnCarriesParameter(*Callee, I))
          continue;
        if (std::optional<ReachChain> Chain = carriesImpl(Call->getArg(I), Depth + 1)) {
          ReachStep Step;
          Step.StepKind = ReachStep::Kind::Holds;
          Step.HolderName = text(E);
          Step.Loc = Call->getBeginLoc();
          Step.How = "built by '" + displayName(*Callee) + "'";
          Chain->insert(Chain->begin(), Step);
          return Chain;
        }
      }
      return std::nullopt;
    }
    // make<T>(args): the constructor of T that takes them, when only one does.
    const CXXConstructorDecl *Only = onlyConstructorTaking(builtRecord(*Call), Call->getNumArgs());
    return CarryingArgument(Only, Call->arguments());
  }
  return std::nullopt;
}

std::optional<CallableReach> ObjectReach::reachThroughCallable(const CallableTarget *Target,
                                                               const Expr *CallbackExpr) const {
  // A lambda a helper returns captures the helper's variables: what it holds
  // is judged at the call (returnCarriesParameter), as any value.
  if (Target && Target->ReturnedBy)
    Target = nullptr;
  if (Target && Target->Lambda) {
    const LambdaExpr *Lambda = Target->Lambda;
    const Stmt *Body = Lambda->getBody();
    for (const LambdaCapture &Capture : Lambda->captures()) {
      CallableReach Found;
      Found.Capture = &Capture;
      if (Capture.capturesThis()) {
        if (Capture.getCaptureKind() == LCK_StarThis)
          continue; // a copy of *this
        Found.Uses = evaluatedUses(Body, nullptr);
        // An explicit capture is stored whether or not the body uses it.
        if (Found.Uses.empty() && !Capture.isExplicit())
          continue;
        std::optional<ReachChain> Chain = holds(nullptr);
        if (!Chain)
          continue;
        Found.ReachKind = CallableReach::Kind::ThisCapture;
        Found.Name = "this";
        Found.Chain = std::move(*Chain);
      } else if (Capture.capturesVariable()) {
        const ValueDecl *Var = Capture.getCapturedVar();
        if (!Var)
          continue;
        Found.Uses = evaluatedUses(Body, Var);
        bool ByReference = Capture.getCaptureKind() == LCK_ByRef;
        // An explicit by-copy capture is stored whether or not the body
        // uses it (a debug macro that expands to nothing, say).
        if (Found.Uses.empty() && (ByReference || !Capture.isExplicit()))
          continue;
        const auto *VarDeclaration = dyn_cast<VarDecl>(Var);
        // A local captured by reference keeps nothing alive: the callable
        // runs after the frame is gone.
        if (ByReference && Options.DanglingLocals && VarDeclaration &&
            VarDeclaration->hasLocalStorage() && !VarDeclaration->getType()->isReferenceType() &&
            !VarDeclaration->isInitCapture()) {
          Found.ReachKind = CallableReach::Kind::LocalByReference;
          Found.Name = Var->getNameAsString();
          Found.CapturedVariable = Var;
          if (const auto *Owner =
                  dyn_cast_or_null<FunctionDecl>(VarDeclaration->getParentFunctionOrMethod()))
            Found.Frame = Owner;
          Found.Loc =
              Capture.isExplicit() ? Capture.getLocation() : Found.Uses.front()->getBeginLoc();
          return Found;
        }
        std::optional<ReachChain> Chain;
        if (VarDeclaration && VarDeclaration->isInitCapture())
          Chain = carriesImpl(VarDeclaration->getInit(), 0);
        else
          Chain = holds(Var);
        if (!Chain)
          continue;
        Found.ReachKind = CallableReach::Kind::Capture;
        Found.Name = Var->getNameAsString();
        Found.CapturedVariable = Var;
        Found.Chain = std::move(*Chain);
      } else {
        continue;
      }
      Found.Loc = Capture.isExplicit() || Found.Uses.empty() ? Capture.getLocation()
                                                             : Found.Uses.front()->getBeginLoc();
      return Found;
    }
  }
  if (Target) {
    for (const Expr *Arg : Target->StoredArguments)
      if (std::optional<ReachChain> Chain = carriesImpl(Arg, 0)) {
        CallableReach Found;
        Found.ReachKind = Target->IsBind ? CallableReach::Kind::BoundArgument
                                         : CallableReach::Kind::StoredArgument;
        Found.Name = text(lookThrough(Arg));
        Found.Loc = Arg->getBeginLoc();
        Found.Chain = std::move(*Chain);
        return Found;
      }
    if (Target->Lambda || Target->IsBind)
      return std::nullopt;
  }
  // The callable as a whole holds the object: named \p Name, at \p Where.
  auto HolderReach = [](std::string Name, const Expr &Where, ReachChain Chain,
                        const ValueDecl *Var = nullptr) {
    CallableReach Found;
    Found.ReachKind = CallableReach::Kind::CallableHolder;
    Found.Name = std::move(Name);
    Found.CapturedVariable = Var;
    Found.Loc = Where.getBeginLoc();
    Found.Chain = std::move(Chain);
    return Found;
  };
  // A function object kept in a local variable that holds the object.
  const Expr *Callback = lookThrough(CallbackExpr);
  if (const auto *Ref = dyn_cast_or_null<DeclRefExpr>(Callback))
    if (const auto *Var = dyn_cast<VarDecl>(Ref->getDecl()); Var && Var->hasLocalStorage())
      if (std::optional<ReachChain> Chain = heldBy(Var, false))
        return HolderReach(Var->getNameAsString(), *Ref, std::move(*Chain), Var);
  // A callable kept in a field of a local (`opts.on_close = [s] {...};`
  // then `set_finalizer(s, opts.on_close)`): the local holds the object
  // through that very field.
  if (const auto *Member = dyn_cast_or_null<MemberExpr>(Callback)) {
    const auto *Field = dyn_cast<FieldDecl>(Member->getMemberDecl());
    const auto *Ref = dyn_cast_or_null<DeclRefExpr>(lookThroughArrow(Member->getBase()));
    const auto *Var = Ref ? dyn_cast<VarDecl>(Ref->getDecl()) : nullptr;
    if (Field && Var && Var->hasLocalStorage())
      if (std::optional<ReachChain> Chain = heldBy(Var, false);
          Chain && !Chain->empty() && Chain->front().StepKind == ReachStep::Kind::Holds &&
          Chain->front().Field == Field)
        return HolderReach(text(Member), *Member, std::move(*Chain));
  }
  // A callable a factory of the TU builds from its arguments
  // (`set_finalizer(s, make_close_hook(s))`): judged by what the call carries.
  if (const auto *Call = dyn_cast_or_null<CallExpr>(Callback);
      Call && !isa<CXXOperatorCallExpr>(Call))
    if (std::optional<ReachChain> Chain = carriesImpl(Call, 0))
      return HolderReach(text(Call), *Call, std::move(*Chain));
  return std::nullopt;
}

} // namespace lastword::analysis
