// The shared type-role analysis (analysis/CollectedTypes) on small programs,
// under each built-in profile, a profile configured through options, and
// (when installed) the real cppgc headers.

#include "analysis/CollectedTypes.h"
#include "clang-tidy/ClangTidyCheck.h"
#include "clang-tidy/ClangTidyDiagnosticConsumer.h"
#include "clang-tidy/ClangTidyOptions.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Frontend/ASTUnit.h"
#include "clang/Tooling/Tooling.h"
#include "gtest/gtest.h"
#include "llvm/Support/ErrorHandling.h"
#include <map>
#include <set>
#include <string>

using namespace clang;
using namespace lastword::analysis;

namespace {

// Minimal stand-ins for the APIs, with the names the profiles recognise.
const char *const LastwordApi = R"cpp(
namespace std {
template <class T> struct allocator {};
template <class T, class A = allocator<T>> class vector {
  T *data;
public:
  const T *begin() const { return data; }
  const T *end() const { return data; }
};
template <class K, class V> class map { K *k; V *v; };
template <class T> class unique_ptr { T *p; };
template <class T> class function {};
}
namespace lastword {
template <class T> class member { T *p; public: T *get() const { return p; } };
template <class T> class persistent { T *p; };
class tracer {
public:
  template <class U> void visit(const member<U> &field) {}
  void visit_pointer(const void *p) {}
};
template <class T, class... A> T *make(A &&...args) { return nullptr; }
template <class T, class F> void set_finalizer(T *obj, F fn) {}
template <class T, class F, class S> int add_cleanup(T *obj, F fn, S arg) { return 0; }
}
)cpp";

const char *const BoehmApi = R"cpp(
extern "C" {
typedef unsigned long size_t;
void *GC_malloc(size_t);
void *GC_base(void *);
typedef void (*GC_finalization_proc)(void *, void *);
void GC_register_finalizer(void *, GC_finalization_proc, void *, GC_finalization_proc *, void **);
}
enum GCPlacement { UseGC, NoGC };
class gc { public: void *operator new(size_t, GCPlacement); void *operator new(size_t); };
class gc_cleanup : public gc { public: virtual ~gc_cleanup(); };
inline void *operator new(size_t, GCPlacement);
inline void *operator new(size_t, GCPlacement, GC_finalization_proc, void *);
)cpp";

const char *const CppgcStandIn = R"cpp(
namespace cppgc {
class Visitor;
namespace internal {
struct StrongMemberTag; struct WeakMemberTag; struct UntracedMemberTag;
template <class T, class Tag> class BasicMember { T *p; };
struct StrongPersistentPolicy; struct WeakPersistentPolicy;
template <class T, class Policy> class BasicPersistent { T *p; };
}
template <class T> class GarbageCollected {};
class GarbageCollectedMixin {};
template <class T> using Member = internal::BasicMember<T, internal::StrongMemberTag>;
template <class T> using WeakMember = internal::BasicMember<T, internal::WeakMemberTag>;
template <class T> using UntracedMember = internal::BasicMember<T, internal::UntracedMemberTag>;
template <class T> using Persistent = internal::BasicPersistent<T, internal::StrongPersistentPolicy>;
template <class T> using WeakPersistent = internal::BasicPersistent<T, internal::WeakPersistentPolicy>;
class Visitor {
public:
  template <class T> void Trace(const Member<T> &) {}
  template <class T> void Trace(const WeakMember<T> &) {}
};
class AllocationHandle;
template <class T, class... A> T *MakeGarbageCollected(AllocationHandle &, A &&...) { return nullptr; }
}
)cpp";

