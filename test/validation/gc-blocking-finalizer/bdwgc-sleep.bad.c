// VALIDATION-API: bdwgc
/* Boehm GC with one finalizer thread (finalize-on-demand, a thread that
   calls GC_invoke_finalizers): finalizer B sleeps, so the finalizer of an
   unrelated object A, which releases A's resource, waits behind it. */
#define GC_THREADS
#include <gc.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct report { int lines; };  /* B */
struct account { int id; };    /* A */

static volatile int report_finalizer_started;
static volatile int accounts_released;

static void finalize_report(void *obj, void *data) {
  (void)obj; (void)data;
  report_finalizer_started = 1;
  /* Flushes "slowly": the finalizer thread stops here. The collector's
     stop-the-world signals cut sleep() short, so sleep out the rest. */
  unsigned left = 5;
  while ((left = sleep(left)) > 0) {
  }
}

static void finalize_account(void *obj, void *data) {
  (void)obj; (void)data;
  __sync_fetch_and_add(&accounts_released, 1);
}

/* The single thread that runs every finalizer, one after another. */
static void *finalizer_thread(void *arg) {
  (void)arg;
  for (;;) {
    if (GC_should_invoke_finalizers())
      GC_invoke_finalizers();
    else
      usleep(1000);
  }
  return NULL;
}

/* Several of each: the stack scan is conservative. */
static void __attribute__((noinline)) drop_reports(void) {
  for (int i = 0; i < 4; ++i) {
    struct report *r = GC_MALLOC(sizeof *r);
    GC_REGISTER_FINALIZER(r, finalize_report, NULL, NULL, NULL);
  }
}

static void __attribute__((noinline)) drop_accounts(void) {
  for (int i = 0; i < 8; ++i) {
    struct account *a = GC_MALLOC(sizeof *a);
    GC_REGISTER_FINALIZER(a, finalize_account, NULL, NULL, NULL);
  }
}

static void __attribute__((noinline)) scrub_stack(void) {
  volatile char scratch[16384];
  for (unsigned i = 0; i < sizeof scratch; ++i)
    scratch[i] = 0;
}

int main(void) {
  GC_INIT();
  GC_set_finalize_on_demand(1);
  pthread_t thread;
  pthread_create(&thread, NULL, finalizer_thread, NULL);
  pthread_detach(thread);

  drop_reports();
  scrub_stack();
  for (int i = 0; i < 20 && !report_finalizer_started; ++i) {
    GC_gcollect();
    usleep(50000);
  }
  drop_accounts();
  scrub_stack();
  for (int i = 0; i < 3; ++i)
    GC_gcollect();
  usleep(500000); /* A's resources should be released by now */
  printf("report finalizer started: %d, accounts released: %d\n", report_finalizer_started,
         accounts_released);
  return accounts_released > 0 ? 0 : 1;
}
