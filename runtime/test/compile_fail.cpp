// Each case must fail to compile with the runtime's static_assert message (see CMakeLists).
#include <lastword/gc.hpp>

struct abstract_base {
    virtual void run() = 0;
};
struct no_destructor {
    ~no_destructor() = delete;
};

void instantiate() {
#if CASE == 1
    lastword::make<int[4]>();
#elif CASE == 2
    lastword::make<int[]>();
#elif CASE == 3
    lastword::make<void>();
#elif CASE == 4
    lastword::make<void(int)>();
#elif CASE == 5
    lastword::make<abstract_base>();
#elif CASE == 6
    lastword::make<no_destructor>();
#elif CASE == 0
    lastword::make<int>();  // the control: compiles
#endif
}