/// A parsed program and the declarations the tests ask about, by name.
class Program {
public:
  Program(const std::string &Code, std::vector<std::string> Args = {}) {
    Args.insert(Args.begin(), {"-std=c++20", "-fsyntax-only"});
    Unit = tooling::buildASTFromCodeWithArgs(Code, Args, "input.cpp");
    if (!Unit)
      return;
    Errors = Unit->getDiagnostics().hasErrorOccurred();
    Index Indexer{*this};
    Indexer.TraverseDecl(Unit->getASTContext().getTranslationUnitDecl());
  }
  bool ok() const { return Unit && !Errors; }
  ASTContext &context() { return Unit->getASTContext(); }
  const CXXRecordDecl &record(const std::string &Name) const {
    auto It = Records.find(Name);
    if (It == Records.end())
      llvm::report_fatal_error(llvm::Twine("no class ") + Name);
    return *It->second;
  }
  const FieldDecl &field(const std::string &Qualified) const {
    auto It = Fields.find(Qualified);
    if (It == Fields.end())
      llvm::report_fatal_error(llvm::Twine("no field ") + Qualified);
    return *It->second;
  }

private:
  struct Index : RecursiveASTVisitor<Index> {
    Program &P;
    explicit Index(Program &P) : P(P) {}
    bool VisitCXXRecordDecl(CXXRecordDecl *R) {
      if (R->isThisDeclarationADefinition() && R->getIdentifier() &&
          !isa<ClassTemplateSpecializationDecl>(R))
        P.Records.emplace(R->getQualifiedNameAsString(), R);
      return true;
    }
    bool VisitFieldDecl(FieldDecl *F) {
      if (F->getIdentifier() && !isa<ClassTemplateSpecializationDecl>(F->getParent()))
        P.Fields.emplace(F->getQualifiedNameAsString(), F);
      return true;
    }
  };
  std::unique_ptr<ASTUnit> Unit;
  bool Errors = true;
  std::map<std::string, const CXXRecordDecl *> Records;
  std::map<std::string, const FieldDecl *> Fields;
};

std::set<std::string> visitedNames(const TraceInfo &Info) {
  std::set<std::string> Names;
  for (const FieldDecl *Field : Info.VisitedFields)
    Names.insert(Field->getNameAsString());
  for (const CXXRecordDecl *Base : Info.TracedBases)
    Names.insert("base " + Base->getNameAsString());
  return Names;
}

