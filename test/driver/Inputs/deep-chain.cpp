// A loop that reaches a collection through 30 calls, deeper than the
// call-depth budget (24): the search gives up and nothing is reported; a
// loop that reaches one through 2 calls is reported.
#include <lastword/gc.hpp>

void deep_29() { lastword::collect(); }
void deep_28() { deep_29(); }
void deep_27() { deep_28(); }
void deep_26() { deep_27(); }
void deep_25() { deep_26(); }
void deep_24() { deep_25(); }
void deep_23() { deep_24(); }
void deep_22() { deep_23(); }
void deep_21() { deep_22(); }
void deep_20() { deep_21(); }
void deep_19() { deep_20(); }
void deep_18() { deep_19(); }
void deep_17() { deep_18(); }
void deep_16() { deep_17(); }
void deep_15() { deep_16(); }
void deep_14() { deep_15(); }
void deep_13() { deep_14(); }
void deep_12() { deep_13(); }
void deep_11() { deep_12(); }
void deep_10() { deep_11(); }
void deep_9() { deep_10(); }
void deep_8() { deep_9(); }
void deep_7() { deep_8(); }
void deep_6() { deep_7(); }
void deep_5() { deep_6(); }
void deep_4() { deep_5(); }
void deep_3() { deep_4(); }
void deep_2() { deep_3(); }
void deep_1() { deep_2(); }
void deep_0() { deep_1(); }
void work(int);
void calls_deep(int n) {
  for (int i = 0; i < n; ++i) {
    work(i);
    deep_0();
  }
}
void near_1() { lastword::collect(); }
void near_0() { near_1(); }
void calls_near(int n) {
  for (int i = 0; i < n; ++i) {
    work(i);
    near_0();
  }
}
