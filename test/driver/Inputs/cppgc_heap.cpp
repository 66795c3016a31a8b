// Oilpan-style code on the real cppgc headers: garbage-collected classes,
// mixins, every member and persistent kind, a pre-finalizer, allocation
// and a forced collection. Correct code: no gc-* check has anything to say.
#include <cppgc/allocation.h>
#include <cppgc/garbage-collected.h>
#include <cppgc/heap.h>
#include <cppgc/member.h>
#include <cppgc/persistent.h>
#include <cppgc/prefinalizer.h>
#include <cppgc/visitor.h>
#include <vector>

class Observer : public cppgc::GarbageCollectedMixin {
public:
  virtual void Notify() = 0;
  void Trace(cppgc::Visitor *) const override {}
};

class Leaf final : public cppgc::GarbageCollected<Leaf> {
public:
  void Trace(cppgc::Visitor *) const {}
  int value = 0;
};

class Tree final : public cppgc::GarbageCollected<Tree>, public Observer {
  CPPGC_USING_PRE_FINALIZER(Tree, Dispose);

public:
  explicit Tree(Leaf *leaf) : leaf_(leaf) {}
  void Notify() override { ++notified_; }
  void Dispose() { children_.clear(); }
  void Trace(cppgc::Visitor *visitor) const override {
    visitor->Trace(left_);
    visitor->Trace(right_);
    visitor->Trace(leaf_);
    visitor->Trace(cache_);
    Observer::Trace(visitor);
  }

  cppgc::Member<Tree> left_;
  cppgc::Member<Tree> right_;
  cppgc::Member<Leaf> leaf_;
  cppgc::WeakMember<Leaf> cache_;
  cppgc::UntracedMember<Tree> parent_;
  std::vector<int> children_;
  int notified_ = 0;
};

cppgc::Persistent<Tree> root;
cppgc::WeakPersistent<Leaf> last_leaf;

Tree *grow(cppgc::AllocationHandle &handle, cppgc::Heap &heap, int depth) {
  Leaf *leaf = cppgc::MakeGarbageCollected<Leaf>(handle);
  Tree *tree = cppgc::MakeGarbageCollected<Tree>(handle, leaf);
  last_leaf = leaf;
  for (int i = 0; i < depth; ++i) {
    tree->left_ = cppgc::MakeGarbageCollected<Tree>(handle, leaf);
    tree->left_->parent_ = tree;
  }
  root = tree;
  heap.ForceGarbageCollectionSlow("lastword", "test");
  return tree;
}