TEST(CollectedTypes, LastwordRecognisesCollectedClassesAndTheirFields) {
  Program P(std::string(LastwordApi) + R"cpp(
struct Plain { int x; };                // allocated with make<T> below
struct Untouched { int y; };            // never allocated: not collected
struct Traced {                         // collected: it traces
  void trace(lastword::tracer &t) const {}
};
struct Node {
  lastword::member<Node> next_;
  lastword::member<Node> prev_;         // not visited
  std::vector<lastword::member<Node>> kids_;
  lastword::persistent<Plain> pinned_;
  Plain *plain_;
  Untouched *untouched_;
  void *opaque_;
  std::unique_ptr<Traced> owned_;
  std::map<int, Node *> index_;
  Node *inline_[4];
  void (*callback_)(int);
  void trace(lastword::tracer &t) const {
    t.visit(next_);
    for (const auto &kid : kids_) t.visit(kid);
    trace_more(t);
  }
  void trace_more(lastword::tracer &t) const { t.visit_pointer(plain_); }
};
struct Derived : Node {
  lastword::member<Traced> extra_;
  void trace(lastword::tracer &t) const { Node::trace(t); t.visit(extra_); }
};
struct Forgets : Node {
  lastword::member<Traced> extra_;
  void trace(lastword::tracer &t) const { t.visit(extra_); }
};
Plain *build() { return lastword::make<Plain>(); }
)cpp");
  ASSERT_TRUE(P.ok());
  CollectedTypes Types(P.context(), ApiProfile::defaults(ApiFlavor::Lastword));

  EXPECT_TRUE(Types.isCollected(P.record("Plain")));
  EXPECT_FALSE(Types.isCollectedByDeclaration(P.record("Plain")));
  EXPECT_FALSE(Types.isCollected(P.record("Untouched")));
  EXPECT_TRUE(Types.isCollectedByDeclaration(P.record("Traced")));
  EXPECT_TRUE(Types.isCollected(P.record("Node")));
  EXPECT_TRUE(Types.isCollected(P.record("Derived")));

  FieldHandle Next = Types.classifyField(P.field("Node::next_"));
  EXPECT_EQ(Next.Kind, HandleKind::Member);
  EXPECT_EQ(Next.Pointee, &P.record("Node"));
  EXPECT_TRUE(Next.PointeeCollected);
  EXPECT_TRUE(Next.keepsAlive());

  FieldHandle Kids = Types.classifyField(P.field("Node::kids_"));
  EXPECT_EQ(Kids.Kind, HandleKind::Member);
  ASSERT_NE(Kids.Container, nullptr);
  EXPECT_EQ(Kids.Container->getNameAsString(), "vector");

  EXPECT_EQ(Types.classifyField(P.field("Node::pinned_")).Kind, HandleKind::Persistent);
  FieldHandle Raw = Types.classifyField(P.field("Node::plain_"));
  EXPECT_EQ(Raw.Kind, HandleKind::RawPointer);
  EXPECT_TRUE(Raw.PointeeCollected);
  FieldHandle NotCollected = Types.classifyField(P.field("Node::untouched_"));
  EXPECT_EQ(NotCollected.Kind, HandleKind::RawPointer);
  EXPECT_FALSE(NotCollected.PointeeCollected);
  FieldHandle Opaque = Types.classifyField(P.field("Node::opaque_"));
  EXPECT_EQ(Opaque.Kind, HandleKind::RawPointer);
  EXPECT_EQ(Opaque.Pointee, nullptr);
  FieldHandle Owned = Types.classifyField(P.field("Node::owned_"));
  EXPECT_EQ(Owned.Kind, HandleKind::SmartPointer);
  EXPECT_TRUE(Owned.PointeeCollected);
  FieldHandle Index = Types.classifyField(P.field("Node::index_"));
  EXPECT_EQ(Index.Kind, HandleKind::RawPointer);
  EXPECT_EQ(Index.Pointee, &P.record("Node"));
  ASSERT_NE(Index.Container, nullptr);
  FieldHandle Inline = Types.classifyField(P.field("Node::inline_"));
  EXPECT_EQ(Inline.Kind, HandleKind::RawPointer);
  EXPECT_TRUE(Inline.InArray);
  EXPECT_FALSE(Types.classifyField(P.field("Node::callback_")));

  const TraceInfo &Node = Types.traceOf(P.record("Node"));
  ASSERT_NE(Node.Method, nullptr);
  EXPECT_TRUE(Node.HasBody);
  EXPECT_EQ(visitedNames(Node), (std::set<std::string>{"next_", "kids_", "plain_"}));
  EXPECT_EQ(visitedNames(Types.traceOf(P.record("Derived"))),
            (std::set<std::string>{"extra_", "base Node"}));
  EXPECT_EQ(visitedNames(Types.traceOf(P.record("Forgets"))), (std::set<std::string>{"extra_"}));
  EXPECT_EQ(Types.traceOf(P.record("Plain")).Method, nullptr);
}

TEST(CollectedTypes, LastwordFindsFinalizableClassesThroughRegistrations) {
  Program P(std::string(LastwordApi) + R"cpp(
struct Res { int fd; };
struct Conn { int fd; };
struct Quiet { int fd; };
struct Base { Base() { lastword::set_finalizer(this, [](Base *) {}); } };
struct Child : Base { int more; };
void close_conn(Conn *) {}
template <class T> void track(T *obj) { lastword::set_finalizer(obj, [](T *) {}); }
void use() {
  Res *r = lastword::make<Res>();
  track(r);
  Conn *c = lastword::make<Conn>();
  lastword::add_cleanup(c, close_conn, 3);
  Quiet *q = lastword::make<Quiet>();
  lastword::set_finalizer(q, nullptr);   // unregisters
}
)cpp");
  ASSERT_TRUE(P.ok());
  CollectedTypes Types(P.context(), ApiProfile::defaults(ApiFlavor::Lastword));
  const FinalizableType *Res = Types.finalizable(P.record("Res"));
  ASSERT_NE(Res, nullptr);
  ASSERT_EQ(Res->Sites.size(), 1u);
  EXPECT_EQ(Res->Sites[0].Source, FinalizableSource::Registration);
  ASSERT_NE(Res->Sites[0].EnclosingFunction, nullptr);
  EXPECT_EQ(Res->Sites[0].EnclosingFunction->getNameAsString(), "track");
  ASSERT_NE(Res->Sites[0].Finalizer, nullptr);
  EXPECT_EQ(Res->Sites[0].Finalizer->getOverloadedOperator(), OO_Call);

  const FinalizableType *Conn = Types.finalizable(P.record("Conn"));
  ASSERT_NE(Conn, nullptr);
  EXPECT_EQ(Conn->Sites[0].Source, FinalizableSource::CleanupRegistration);
  ASSERT_NE(Conn->Sites[0].Finalizer, nullptr);
  EXPECT_EQ(Conn->Sites[0].Finalizer->getNameAsString(), "close_conn");

  EXPECT_FALSE(Types.isFinalizable(P.record("Quiet")));
  EXPECT_TRUE(Types.isFinalizable(P.record("Base")));
  EXPECT_EQ(Types.finalizable(P.record("Child")), Types.finalizable(P.record("Base")));
  EXPECT_TRUE(Types.isCollected(P.record("Child")) || Types.isFinalizable(P.record("Child")));
}

