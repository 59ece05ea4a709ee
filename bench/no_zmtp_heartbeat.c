// LD_PRELOAD shim for bench/master_cost.sh (MASTERS=arrload-nozmtp): zmq_setsockopt ignores
// ZMQ_HEARTBEAT_IVL and ZMQ_HEARTBEAT_TIMEOUT, so a master runs without ZeroMQ's own pings and
// their per-connection timers. Measurement only; every other option goes through unchanged.
//   cc -O2 -shared -fPIC -o no_zmtp_heartbeat.so bench/no_zmtp_heartbeat.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <zmq.h>

int zmq_setsockopt(void* socket, int option, const void* value, size_t size) {
  static int (*real)(void*, int, const void*, size_t);
  if (!real) real = (int (*)(void*, int, const void*, size_t))dlsym(RTLD_NEXT, "zmq_setsockopt");
  if (option == ZMQ_HEARTBEAT_IVL || option == ZMQ_HEARTBEAT_TIMEOUT) return 0;
  return real(socket, option, value, size);
}
