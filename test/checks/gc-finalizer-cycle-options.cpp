// RUN: %check_gc %s gc-finalizer-cycle %t -- --config="{CheckOptions: {gc-finalizer-cycle.SelfCycles: true, gc-finalizer-cycle.FinalizableTypes: 'net::Session'}}"
// RUN: %lastword --dump-config --checks=-*,gc-finalizer-cycle %s -- | %FileCheck %s --check-prefix=DEFAULT
// DEFAULT: gc-finalizer-cycle.ExportFactsDirectory: ''
// DEFAULT: gc-finalizer-cycle.FinalizableTypes: ''
// DEFAULT: gc-finalizer-cycle.SelfCycles: 'false'

#include <lastword/gc.hpp>

using lastword::member;
void close_fd(int fd);

// SelfCycles: a finalizable type that only points to itself is reported.
struct ListNode {
  int fd = 0;
  member<ListNode> next;
};
void push(ListNode *head) {
  ListNode *n = lastword::make<ListNode>();
  n->next = head;
  lastword::set_finalizer(n, [](ListNode *dying) { close_fd(dying->fd); });
}
// CHECK-MESSAGES: :[[@LINE-7]]:20: warning: 'ListNode' is finalizable and can reach itself (ListNode -> ListNode): once unreachable
// CHECK-MESSAGES: :[[@LINE-8]]:20: note: 'ListNode::next' leads to 'ListNode'
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'ListNode' gets a finalizer here

// FinalizableTypes: the registration lives in another file.
namespace net {
struct Stream;
struct Session {
  member<Stream> stream;
};
struct Stream {
  member<Session> session;
};
} // namespace net
// CHECK-MESSAGES: :[[@LINE-6]]:18: warning: 'net::Session' is finalizable and can reach itself (net::Session -> net::Stream -> net::Session)
// CHECK-MESSAGES: :[[@LINE-7]]:18: note: 'net::Session::stream' leads to 'net::Stream'
// CHECK-MESSAGES: :[[@LINE-5]]:19: note: 'net::Stream::session' leads to 'net::Session'

// Not named, no registration: silent even with SelfCycles.
struct Tree {
  member<Tree> left, right;
};
