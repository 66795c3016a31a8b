// Exercises settings that exist only as environment variables; run by ctest.
#include <lastword/gc.hpp>

#include <cstdio>
#include <cstring>
#include <new>

namespace {

struct cycle_node {
    lastword::member<cycle_node> next;
    void trace(lastword::tracer& t) const { t.visit(next); }
};

struct resource {
    int fd = 3;
};

__attribute__((noinline)) void make_cycle() {
    auto* a = lastword::make<cycle_node>();
    auto* b = lastword::make<cycle_node>();
    a->next = b;
    b->next = a;
    lastword::set_finalizer(a, [](cycle_node*) { std::puts("finalized a"); });
}

__attribute__((noinline)) void make_self_capture() {
    auto* r = lastword::make<resource>();
    lastword::set_finalizer(r, [r](resource*) { std::printf("%d\n", r->fd); });
}

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "";
    if (!std::strcmp(mode, "cycle")) {
        make_cycle();  // reported at exit by LASTWORD_GCDEBUG=finalizerleaks=1
        return 0;
    }
    if (!std::strcmp(mode, "selfcapture")) {
        make_self_capture();
        lastword::collect();
        return 0;
    }
    if (!std::strcmp(mode, "limit")) {
        lastword::persistent<cycle_node> head;
        long count = 0;
        try {
            for (;;) {
                auto* n = lastword::make<cycle_node>();
                n->next = head.get();
                head = n;
                ++count;
            }
        } catch (const std::bad_alloc&) {
            std::printf("bad_alloc after %ld objects, limit %zu\n", count, lastword::get_stats().heap_limit);
            return 0;
        }
    }
    return 1;
}
