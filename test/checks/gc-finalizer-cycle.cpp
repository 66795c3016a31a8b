// RUN: %check_gc %s gc-finalizer-cycle %t

#include <lastword/gc.hpp>
#include <array>
#include <map>
#include <utility>
#include <vector>

using lastword::member;
using lastword::tracer;
void close_fd(int fd);

// ---- Types: a parent and its children point at each other. ----

struct Page;
struct Book {
  int fd = 0;
  std::vector<member<Page>> pages;
  void trace(tracer &t) const { for (auto &p : pages) t.visit(p); }
};
struct Page {
  member<Book> book;
  void trace(tracer &t) const { t.visit(book); }
};

Book *open_book(int fd) {
  Book *b = lastword::make<Book>();
  b->fd = fd;
  lastword::set_finalizer(b, [](Book *dying) { close_fd(dying->fd); });
  return b;
}
// CHECK-MESSAGES: :[[@LINE-14]]:29: warning: 'Book' is finalizable and can reach itself (Book -> Page -> Book): once unreachable, none of the cycle is ever finalized and it leaks with everything it holds; register the finalizer on one owner outside the cycle, or break an edge [gc-finalizer-cycle]
// CHECK-MESSAGES: :[[@LINE-15]]:29: note: 'Book::pages' leads to 'Page'
// CHECK-MESSAGES: :[[@LINE-12]]:16: note: 'Page::book' leads to 'Book'
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'Book' gets a finalizer here

// ---- Through a non-finalizable intermediate type, an array and a base. ----

struct Window;
struct Layout {
  std::array<member<Window>, 2> windows;
};
struct Frame {
  member<Layout> layout;
};
struct Widget {
  member<Frame> frame;
};
struct Window : Widget {
  int handle = 0;
};

void show(Window *w) {
  lastword::set_finalizer(w, [](Window *dying) { close_fd(dying->handle); });
}
// CHECK-MESSAGES: :[[@LINE-9]]:17: warning: 'Window' is finalizable and can reach itself (Window -> Frame -> Layout -> Window): once unreachable
// CHECK-MESSAGES: :[[@LINE-10]]:17: note: 'Widget::frame' leads to 'Frame'
// CHECK-MESSAGES: :[[@LINE-14]]:18: note: 'Frame::layout' leads to 'Layout'
// CHECK-MESSAGES: :[[@LINE-18]]:33: note: 'Layout::windows' leads to 'Window'
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'Window' gets a finalizer here

// ---- A field holding the base can hold the derived, finalizable class. ----

struct Shape {
  int id = 0;
};
struct Canvas {
  std::map<int, member<Shape>> shapes;
};
struct Sprite : Shape {
  member<Canvas> canvas;
};

void draw(Sprite *s) {
  lastword::set_finalizer(s, [](Sprite *) { close_fd(0); });
}
// CHECK-MESSAGES: :[[@LINE-6]]:18: warning: 'Sprite' is finalizable and can reach itself (Sprite -> Canvas -> Sprite): once unreachable
// CHECK-MESSAGES: :[[@LINE-7]]:18: note: 'Sprite::canvas' leads to 'Canvas'
// CHECK-MESSAGES: :[[@LINE-11]]:32: note: 'Canvas::shapes' leads to 'Sprite'
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'Sprite' gets a finalizer here

// ---- Templates: the cycle lives in the instantiation. ----

template <class Payload> struct Holder;
template <class Payload> struct Slot {
  member<Holder<Payload>> holder;
};
template <class Payload> struct Holder {
  Payload value{};
  std::pair<member<Slot<Payload>>, int> slot;
  void watch() {
    lastword::set_finalizer(this, [](Holder *) { close_fd(1); });
  }
};
template struct Holder<int>;
Slot<int> *new_slot() { return lastword::make<Slot<int>>(); }
// CHECK-MESSAGES: :[[@LINE-7]]:41: warning: 'Holder<int>' is finalizable and can reach itself (Holder<int> -> Slot<int> -> Holder<int>): once unreachable
// CHECK-MESSAGES: :[[@LINE-8]]:41: note: 'Holder<int>::slot' leads to 'Slot<int>'
// CHECK-MESSAGES: :[[@LINE-13]]:27: note: 'Slot<int>::holder' leads to 'Holder<int>'
// CHECK-MESSAGES: :[[@LINE-8]]:5: note: 'Holder<int>' gets a finalizer here

// ---- Macros. ----