TEST(CollectedTypes, BoehmRecognisesBasesPlacementAndMallocedTypes) {
  Program P(std::string(BoehmApi) + R"cpp(
struct Conn { int fd; };
struct Raw { int x; };
struct Holder : gc { Conn *conn; };
struct File : gc_cleanup { int fd; ~File() {} };
struct Placed { int x; };
struct Finalized { int x; };
void finalize(void *, void *) {}
void use() {
  Conn *c = (Conn *)GC_malloc(sizeof(Conn));
  GC_register_finalizer(GC_base(c), finalize, 0, 0, 0);
  Placed *p = new (UseGC) Placed;
  Finalized *f = new (UseGC, finalize, nullptr) Finalized;
  Raw *r = new Raw;
}
)cpp");
  ASSERT_TRUE(P.ok());
  CollectedTypes Types(P.context(), ApiProfile::defaults(ApiFlavor::Bdwgc));
  EXPECT_TRUE(Types.isCollected(P.record("Conn")));
  EXPECT_TRUE(Types.isCollected(P.record("Holder")));
  EXPECT_TRUE(Types.isCollected(P.record("File")));
  EXPECT_TRUE(Types.isCollected(P.record("Placed")));
  EXPECT_FALSE(Types.isCollected(P.record("Raw")));
  EXPECT_TRUE(Types.isFinalizable(P.record("Conn")));
  const FinalizableType *File = Types.finalizable(P.record("File"));
  ASSERT_NE(File, nullptr);
  EXPECT_EQ(File->Sites[0].Source, FinalizableSource::FinalizableBase);
  ASSERT_NE(File->Sites[0].Finalizer, nullptr);
  EXPECT_TRUE(isa<CXXDestructorDecl>(File->Sites[0].Finalizer));
  const FinalizableType *Finalized = Types.finalizable(P.record("Finalized"));
  ASSERT_NE(Finalized, nullptr);
  EXPECT_EQ(Finalized->Sites[0].Source, FinalizableSource::PlacementNew);
  EXPECT_FALSE(Types.isFinalizable(P.record("Placed")));
  EXPECT_FALSE(Types.isFinalizable(P.record("Holder")));
  // Boehm traces conservatively: no member wrapper, no trace method.
  FieldHandle Field = Types.classifyField(P.field("Holder::conn"));
  EXPECT_EQ(Field.Kind, HandleKind::RawPointer);
  EXPECT_TRUE(Field.PointeeCollected);
}

