// REQUIRES: cppgc
// RUN: %check_gc %s gc-finalizer-cycle %t -- --config="{CheckOptions: {Api: cppgc}}" -- -std=c++17 -isystem %cppgc_include
// RUN: %check_gc %s gc-finalizer-cycle %t --check-suffix=NAMED -- --config="{CheckOptions: {Api: cppgc, gc-finalizer-cycle.FinalizableTypes: 'Session;Owner'}}" -- -std=c++17 -isystem %cppgc_include

// Oilpan-style code on the real cppgc headers (Debian's libnode-dev).
//
// cppgc has no ordered finalization: it runs the pre-finalizer
// (CPPGC_USING_PRE_FINALIZER) of every object it finds dead before it
// sweeps, and a pre-finalizer "may access the whole object graph,
// irrespective of whether objects are considered dead or alive"
// (cppgc/prefinalizer.h); the destructors run at sweep. A cycle of classes
// with pre-finalizers is pre-finalized and freed like any other garbage, so
// under the profile's defaults the check is silent on them.
//
// The type graph is still built from cppgc's fields: a class named in
// FinalizableTypes (NAMED) shows the cycle its Members close, while weak and
// untraced members are no edges.

#include <cppgc/garbage-collected.h>
#include <cppgc/member.h>
#include <cppgc/prefinalizer.h>
#include <cppgc/visitor.h>

class Peer;

class Session final : public cppgc::GarbageCollected<Session> {
  CPPGC_USING_PRE_FINALIZER(Session, Dispose);

public:
  void Dispose() { peer_ = nullptr; }
  void Trace(cppgc::Visitor *visitor) const { visitor->Trace(peer_); }
  cppgc::Member<Peer> peer_;
  // CHECK-MESSAGES-NAMED: :[[@LINE-1]]:23: warning: 'Session' is finalizable and can reach itself (Session -> Peer -> Session): once unreachable, none of the cycle is ever finalized and it leaks with everything it holds; register the finalizer on one owner outside the cycle, or break an edge [gc-finalizer-cycle]
  // CHECK-MESSAGES-NAMED: :[[@LINE-2]]:23: note: 'Session::peer_' leads to 'Peer'
  // CHECK-MESSAGES-NAMED: :[[@LINE+9]]:26: note: 'Peer::session_' leads to 'Session'
};

class Peer final : public cppgc::GarbageCollected<Peer> {
  CPPGC_USING_PRE_FINALIZER(Peer, Dispose);

public:
  void Dispose() { session_ = nullptr; }
  void Trace(cppgc::Visitor *visitor) const { visitor->Trace(session_); }
  cppgc::Member<Session> session_;
};

// A weak and an untraced member back: no cycle, even with Owner named.
class Watcher;
class Owner final : public cppgc::GarbageCollected<Owner> {
  CPPGC_USING_PRE_FINALIZER(Owner, Dispose);

public:
  void Dispose() {}
  void Trace(cppgc::Visitor *visitor) const { visitor->Trace(watcher_); }
  cppgc::Member<Watcher> watcher_;
};

class Watcher final : public cppgc::GarbageCollected<Watcher> {
public:
  void Trace(cppgc::Visitor *visitor) const { visitor->Trace(owner_); }
  cppgc::WeakMember<Owner> owner_;
  cppgc::UntracedMember<Owner> creator_;
};