#define BACK_POINTER(Type, name) member<Type> name
struct Track;
struct Album {
  std::vector<member<Track>> tracks;
};
struct Track {
  BACK_POINTER(Album, album);
};
#define FINALIZE_WITH(obj, fn) lastword::set_finalizer(obj, [](auto *o) { fn(0); })
void load(Album *a) {
  FINALIZE_WITH(a, close_fd);
}
// CHECK-MESSAGES: :[[@LINE-9]]:30: warning: 'Album' is finalizable and can reach itself (Album -> Track -> Album): once unreachable
// CHECK-MESSAGES: :[[@LINE-10]]:30: note: 'Album::tracks' leads to 'Track'
// CHECK-MESSAGES: :[[@LINE-8]]:23: note: 'Track::album' leads to 'Album'
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'Album' gets a finalizer here
// CHECK-MESSAGES: :[[@LINE-8]]:32: note: expanded from macro 'FINALIZE_WITH'

// ---- Near misses at the type level: silent. ----

// A singly linked list: a type that only points to itself.
struct ListNode {
  int fd = 0;
  member<ListNode> next;
};
void push(ListNode *head) {
  ListNode *n = lastword::make<ListNode>();
  n->next = head;
  lastword::set_finalizer(n, [](ListNode *dying) { close_fd(dying->fd); });
}

// A doubly linked node, and a tree whose derived node inherits the parent link.
struct DNode {
  member<DNode> prev, next;
};
struct TreeNode {
  member<TreeNode> parent;
  std::vector<member<TreeNode>> children;
};
struct Leaf : TreeNode {
  int fd = 0;
};
void attach(DNode *d, Leaf *l) {
  lastword::set_finalizer(d, [](DNode *) { close_fd(2); });
  lastword::set_finalizer(l, [](Leaf *dying) { close_fd(dying->fd); });
}

// A cycle of types none of which is finalizable.
struct Team;
struct Player {
  member<Team> team;
};
struct Team {
  std::vector<member<Player>> players;
};

// The finalizer sits on an owner outside the cycle.
struct Texture {
  int handle = 0;
};
struct Mesh;
struct Material {
  member<Texture> texture;
  member<Mesh> mesh;
};
struct Mesh {
  member<Material> material;
};
void upload(Texture *t) {
  lastword::set_finalizer(t, [](Texture *dying) { close_fd(dying->handle); });
}

// A raw pointer is invisible to the precise collector: no edge.
struct Cache;
struct Entry {
  Cache *cache = nullptr;
};
struct Cache {
  std::vector<member<Entry>> entries;
  int fd = 0;
};
void fill(Cache *c) {
  lastword::set_finalizer(c, [](Cache *dying) { close_fd(dying->fd); });
}

// A cleanup is unordered: its object is cleaned up even on a cycle.
struct Stream;
struct Buffer {
  member<Stream> stream;
};
struct Stream {
  member<Buffer> buffer;
  int fd = 0;
};
void open_stream(Stream *s) {
  lastword::add_cleanup(s, [](int fd) { close_fd(fd); }, s->fd);
}

// NOLINT on the reported field silences the cycle.
struct Reply;
struct Request {
  member<Reply> reply; // NOLINT(gc-finalizer-cycle)
};
struct Reply {
  member<Request> request;
};
void send(Request *r) {
  lastword::set_finalizer(r, [](Request *) { close_fd(3); });
}

// ---- Objects closing a cycle inside one function. ----

struct Peer {
  int fd = 0;
  member<Peer> peer;
};

void pair_up() {
  Peer *a = lastword::make<Peer>();
  Peer *b = lastword::make<Peer>();
  a->peer = b;
  b->peer = a;
  lastword::set_finalizer(a, [](Peer *dying) { close_fd(dying->fd); });
}
// CHECK-MESSAGES: :[[@LINE-3]]:3: warning: these objects reach each other in a cycle ('a' -> 'b' -> 'a') through finalizable 'a': none of them is ever finalized and everything they hold leaks; register the finalizer on one owner outside the cycle, or break an edge [gc-finalizer-cycle]
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'b' is stored in 'a->peer' here
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'a' is stored in 'b->peer' here
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'a' gets a finalizer here