const char *const CppgcProgram = R"cpp(
class Leaf final : public cppgc::GarbageCollected<Leaf> {
public:
  void Trace(cppgc::Visitor *) const {}
};
class Mixin : public cppgc::GarbageCollectedMixin {
public:
  virtual void Trace(cppgc::Visitor *v) const { v->Trace(mixed_); }
  cppgc::Member<Leaf> mixed_;
};
class Tree final : public cppgc::GarbageCollected<Tree>, public Mixin {
public:
  void Trace(cppgc::Visitor *v) const override {
    v->Trace(left_);
    v->Trace(cache_);
    Mixin::Trace(v);
  }
  cppgc::Member<Tree> left_;
  cppgc::Member<Tree> right_;
  cppgc::WeakMember<Leaf> cache_;
  cppgc::UntracedMember<Leaf> untraced_;
  Leaf *raw_;
};
struct Plain { int x; };
cppgc::Persistent<Tree> root;
cppgc::WeakPersistent<Tree> weak_root;
Plain *plain_global;
)cpp";

void checkCppgc(Program &P) {
  CollectedTypes Types(P.context(), ApiProfile::defaults(ApiFlavor::Cppgc));
  EXPECT_TRUE(Types.isCollected(P.record("Leaf")));
  EXPECT_TRUE(Types.isCollected(P.record("Tree")));
  EXPECT_TRUE(Types.isCollected(P.record("Mixin")));
  EXPECT_FALSE(Types.isCollected(P.record("Plain")));
  EXPECT_EQ(Types.classifyField(P.field("Tree::left_")).Kind, HandleKind::Member);
  EXPECT_EQ(Types.classifyField(P.field("Tree::left_")).Pointee, &P.record("Tree"));
  EXPECT_EQ(Types.classifyField(P.field("Tree::cache_")).Kind, HandleKind::WeakMember);
  EXPECT_EQ(Types.classifyField(P.field("Tree::untraced_")).Kind, HandleKind::UntracedMember);
  FieldHandle Raw = Types.classifyField(P.field("Tree::raw_"));
  EXPECT_EQ(Raw.Kind, HandleKind::RawPointer);
  EXPECT_TRUE(Raw.PointeeCollected);
  EXPECT_EQ(visitedNames(Types.traceOf(P.record("Tree"))),
            (std::set<std::string>{"left_", "cache_", "base Mixin"}));
  EXPECT_EQ(visitedNames(Types.traceOf(P.record("Mixin"))), (std::set<std::string>{"mixed_"}));
  ASSERT_NE(Types.traceOf(P.record("Leaf")).Method, nullptr);
  // Globals: what gc-unrooted-pointer asks.
  auto GlobalType = [&](const char *Name) {
    for (const Decl *D : P.context().getTranslationUnitDecl()->decls())
      if (const auto *Var = dyn_cast<VarDecl>(D); Var && Var->getName() == Name)
        return Var->getType();
    return QualType();
  };
  EXPECT_EQ(Types.classifyType(GlobalType("root")).Kind, HandleKind::Persistent);
  EXPECT_EQ(Types.classifyType(GlobalType("weak_root")).Kind, HandleKind::WeakPersistent);
  FieldHandle Plain = Types.classifyType(GlobalType("plain_global"));
  EXPECT_EQ(Plain.Kind, HandleKind::RawPointer);
  EXPECT_FALSE(Plain.PointeeCollected);
}

TEST(CollectedTypes, CppgcThroughAliasTemplates) {
  Program P(std::string(CppgcStandIn) + CppgcProgram);
  ASSERT_TRUE(P.ok());
  checkCppgc(P);
}

TEST(CollectedTypes, CppgcRealHeaders) {
#ifndef LASTWORD_CPPGC_INCLUDE
  GTEST_SKIP() << "cppgc headers not installed (Debian: libnode-dev)";
#else
  Program P(std::string(R"cpp(
#include <cppgc/allocation.h>
#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/persistent.h>
#include <cppgc/prefinalizer.h>
#include <cppgc/visitor.h>
class Disposable final : public cppgc::GarbageCollected<Disposable> {
  CPPGC_USING_PRE_FINALIZER(Disposable, Dispose);
public:
  void Dispose() {}
  void Trace(cppgc::Visitor *) const {}
};
)cpp") + CppgcProgram,
            {"-std=c++17", "-isystem", LASTWORD_CPPGC_INCLUDE});
  ASSERT_TRUE(P.ok());
  checkCppgc(P);
  CollectedTypes Types(P.context(), ApiProfile::defaults(ApiFlavor::Cppgc));
  const FinalizableType *Disposable = Types.finalizable(P.record("Disposable"));
  ASSERT_NE(Disposable, nullptr);
  EXPECT_EQ(Disposable->Sites[0].Source, FinalizableSource::PreFinalizer);
  ASSERT_NE(Disposable->Sites[0].Finalizer, nullptr);
  EXPECT_EQ(Disposable->Sites[0].Finalizer->getNameAsString(), "Dispose");
  EXPECT_FALSE(Types.isFinalizable(P.record("Tree")));
#endif
}

