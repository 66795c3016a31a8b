// verify: freed cells are quarantined while the mode is on, so the trail (type, collection)
// survives and a dangling pointer stays recognisable even after much more allocation.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "support.hpp"

using namespace test_support;
using lastword::member;
using lastword::persistent;

namespace {

struct Small {
    long payload = 1;
};
struct Wide {  // 1400 bytes: five cells per block, a class no other test uses
    char bytes[1400] = {};
};
struct Huge {  // a large object: a run of blocks of its own
    char bytes[40000] = {};
};

// Pointers hidden from the collector, like the bug verify exists to catch.
std::vector<std::uintptr_t> hidden;

template <class T> __attribute__((noinline)) void allocate_and_hide(int count) {
    for (int i = 0; i < count; ++i) hidden.push_back(reinterpret_cast<std::uintptr_t>(lastword::make<T>()));
}

std::string check(std::uintptr_t address, bool& valid) {
    testing::internal::CaptureStderr();
    valid = lastword::debug::check_pointer(reinterpret_cast<const void*>(address));
    return testing::internal::GetCapturedStderr();
}

std::string trail(const char* type) {
    return std::string("(was '") + type + "', freed in collection " +
           std::to_string(lastword::get_stats().collections) + ")";
}

// A list of live objects kept by a persistent: allocation that would reuse freed cells.
struct Keeper {
    member<Keeper> next;
    void trace(lastword::tracer& t) const { t.visit(next); }
};

}  // namespace

TEST(verify, the_trail_survives_when_every_cell_of_a_block_is_freed) {
    hidden.clear();
    lastword::debug::set("verify=1");
    isolated([] { allocate_and_hide<Wide>(15); });  // three whole blocks
    collect_clean();
    std::string expected = trail("Wide");
    for (std::uintptr_t address : hidden) {
        bool valid = true;
        std::string err = check(address + 8, valid);  // an interior pointer too
        EXPECT_FALSE(valid);
        EXPECT_NE(err.find("lastword: verify: use of freed object at 0x"), std::string::npos) << err;
        EXPECT_NE(err.find(expected), std::string::npos) << err << " expected " << expected;
    }
    lastword::debug::reset();
}

TEST(verify, a_freed_cell_is_not_reused_while_verify_is_on) {
    hidden.clear();
    lastword::debug::set("verify=1");
    isolated([] { allocate_and_hide<Small>(64); });
    collect_clean();
    std::string expected = trail("Small");
    // Plenty of allocation of the same size class, kept alive, and several collections.
    persistent<Keeper> list;
    isolated([&] {
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < 20000; ++i) {
                Keeper* k = lastword::make<Keeper>();
                k->next = list.get();
                list = k;
            }
            collect_clean();
        }
    });
    for (std::uintptr_t address : hidden) {
        bool valid = true;
        std::string err = check(address, valid);
        EXPECT_FALSE(valid) << "the freed cell was reused: a dangling pointer looks valid";
        EXPECT_NE(err.find(expected), std::string::npos) << err << " expected " << expected;
    }
    list = nullptr;
    lastword::debug::reset();
}

TEST(verify, a_freed_large_object_keeps_its_trail_and_its_blocks) {
    hidden.clear();
    lastword::debug::set("verify=1");
    isolated([] { allocate_and_hide<Huge>(4); });
    collect_clean();
    std::string expected = trail("Huge");
    std::vector<persistent<Huge>> others;
    isolated([&] {
        for (int i = 0; i < 16; ++i) others.emplace_back(lastword::make<Huge>());
    });
    collect_clean();
    for (std::uintptr_t address : hidden) {
        bool valid = true;
        std::string err = check(address + 30000, valid);
        EXPECT_FALSE(valid);
        EXPECT_NE(err.find(expected), std::string::npos) << err << " expected " << expected;
    }
    others.clear();
    lastword::debug::reset();
}

TEST(verify, the_quarantine_ends_when_verify_is_turned_off) {
    hidden.clear();
    collect_clean();
    lastword::debug::set("verify=1");
    isolated([] {
        allocate_and_hide<Wide>(50);  // ten blocks
        allocate_and_hide<Huge>(2);
    });
    auto with_objects = lastword::get_stats().heap_bytes;
    collect_clean();
    auto quarantined = lastword::get_stats().heap_bytes;
    EXPECT_GE(quarantined + 8192, with_objects) << "freed cells must stay in quarantine while verify is on";
    lastword::debug::reset();
    collect_clean();
    auto released = lastword::get_stats().heap_bytes;
    EXPECT_LE(released + 10 * 8192 + 2 * 40960, quarantined) << "after verify is off the cells are freed for real";
}
