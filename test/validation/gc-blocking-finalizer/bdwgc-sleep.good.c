// VALIDATION-API: bdwgc
/* The fixed program: finalizer B hands its slow flush to a detached thread
   of its own, so the single finalizer thread moves on to A at once. */
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

static void *flush_report(void *arg) {
  (void)arg;
  unsigned left = 5; /* the slow flush, off the finalizer thread */
  while ((left = sleep(left)) > 0) {
  }
  return NULL;
}

static void finalize_report(void *obj, void *data) {
  (void)obj; (void)data;
  report_finalizer_started = 1;
  pthread_t flusher;
  if (pthread_create(&flusher, NULL, flush_report, NULL) == 0)
    pthread_detach(flusher);
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