void ring_of_one() {
  ListNode *n = lastword::make<ListNode>();
  lastword::set_finalizer(n, [](ListNode *dying) { close_fd(dying->fd); });
  n->next = n;
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: finalizable 'n' reaches itself ('n' -> 'n'): it is never finalized and everything it holds leaks
// CHECK-MESSAGES: :[[@LINE-3]]:3: note: 'n' is stored in 'n->next' here
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'n' gets a finalizer here

struct Stage {
  member<Stage> next;
  int fd = 0;
};
void through_a_third() {
  Stage *a = lastword::make<Stage>();
  Stage *b = lastword::make<Stage>();
  Stage *c = lastword::make<Stage>();
  a->next = b;
  b->next = c;
  lastword::set_finalizer(b, [](Stage *dying) { close_fd(dying->fd); });
  c->next = a;
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: these objects reach each other in a cycle ('b' -> 'c' -> 'a' -> 'b') through finalizable 'b'
// CHECK-MESSAGES: :[[@LINE-5]]:3: note: 'c' is stored in 'b->next' here
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'a' is stored in 'c->next' here
// CHECK-MESSAGES: :[[@LINE-8]]:3: note: 'b' is stored in 'a->next' here
// CHECK-MESSAGES: :[[@LINE-7]]:3: note: 'b' gets a finalizer here

// A parameter whose type is finalizable elsewhere in the file.
void adopt(Peer *c) {
  Peer *a = lastword::make<Peer>();
  a->peer = c;
  c->peer = a;
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: these objects reach each other in a cycle ('a' -> 'c' -> 'a') through finalizable 'a'
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'c' is stored in 'a->peer' here
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: 'a' is stored in 'c->peer' here

// Finalizers that capture each other's objects.
struct Handle {
  int fd = 0;
};
void mutual_finalizers() {
  Handle *in = lastword::make<Handle>();
  Handle *out = lastword::make<Handle>();
  lastword::set_finalizer(in, [out](Handle *self) { close_fd(self->fd + out->fd); });
  lastword::set_finalizer(out, [in](Handle *self) { close_fd(self->fd + in->fd); });
}
// CHECK-MESSAGES: :[[@LINE-2]]:33: warning: these objects reach each other in a cycle ('in' -> 'out' -> 'in') through finalizable 'in'
// CHECK-MESSAGES: :[[@LINE-4]]:32: note: the finalizer of 'in' captures 'out' here
// CHECK-MESSAGES: :[[@LINE-4]]:33: note: the finalizer of 'out' captures 'in' here
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'in' gets a finalizer here

// ---- Near misses at the instance level: silent. ----

void list_append() {
  ListNode *a = lastword::make<ListNode>();
  ListNode *b = lastword::make<ListNode>();
  a->next = b;
  b->next = nullptr;
  lastword::set_finalizer(a, [](ListNode *dying) { close_fd(dying->fd); });
}

void broken_before_return() {
  Peer *a = lastword::make<Peer>();
  Peer *b = lastword::make<Peer>();
  a->peer = b;
  b->peer = a;
  b->peer = nullptr;
  lastword::set_finalizer(a, [](Peer *dying) { close_fd(dying->fd); });
}

void reassigned_variable() {
  Peer *a = lastword::make<Peer>();
  Peer *b = lastword::make<Peer>();
  a->peer = b;
  b = lastword::make<Peer>();
  b->peer = a;
  lastword::set_finalizer(a, [](Peer *dying) { close_fd(dying->fd); });
}

struct Link {
  member<Link> other;
};
void cycle_without_finalizer() {
  Link *a = lastword::make<Link>();
  Link *b = lastword::make<Link>();
  a->other = b;
  b->other = a;
}

// A finalizer that captures its own object is gc-finalizer-self-reference's.
void self_capture() {
  Handle *h = lastword::make<Handle>();
  lastword::set_finalizer(h, [h](Handle *) { close_fd(h->fd); });
}

void one_way_capture() {
  Handle *in = lastword::make<Handle>();
  Handle *out = lastword::make<Handle>();
  lastword::set_finalizer(in, [out](Handle *self) { close_fd(self->fd + out->fd); });
  lastword::set_finalizer(out, [](Handle *self) { close_fd(self->fd); });
}

// ---- Finalizers registered by a helper whose finalizer captures another of
// its parameters: each call ties its arguments together. ----

void shut_peer(Handle *h);
void watch_peer(Handle *self, Handle *peer) {
  lastword::set_finalizer(self, [peer](Handle *dying) {
    shut_peer(peer);
    close_fd(dying->fd);
  });
}
void paired_through_helper() {
  Handle *left = lastword::make<Handle>();
  Handle *right = lastword::make<Handle>();
  watch_peer(left, right);
  watch_peer(right, left);
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: these objects reach each other in a cycle ('left' -> 'right' -> 'left') through finalizable 'left': none of them is ever finalized and everything they hold leaks; register the finalizer on one owner outside the cycle, or break an edge [gc-finalizer-cycle]
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the finalizer of 'left' that 'watch_peer' registers captures 'right' here
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the finalizer of 'right' that 'watch_peer' registers captures 'left' here
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'left' gets a finalizer here

// The same through a function template.
template <class T> void tie_to(T *self, T *other) {
  lastword::set_finalizer(self, [other](T *dying) { close_fd(dying->fd + other->fd); });
}
void paired_through_template() {
  Handle *x = lastword::make<Handle>();
  Handle *y = lastword::make<Handle>();
  tie_to(x, y);
  tie_to(y, x);
}
// CHECK-MESSAGES: :[[@LINE-2]]:3: warning: these objects reach each other in a cycle ('x' -> 'y' -> 'x') through finalizable 'x'
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the finalizer of 'x' that 'tie_to' registers captures 'y' here
// CHECK-MESSAGES: :[[@LINE-4]]:3: note: the finalizer of 'y' that 'tie_to' registers captures 'x' here
// CHECK-MESSAGES: :[[@LINE-6]]:3: note: 'x' gets a finalizer here

// Near misses: one way only; a helper whose finalizer keeps a copy of the
// other's descriptor, not the other object.
void watch_fd(Handle *self, Handle *peer) {
  lastword::set_finalizer(self, [fd = peer->fd](Handle *dying) { close_fd(dying->fd + fd); });
}
void one_way_through_helper() {
  Handle *first = lastword::make<Handle>();
  Handle *second = lastword::make<Handle>();
  watch_peer(first, second);
  watch_fd(second, first);
}

// A CRTP base registers the finalizer on the derived object
// (`static_cast<Derived *>(this)`): the derived classes are finalizable.
template <class Derived> struct Finalized {
  void arm() {
    lastword::set_finalizer(static_cast<Derived *>(this), [](Derived *d) { d->on_final(); });
  }
};
struct H2Session;
struct H2Stream : Finalized<H2Stream> {
  int fd = -1;
  lastword::member<H2Session> session;
  void on_final() { close_fd(fd); }
  void trace(lastword::tracer &t) const { t.visit(session); }
};
struct H2Session : Finalized<H2Session> {
  int fd = -1;
  std::vector<lastword::member<H2Stream>> streams;
  // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: 'H2Session' is finalizable and can reach itself (H2Session -> H2Stream -> H2Session): once unreachable, none of the cycle is ever finalized
  // CHECK-MESSAGES: :[[@LINE-2]]:43: note: 'H2Session::streams' leads to 'H2Stream'
  // CHECK-MESSAGES: :[[@LINE-9]]:31: note: 'H2Stream::session' leads to 'H2Session'
  // CHECK-MESSAGES: :[[@LINE-16]]:5: note: 'H2Session' gets a finalizer here
  void on_final() { close_fd(fd); }
  void trace(lastword::tracer &t) const {
    for (auto &s : streams)
      t.visit(s);
  }
};
H2Stream *open_stream(H2Session *s) {
  auto *st = lastword::make<H2Stream>();
  st->session = s;
  s->streams.push_back(st);
  st->arm();
  return st;
}
H2Session *open_session() {
  auto *s = lastword::make<H2Session>();
  s->arm();
  return s;
}

// A class template's member pairing objects through a function-template
// registration wrapper: judged through its instantiations, reported once at
// the template. One way only stays silent.
template <class T, class U> void close_with(T *obj, U *peer) {
  lastword::set_finalizer(obj, [peer](T *self) { close_fd(self->fd + peer->fd); });
}
template <class T> struct Linker {
  void link(T *a, T *b) {
    close_with(a, b);
    close_with(b, a);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: these objects reach each other in a cycle ('a' -> 'b' -> 'a') through finalizable 'a'
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: the finalizer of 'a' that 'close_with' registers captures 'b' here
    // CHECK-MESSAGES: :[[@LINE-3]]:5: note: the finalizer of 'b' that 'close_with' registers captures 'a' here
    // CHECK-MESSAGES: :[[@LINE-5]]:5: note: 'a' gets a finalizer here
  }
  void follow(T *a, T *b) { close_with(a, b); }
};
void link_handles() {
  Handle *x = lastword::make<Handle>();
  Handle *y = lastword::make<Handle>();
  Linker<Handle>().link(x, y);
  Handle *u = lastword::make<Handle>();
  Handle *v = lastword::make<Handle>();
  Linker<Handle>().follow(u, v);
}
