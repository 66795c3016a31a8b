// Debug mode keepalive: lastword::debug::collect_now() collects in the middle of a call and
// runs the finalizers and cleanups it made due before returning, so a native handle used
// after its wrapper's last use is closed mid-call, every time, in optimised code.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "support.hpp"

using namespace test_support;

namespace {

struct File {
    int fd = -1;
};

std::atomic<int> files_closed{0};

__attribute__((noinline)) File* open_file() {
    File* file = lastword::make<File>();
    file->fd = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
    lastword::set_finalizer(file, [](File* self) {
        ::close(self->fd);
        files_closed.fetch_add(1);
    });
    return file;
}

// Stand-in for a native call that takes a while: a collection lands in the middle of it.
extern "C" __attribute__((noinline)) long stand_in_read(int fd, void* buffer, unsigned long size) {
    lastword::debug::collect_now();
    return ::read(fd, buffer, size);
}

// The wrapper's last use is the load of its descriptor.
__attribute__((noinline)) bool read_without_keep_alive() {
    File* file = open_file();
    unsigned char byte = 1;
    long n = stand_in_read(file->fd, &byte, 1);
    return n == 1 && byte == 0;
}

__attribute__((noinline)) bool read_with_keep_alive() {
    File* file = open_file();
    unsigned char byte = 1;
    long n = stand_in_read(file->fd, &byte, 1);
    lastword::keep_alive(file);
    return n == 1 && byte == 0;
}

std::atomic<int> resources_released{0};

__attribute__((noinline)) void drop_finalizable() {
    auto* file = lastword::make<File>();
    lastword::set_finalizer(file, [](File*) { resources_released.fetch_add(1); });
}

__attribute__((noinline)) void drop_with_cleanup() {
    auto* file = lastword::make<File>();
    lastword::add_cleanup(file, [](int) { resources_released.fetch_add(1); }, 7);
}

struct keepalive_mode {
    keepalive_mode() { lastword::debug::set("keepalive=1"); }
    ~keepalive_mode() { lastword::debug::reset(); }
};

constexpr int attempts = 40;

}  // namespace

TEST(keepalive, collect_now_does_nothing_while_the_mode_is_off) {
    lastword::debug::reset();
    resources_released = 0;
    isolated(drop_finalizable);
    scrub_stack();
    std::uint64_t collections = lastword::get_stats().collections;
    EXPECT_EQ(lastword::debug::collect_now(), 0u);
    EXPECT_EQ(lastword::get_stats().collections, collections);
    EXPECT_EQ(resources_released.load(), 0);
    collect_and_drain(2);  // the object was droppable all along
    EXPECT_EQ(resources_released.load(), 1);
}

TEST(keepalive, collect_now_runs_the_finalizer_it_made_due_before_returning) {
    keepalive_mode mode;
    collect_and_drain(2);
    resources_released = 0;
    isolated(drop_finalizable);
    scrub_stack();
    EXPECT_EQ(lastword::debug::collect_now(), 1u);
    EXPECT_EQ(resources_released.load(), 1);  // no wait_for_finalizers needed
}

TEST(keepalive, collect_now_runs_the_cleanup_it_made_due_before_returning) {
    keepalive_mode mode;
    collect_and_drain(2);
    resources_released = 0;
    isolated(drop_with_cleanup);
    scrub_stack();
    EXPECT_EQ(lastword::debug::collect_now(), 1u);
    EXPECT_EQ(resources_released.load(), 1);
}

TEST(keepalive, setting_is_parsed_and_reset_turns_it_off) {
    lastword::debug::set("keepalive=1");
    collect_and_drain(2);
    resources_released = 0;
    isolated(drop_finalizable);
    scrub_stack();
    lastword::debug::set("keepalive=0");
    EXPECT_EQ(lastword::debug::collect_now(), 0u);
    lastword::debug::set("keepalive");
    lastword::debug::reset();
    EXPECT_EQ(lastword::debug::collect_now(), 0u);
    EXPECT_EQ(resources_released.load(), 0);
}

TEST(keepalive, a_missing_keep_alive_lets_the_finalizer_close_the_handle_mid_call) {
#if defined(LASTWORD_TEST_SANITIZED) || !defined(__OPTIMIZE__)
    // Sanitized builds keep frame pointers: the compiler aligns the stand-in's frame by
    // pushing a scratch register that still holds the wrapper, which is then reachable.
    // At -O0 every local stays in its frame until the function returns.
    GTEST_SKIP() << "the early close needs optimised code without frame pointers";
#endif
    keepalive_mode mode;
    int closed_mid_call = 0;
    for (int i = 0; i < attempts; ++i) {
        int closed_before = files_closed.load();
        errno = 0;
        bool ok = read_without_keep_alive();
        if (!ok && errno == EBADF && files_closed.load() > closed_before) ++closed_mid_call;
    }
    EXPECT_GE(closed_mid_call * 100, attempts * 95) << closed_mid_call << " of " << attempts;
}

TEST(keepalive, keep_alive_after_the_call_keeps_the_handle_open) {
    keepalive_mode mode;
    int failed_reads = 0;
    for (int i = 0; i < attempts; ++i)
        if (!read_with_keep_alive()) ++failed_reads;
    EXPECT_EQ(failed_reads, 0);
    scrub_stack();
    EXPECT_GE(lastword::debug::collect_now(), 1u);  // the wrappers do die after their reads
}
