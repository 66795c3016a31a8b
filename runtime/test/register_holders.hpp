// Functions that hold a pointer in exactly one callee-saved register, and nowhere else, while
// a callback runs: the way an optimised caller keeps a local across calls.
//
//   std::uintptr_t hold_in_<reg>(std::uintptr_t hidden, std::uintptr_t mask, int (*step)(void*), void* context)
//
// Unhides the pointer (hidden ^ mask) into <reg>, clears the argument register, calls
// step(context) until it returns 0, then returns the register's value hidden again. The
// register's previous value is saved on the stack and restored; hidden and mask are never
// pointers into the heap, so the register is the only place the collector can find the object.
#pragma once
#include <cstdint>
#include <ostream>

namespace register_holders {

using step_fn = int (*)(void*);
using holder_fn = std::uintptr_t (*)(std::uintptr_t, std::uintptr_t, step_fn, void*);

struct holder {
    const char* register_name;
    holder_fn hold;
};
inline void PrintTo(const holder& h, std::ostream* os) { *os << h.register_name; }

}  // namespace register_holders

#define LASTWORD_TEST_HOLDER_NAME(reg) lastword_test_hold_in_##reg
#define LASTWORD_TEST_DECLARE_HOLDER(reg)                                                    \
    extern "C" std::uintptr_t LASTWORD_TEST_HOLDER_NAME(reg)(std::uintptr_t, std::uintptr_t, \
                                                             register_holders::step_fn, void*);

#if defined(__x86_64__)
// Frame: six callee-saved registers pushed, then mask, step and context at 0/8/16(%rsp);
// 8 (return address) + 48 + 24 keeps %rsp 16-byte aligned at the call.
#define LASTWORD_TEST_DEFINE_HOLDER(reg)             \
    asm(".text\n"                                    \
        ".globl lastword_test_hold_in_" #reg         \
        "\n"                                         \
        ".type lastword_test_hold_in_" #reg          \
        ", @function\n"                              \
        "lastword_test_hold_in_" #reg                \
        ":\n"                                        \
        "  pushq %rbx\n  pushq %rbp\n  pushq %r12\n" \
        "  pushq %r13\n  pushq %r14\n  pushq %r15\n" \
        "  subq $24, %rsp\n"                         \
        "  movq %rsi, 0(%rsp)\n"                     \
        "  movq %rdx, 8(%rsp)\n"                     \
        "  movq %rcx, 16(%rsp)\n"                    \
        "  xorq %rsi, %rdi\n"                        \
        "  movq %rdi, %" #reg                        \
        "\n"                                         \
        "  xorl %edi, %edi\n"                        \
        "1:\n"                                       \
        "  movq 16(%rsp), %rdi\n"                    \
        "  callq *8(%rsp)\n"                         \
        "  testl %eax, %eax\n"                       \
        "  jnz 1b\n"                                 \
        "  movq %" #reg                              \
        ", %rax\n"                                   \
        "  xorq 0(%rsp), %rax\n"                     \
        "  addq $24, %rsp\n"                         \
        "  popq %r15\n  popq %r14\n  popq %r13\n"    \
        "  popq %r12\n  popq %rbp\n  popq %rbx\n"    \
        "  retq\n"                                   \
        ".size lastword_test_hold_in_" #reg ", .-lastword_test_hold_in_" #reg "\n");
#define LASTWORD_TEST_FOR_EACH_CALLEE_SAVED(X) X(rbx) X(rbp) X(r12) X(r13) X(r14) X(r15)

#elif defined(__aarch64__)
// Frame: x19-x30 saved, then mask, step and context at [sp], [sp, 8], [sp, 16].
#define LASTWORD_TEST_DEFINE_HOLDER(reg)     \
    asm(".text\n"                            \
        ".globl lastword_test_hold_in_" #reg \
        "\n"                                 \
        ".type lastword_test_hold_in_" #reg  \
        ", %function\n"                      \
        "lastword_test_hold_in_" #reg        \
        ":\n"                                \
        "  stp x29, x30, [sp, #-96]!\n"      \
        "  stp x19, x20, [sp, #16]\n"        \
        "  stp x21, x22, [sp, #32]\n"        \
        "  stp x23, x24, [sp, #48]\n"        \
        "  stp x25, x26, [sp, #64]\n"        \
        "  stp x27, x28, [sp, #80]\n"        \
        "  sub sp, sp, #32\n"                \
        "  str x1, [sp, #0]\n"               \
        "  str x2, [sp, #8]\n"               \
        "  str x3, [sp, #16]\n"              \
        "  eor x0, x0, x1\n"                 \
        "  mov " #reg                        \
        ", x0\n"                             \
        "  mov x0, #0\n"                     \
        "1:\n"                               \
        "  ldr x0, [sp, #16]\n"              \
        "  ldr x16, [sp, #8]\n"              \
        "  blr x16\n"                        \
        "  cbnz w0, 1b\n"                    \
        "  ldr x1, [sp, #0]\n"               \
        "  eor x0, " #reg                    \
        ", x1\n"                             \
        "  add sp, sp, #32\n"                \
        "  ldp x27, x28, [sp, #80]\n"        \
        "  ldp x25, x26, [sp, #64]\n"        \
        "  ldp x23, x24, [sp, #48]\n"        \
        "  ldp x21, x22, [sp, #32]\n"        \
        "  ldp x19, x20, [sp, #16]\n"        \
        "  ldp x29, x30, [sp], #96\n"        \
        "  ret\n"                            \
        ".size lastword_test_hold_in_" #reg ", .-lastword_test_hold_in_" #reg "\n");
#define LASTWORD_TEST_FOR_EACH_CALLEE_SAVED(X) \
    X(x19) X(x20) X(x21) X(x22) X(x23) X(x24) X(x25) X(x26) X(x27) X(x28) X(x29)

#else
#error "register tests: no callee-saved register holders for this architecture"
#endif
