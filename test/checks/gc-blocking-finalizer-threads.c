/* gc-blocking-finalizer on Boehm GC code built with GC_THREADS: gc.h then
   includes gc_pthread_redirects.h, which turns pthread_join into
   GC_pthread_join (and pthread_create, pthread_detach, ... into their GC_
   versions) by macro. The redirected join still waits for the thread.
RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=c99
RUN: %check_gc %s gc-blocking-finalizer %t -- --config="{CheckOptions: {Api: bdwgc}}" -- -std=gnu89
*/
#define GC_THREADS
#include <gc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

struct worker {
  pthread_t thread;
  int *stop;
  int started;
};

/* The explicit shutdown and the finalizer share the helper that joins. */
static void worker_stop(struct worker *w) {
  if (!w->started)
    return;
  *w->stop = 1;
  pthread_join(w->thread, NULL);
  free(w->stop);
  w->started = 0;
}

static void worker_finalize(void *obj, void *cd) {
  (void)cd;
  worker_stop((struct worker *)obj);
  /*
  CHECK-MESSAGES: :[[@LINE-2]]:3: warning: finalizer may block in 'GC_pthread_join', reached through 'worker_stop': finalizers run one at a time on a single thread, so every other finalizer waits behind it [gc-blocking-finalizer]
  CHECK-MESSAGES: :[[@LINE-10]]:3: note: 'GC_pthread_join' may block here
  CHECK-MESSAGES: :[[@LINE+20]]:28: note: registered as a finalizer here
  */
}

/* Detaching and cancelling do not wait, under their GC_ names too. */
static void worker_release(void *obj, void *cd) {
  struct worker *w = (struct worker *)obj;
  (void)cd;
  if (w->started) {
    *w->stop = 1;
    pthread_detach(w->thread);
  }
}

static void *worker_main(void *arg) { return arg; }

struct worker *worker_start(void) {
  struct worker *w = (struct worker *)GC_MALLOC(sizeof *w);
  w->stop = (int *)calloc(1, sizeof *w->stop);
  w->started = pthread_create(&w->thread, NULL, worker_main, w->stop) == 0;
  GC_register_finalizer(w, worker_finalize, NULL, NULL, NULL);
  return w;
}

struct worker *worker_start_detached(void) {
  struct worker *w = (struct worker *)GC_MALLOC(sizeof *w);
  w->stop = (int *)calloc(1, sizeof *w->stop);
  w->started = pthread_create(&w->thread, NULL, worker_main, w->stop) == 0;
  GC_register_finalizer(w, worker_release, NULL, NULL, NULL);
  return w;
}
