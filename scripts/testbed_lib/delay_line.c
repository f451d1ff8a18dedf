// Transparent L2 delay line for the testbed ("the wire").
//
// This kernel has no netem, so a delayed link is a namespace with two veths
// and no IP addresses: this program reads every frame arriving on one side
// with an AF_PACKET socket, holds it for the configured one-way delay and
// writes it unchanged out of the other side. Nothing decrements a TTL, so
// the wire is invisible to traceroute. Each direction has a bounded FIFO
// (a constant delay keeps FIFO order equal to due-time order); frames that
// find it full are dropped and counted. Counters go to a stats file on
// SIGUSR1 and at exit (SIGTERM/SIGINT).
//
// Usage: delay_line IFACE_A IFACE_B ONE_WAY_DELAY_US QUEUE_FRAMES STATS_FILE
// Built by scripts/testbed with `cc -O2` into the run's state directory.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME_MAX 2048

struct slot {
  uint64_t due_ns;
  uint32_t len;
  unsigned char data[FRAME_MAX];
};

struct direction {
  int in_fd;
  int out_fd;
  struct slot *ring;
  uint32_t cap, head, count;
  uint64_t received, forwarded, queue_drops, send_errors, oversize;
};

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stats_requested;

static void on_stop(int sig) { (void)sig; stop_requested = 1; }
static void on_stats(int sig) { (void)sig; stats_requested = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int open_side(const char *ifname) {
  unsigned idx = if_nametoindex(ifname);
  if (idx == 0) {
    fprintf(stderr, "delay_line: no interface %s: %s\n", ifname, strerror(errno));
    return -1;
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
  if (fd < 0) {
    fprintf(stderr, "delay_line: AF_PACKET socket: %s\n", strerror(errno));
    return -1;
  }
  // Our own transmissions on this side must not come back as input.
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  int buf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
  struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)idx};
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    fprintf(stderr, "delay_line: bind %s: %s\n", ifname, strerror(errno));
    close(fd);
    return -1;
  }
  struct packet_mreq mr = {.mr_ifindex = (int)idx, .mr_type = PACKET_MR_PROMISC};
  setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr);
  return fd;
}

static void drain_input(struct direction *d, uint64_t delay_ns) {
  for (int budget = 0; budget < 256; ++budget) {
    unsigned char scratch[FRAME_MAX];
    struct sockaddr_ll from;
    socklen_t fromlen = sizeof from;
    struct slot *s = NULL;
    if (d->count < d->cap) s = &d->ring[(d->head + d->count) % d->cap];
    unsigned char *dst = s ? s->data : scratch;
    ssize_t n = recvfrom(d->in_fd, dst, FRAME_MAX, MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
    if (n < 0) return;  // EAGAIN: nothing more for now
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    d->received++;
    if (n > FRAME_MAX) { d->oversize++; continue; }
    if (!s) { d->queue_drops++; continue; }
    s->len = (uint32_t)n;
    s->due_ns = now_ns() + delay_ns;
    d->count++;
  }
}

static void flush_due(struct direction *d, uint64_t now) {
  while (d->count > 0) {
    struct slot *s = &d->ring[d->head];
    if (s->due_ns > now) return;
    if (send(d->out_fd, s->data, s->len, 0) < 0) d->send_errors++;
    else d->forwarded++;
    d->head = (d->head + 1) % d->cap;
    d->count--;
  }
}

static void write_stats(const char *path, struct direction *dirs) {
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f) return;
  const char *names[2] = {"a_to_b", "b_to_a"};
  fprintf(f, "{");
  for (int i = 0; i < 2; ++i)
    fprintf(f, "%s\"%s\": {\"received\": %llu, \"forwarded\": %llu, \"queue_drops\": %llu, \"send_errors\": %llu, \"oversize\": %llu, \"queued\": %u}",
            i ? ", " : "", names[i], (unsigned long long)dirs[i].received, (unsigned long long)dirs[i].forwarded,
            (unsigned long long)dirs[i].queue_drops, (unsigned long long)dirs[i].send_errors,
            (unsigned long long)dirs[i].oversize, dirs[i].count);
  fprintf(f, "}\n");
  fclose(f);
  rename(tmp, path);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: delay_line IFACE_A IFACE_B ONE_WAY_DELAY_US QUEUE_FRAMES STATS_FILE\n");
    return 2;
  }
  char *end = NULL;
  unsigned long long delay_us = strtoull(argv[3], &end, 10);
  if (*end || delay_us > 10000000ull) { fprintf(stderr, "delay_line: bad delay %s\n", argv[3]); return 2; }
  unsigned long qcap = strtoul(argv[4], &end, 10);
  if (*end || qcap == 0 || qcap > 1000000) { fprintf(stderr, "delay_line: bad queue size %s\n", argv[4]); return 2; }
  const char *stats_path = argv[5];

  int fa = open_side(argv[1]), fb = open_side(argv[2]);
  if (fa < 0 || fb < 0) return 1;
  struct direction dirs[2] = {
      {.in_fd = fa, .out_fd = fb, .cap = (uint32_t)qcap},
      {.in_fd = fb, .out_fd = fa, .cap = (uint32_t)qcap},
  };
  for (int i = 0; i < 2; ++i) {
    dirs[i].ring = calloc(qcap, sizeof(struct slot));
    if (!dirs[i].ring) { fprintf(stderr, "delay_line: out of memory\n"); return 1; }
  }
  struct sigaction sa = {.sa_handler = on_stop};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  struct sigaction su = {.sa_handler = on_stats};
  sigaction(SIGUSR1, &su, NULL);

  // Real-time priority and no timer slack: on a busy machine an ordinary
  // task wakes milliseconds late, which would show up as added delay. The
  // task sleeps between frames, and the kernel's RT throttling bounds it.
  struct sched_param sp = {.sched_priority = 10};
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0)
    fprintf(stderr, "delay_line: SCHED_FIFO unavailable (%s); delay may jitter under load\n", strerror(errno));
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

  const uint64_t delay_ns = delay_us * 1000ull;
  write_stats(stats_path, dirs);
  while (!stop_requested) {
    uint64_t now = now_ns();
    flush_due(&dirs[0], now);
    flush_due(&dirs[1], now);
    // Sleep until input arrives or the oldest queued frame is due; ppoll's
    // nanosecond timeout (an hrtimer) keeps the added delay accurate.
    uint64_t wait_ns = 1000000000ull;
    for (int i = 0; i < 2; ++i) {
      if (dirs[i].count == 0) continue;
      uint64_t due = dirs[i].ring[dirs[i].head].due_ns;
      uint64_t w = due > now ? due - now : 0;
      if (w < wait_ns) wait_ns = w;
    }
    struct timespec timeout = {(time_t)(wait_ns / 1000000000ull), (long)(wait_ns % 1000000000ull)};
    struct pollfd pfd[2] = {{.fd = fa, .events = POLLIN}, {.fd = fb, .events = POLLIN}};
    int r = ppoll(pfd, 2, &timeout, NULL);
    if (r > 0) {
      if (pfd[0].revents & POLLIN) drain_input(&dirs[0], delay_ns);
      if (pfd[1].revents & POLLIN) drain_input(&dirs[1], delay_ns);
    }
    if (stats_requested) { stats_requested = 0; write_stats(stats_path, dirs); }
  }
  write_stats(stats_path, dirs);
  return 0;
}