/// A check that only reads the profile, to configure it through options.
class ProfileProbe : public clang::tidy::ClangTidyCheck {
public:
  ProfileProbe(clang::tidy::ClangTidyContext &Context)
      : ClangTidyCheck("gc-probe", &Context),
        Profile(ApiProfile::fromOptions(*this, Options)) {}
  ApiProfile Profile;
};

TEST(CollectedTypes, CustomCollectorThroughOptions) {
  clang::tidy::ClangTidyOptions Options = clang::tidy::ClangTidyOptions::getDefaults();
  Options.CheckOptions["CollectedBases"] = "engine::Cell";
  Options.CheckOptions["MemberTypes"] = "";
  Options.CheckOptions["PersistentTypes"] = "engine::Handle";
  Options.CheckOptions["TraceMethods"] = "visit_children";
  Options.CheckOptions["VisitFunctions"] = "engine::Visitor::visit";
  clang::tidy::ClangTidyContext Context(std::make_unique<clang::tidy::DefaultOptionsProvider>(
      clang::tidy::ClangTidyGlobalOptions(), Options));
  Context.setCurrentFile("input.cpp");
  ProfileProbe Probe(Context);

  Program P(R"cpp(
namespace engine {
class Visitor;
class Cell { public: virtual ~Cell(); virtual void visit_children(Visitor &) {} };
class Visitor { public: void visit(Cell *) {} };
template <class T> class Handle { T *p; };
}
class Str : public engine::Cell { int length; };
class Pair : public engine::Cell {
public:
  void visit_children(engine::Visitor &v) override { Cell::visit_children(v); v.visit(car); }
  engine::Cell *car;
  engine::Cell *cdr;
  Str *name;
};
struct Outside { int x; };
engine::Handle<Pair> global_pair;
)cpp");
  ASSERT_TRUE(P.ok());
  CollectedTypes Types(P.context(), Probe.Profile);
  EXPECT_TRUE(Types.isCollected(P.record("Str")));
  EXPECT_TRUE(Types.isCollected(P.record("Pair")));
  EXPECT_FALSE(Types.isCollected(P.record("Outside")));
  FieldHandle Car = Types.classifyField(P.field("Pair::car"));
  EXPECT_EQ(Car.Kind, HandleKind::RawPointer);
  EXPECT_TRUE(Car.PointeeCollected);
  EXPECT_EQ(visitedNames(Types.traceOf(P.record("Pair"))),
            (std::set<std::string>{"car", "base Cell"}));
  EXPECT_EQ(Probe.Profile.serialise(TypeRole::TraceMethod), "visit_children");
  EXPECT_EQ(Probe.Profile.serialise(TypeRole::Member), "");
}

TEST(CollectedTypes, WhatTheHiddenAndUnrootedPointerChecksAsk) {
  Program P(std::string(LastwordApi) + R"cpp(
struct Target { int x; };               // a member's target: collected
struct Base { Target *raw; };           // the base of an allocated class: collected
struct Made : Base { int y; };          // allocated with make<T>
struct Derived : Made {};               // derives from an allocated class: collected
struct Untouched { int z; };
struct Uses { lastword::member<Target> t; };
struct Holder {                         // holds members in a by-value part
  struct Slot { lastword::member<Target> item; };
  Slot slots[2];
};
struct Lists {
  std::vector<Target *> raw_;
  std::map<int, Target *> index_;
  std::vector<lastword::member<Target>> members_;
  std::vector<Untouched *> plain_;
  std::vector<lastword::persistent<Target>> roots_;
};
Made *build() { return lastword::make<Made>(); }
)cpp");
  ASSERT_TRUE(P.ok());
  CollectedTypes Types(P.context(), ApiProfile::defaults(ApiFlavor::Lastword));
  EXPECT_TRUE(Types.isCollected(P.record("Target")));
  EXPECT_TRUE(Types.isCollected(P.record("Base")));
  EXPECT_TRUE(Types.isCollected(P.record("Derived")));
  EXPECT_FALSE(Types.isCollected(P.record("Untouched")));
  EXPECT_TRUE(Types.holdsMembers(P.record("Holder")));
  EXPECT_TRUE(Types.holdsMembers(P.record("Uses")));
  EXPECT_FALSE(Types.holdsMembers(P.record("Made")));
  auto InContainer = [&](const char *Field) {
    return Types.collectedInContainer(P.field(Field).getType());
  };
  EXPECT_EQ(InContainer("Lists::raw_"), &P.record("Target"));
  EXPECT_EQ(InContainer("Lists::index_"), &P.record("Target"));
  EXPECT_EQ(InContainer("Lists::members_"), nullptr);
  EXPECT_EQ(InContainer("Lists::plain_"), nullptr);
  EXPECT_EQ(InContainer("Lists::roots_"), nullptr);
  EXPECT_EQ(Types.collectedRecord(P.field("Base::raw").getType()), &P.record("Target"));
  EXPECT_EQ(Types.collectedRecord(P.context().getPointerType(
                P.context().getRecordType(&P.record("Untouched")))),
            nullptr);
  EXPECT_NE(Types.classifyField(P.field("Uses::t")).Wrapper, nullptr);
  EXPECT_FALSE(Types.operatorNewIsScanned());
}

TEST(CollectedTypes, CStructsAllocatedThroughVoidPointers) {
  std::unique_ptr<ASTUnit> Unit = tooling::buildASTFromCodeWithArgs(R"c(
typedef unsigned long size_t;
void *GC_malloc(size_t);
struct node { struct node *next; };
struct plain { int x; };
struct node *make_node(void) {
  struct node *n = GC_malloc(sizeof *n);  /* C's implicit conversion */
  return n;
}
)c", {"-std=c99", "-fsyntax-only"}, "input.c");
  ASSERT_TRUE(Unit && !Unit->getDiagnostics().hasErrorOccurred());
  ASTContext &Context = Unit->getASTContext();
  const RecordDecl *Node = nullptr, *Plain = nullptr;
  for (const Decl *D : Context.getTranslationUnitDecl()->decls())
    if (const auto *Record = dyn_cast<RecordDecl>(D); Record && Record->getIdentifier()) {
      if (Record->getName() == "node")
        Node = Record;
      else if (Record->getName() == "plain")
        Plain = Record;
    }
  ASSERT_TRUE(Node && Plain);
  CollectedTypes Types(Context, ApiProfile::defaults(ApiFlavor::Bdwgc));
  EXPECT_TRUE(Types.isCollected(*Node));
  EXPECT_FALSE(Types.isCollected(*Plain));
  EXPECT_EQ(Types.collectedRecord(Context.getPointerType(Context.getRecordType(Node))), Node);
  EXPECT_EQ(recordOf(Context.getPointerType(Context.getRecordType(Plain))), Plain);
}

TEST(ApiProfile, OneNameMatcher) {
  EXPECT_TRUE(matchesQualifiedName("lastword::make", "lastword::make"));
  EXPECT_TRUE(matchesQualifiedName("lastword::make", "::lastword::make"));
  EXPECT_TRUE(matchesQualifiedName("app::gc::make", "make"));
  EXPECT_TRUE(matchesQualifiedName("make", "make"));
  EXPECT_FALSE(matchesQualifiedName("app::lastword::make", "lastword::make"));
  EXPECT_FALSE(matchesQualifiedName("remake", "make"));
  EXPECT_FALSE(matchesQualifiedName("app::remake", "make"));
  EXPECT_FALSE(matchesQualifiedName("lastword::make", ""));
}

} // namespace
