/*
 * tape-bench: a native iSCSI tape client for the vtl benchmark (see docs/BENCHMARKS.md).
 *
 * It drives an SSC tape LUN the way a backup application's tape stream does: one command at a time
 * (queue depth 1), WRITE(6) variable-length records, WRITE FILEMARKS(6) without IMMED as the flush,
 * REWIND, READ(6) until the filemark. Optional: MOVE MEDIUM on a changer LUN plus TEST UNIT READY
 * polling (mount latency), and LOCATE(10)/(16) timing on a cartridge with many small fixed blocks.
 * It is written in C on libiscsi's synchronous API so that the client is never the bottleneck:
 * record data comes from a pool generated once, reads land directly in a reused buffer.
 * Results are printed as one JSON object on stdout; progress and errors go to stderr.
 *
 * Build: gcc -O2 -pthread -o tape-bench tape-bench.c -liscsi
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define MAX_STREAMS 16
#define POOL_BYTES (64u << 20)
#define INITIATOR "iqn.2026-11.org.vtl:bench"

static struct {
  const char *portal, *target, *mode, *pattern;
  int luns[MAX_STREAMS], nluns;
  int slots[MAX_STREAMS], nslots; /* storage element addresses to load from, one per stream */
  int drives[MAX_STREAMS], ndrives; /* data transfer element addresses, one per stream */
  int changer_lun, verify, repeat, block, target_pid, encrypt;
  uint64_t record, bytes, blocks, per_cmd;
} opt = {.pattern = "random", .changer_lun = 0, .record = 262144, .bytes = 1ull << 30, .repeat = 5,
         .block = 512, .blocks = 10000000, .per_cmd = 2048};

static unsigned char *pool;
static double cpu_marks[4]; /* target CPU seconds at write start, flushed, read start, read end */
static double main_marks[4]; /* the same for the target's main thread (vtl's event loop) alone */
static size_t pool_len;
static pthread_barrier_t barrier;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "tape-bench: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(2);
}

/* xorshift64*: deterministic, fast, good enough to defeat any compressor. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}

/* A database-dump-like text: SQL INSERT lines with varying ids, names, dates, amounts and states.
 * Compresses roughly 3-5x with LZ-family codecs, like real dumps, but is never a run of zeros. */
static void fill_text(unsigned char *p, size_t n) {
  static const char *names[] = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
                                "ivan", "judy", "mallory", "niaj", "olivia", "peggy", "rupert", "sybil"};
  static const char *states[] = {"NEW", "PAID", "SHIPPED", "DELIVERED", "RETURNED", "CANCELLED"};
  static const char *cities[] = {"Lyon", "Porto", "Gdansk", "Tampere", "Leeds", "Graz", "Bilbao", "Turin"};
  size_t off = 0;
  uint64_t id = 100000;
  char line[256];
  while (off < n) {
    uint64_t r = rnd();
    int len = snprintf(line, sizeof line,
                       "INSERT INTO orders VALUES (%" PRIu64 ",'%s.%s@example.com','%s',"
                       "'2026-%02d-%02d %02d:%02d:%02d',%u.%02u,'%s',%u);\n",
                       id++, names[r & 15], names[(r >> 4) & 15], cities[(r >> 8) & 7], (int)((r >> 11) % 12) + 1,
                       (int)((r >> 15) % 28) + 1, (int)((r >> 20) % 24), (int)((r >> 25) % 60),
                       (int)((r >> 31) % 60), (unsigned)((r >> 37) % 5000), (unsigned)((r >> 50) % 100),
                       states[(r >> 57) % 6], (unsigned)((r >> 40) % 97));
    size_t take = (size_t)len < n - off ? (size_t)len : n - off;
    memcpy(p + off, line, take);
    off += take;
  }
}

static void make_pool(size_t extra) {
  pool_len = POOL_BYTES + extra;
  pool = malloc(pool_len);
  if (!pool) die("out of memory for the data pool");
  if (strcmp(opt.pattern, "random") == 0) {
    uint64_t *w = (uint64_t *)pool;
    for (size_t i = 0; i < pool_len / 8; i++) w[i] = rnd();
  } else if (strcmp(opt.pattern, "text") == 0) {
    fill_text(pool, pool_len);
  } else {
    die("unknown pattern %s (random|text)", opt.pattern);
  }
}

/* Record k's bytes: a window into the pool, moved by a stride that is not a multiple of the record
 * size so consecutive passes over the pool do not repeat whole records. */
static unsigned char *record_data(uint64_t k) {
  uint64_t span = POOL_BYTES - (POOL_BYTES % 4096);
  return pool + (k * (opt.record + 4096 + 512)) % span;
}

/* ---- SCSI plumbing ---- */

struct sense {
  int key, asc, ascq, filemark, eom, ili;
};

static void decode_sense(struct scsi_task *t, struct sense *s) {
  memset(s, 0, sizeof *s);
  if (t->datain.size < 4 || !t->datain.data) return;
  const unsigned char *b = t->datain.data + 2; /* 2-byte SenseLength prefix */
  int n = t->datain.size - 2;
  if ((b[0] & 0x7f) == 0x70 || (b[0] & 0x7f) == 0x71) {
    if (n > 2) {
      s->key = b[2] & 0x0f;
      s->filemark = !!(b[2] & 0x80);
      s->eom = !!(b[2] & 0x40);
      s->ili = !!(b[2] & 0x20);
    }
    if (n > 13) {
      s->asc = b[12];
      s->ascq = b[13];
    }
  } else if ((b[0] & 0x7f) == 0x72 || (b[0] & 0x7f) == 0x73) {
    s->key = b[1] & 0x0f;
    s->asc = b[2];
    s->ascq = b[3];
    for (int i = 8; i + 1 < n; i += 2 + b[i + 1])
      if (b[i] == 0x04 && i + 3 < n) { /* stream commands descriptor */
        s->filemark = !!(b[i + 3] & 0x80);
        s->eom = !!(b[i + 3] & 0x40);
        s->ili = !!(b[i + 3] & 0x20);
      }
  }
}

/* Runs one command; returns the SCSI status (GOOD, CHECK CONDITION...) and fills sense and residual. */
static int run(struct iscsi_context *c, int lun, unsigned char *cdb, int cdblen, int dir, unsigned char *buf,
               size_t len, struct sense *s, size_t *residual) {
  struct scsi_task *t = scsi_create_task(cdblen, cdb, dir, (int)len);
  if (!t) die("scsi_create_task failed");
  struct iscsi_data d = {.size = len, .data = buf};
  if (dir == SCSI_XFER_READ && len) scsi_task_add_data_in_buffer(t, (int)len, buf);
  struct scsi_task *r = iscsi_scsi_command_sync(c, lun, t, dir == SCSI_XFER_WRITE ? &d : NULL);
  if (!r) die("command 0x%02x on LUN %d failed: %s", cdb[0], lun, iscsi_get_error(c));
  int status = t->status;
  if (s) {
    if (status == SCSI_STATUS_CHECK_CONDITION) decode_sense(t, s);
    else memset(s, 0, sizeof *s);
  }
  if (residual) *residual = t->residual_status == SCSI_RESIDUAL_UNDERFLOW ? t->residual : 0;
  if (status != SCSI_STATUS_GOOD && status != SCSI_STATUS_CHECK_CONDITION)
    die("command 0x%02x on LUN %d: status 0x%x (%s)", cdb[0], lun, status, iscsi_get_error(c));
  scsi_free_scsi_task(t);
  return status;
}

static void must(struct iscsi_context *c, int lun, unsigned char *cdb, int cdblen, int dir, unsigned char *buf,
                 size_t len, const char *what) {
  struct sense s;
  if (run(c, lun, cdb, cdblen, dir, buf, len, &s, NULL) != SCSI_STATUS_GOOD)
    die("%s on LUN %d: CHECK CONDITION key %x asc %02x ascq %02x", what, lun, s.key, s.asc, s.ascq);
}

/* TEST UNIT READY until GOOD; UNIT ATTENTION and NOT READY (becoming ready) are retried. Returns ms. */
static double wait_ready(struct iscsi_context *c, int lun, double timeout_s, int allow_no_medium) {
  double t0 = now();
  for (;;) {
    unsigned char cdb[6] = {0x00};
    struct sense s;
    if (run(c, lun, cdb, 6, SCSI_XFER_NONE, NULL, 0, &s, NULL) == SCSI_STATUS_GOOD) return (now() - t0) * 1e3;
    if (allow_no_medium && s.key == 0x2 && s.asc == 0x3a) return -1;
    if (s.key != 0x6 && s.key != 0x2) die("TEST UNIT READY on LUN %d: key %x asc %02x ascq %02x", lun, s.key, s.asc, s.ascq);
    if (now() - t0 > timeout_s) die("LUN %d not ready after %.0f s", lun, timeout_s);
  }
}

/* The target's answers during login, kept as JSON members so the report can show negotiated values. */
static char login_keys[2048];
static pthread_mutex_t login_lock = PTHREAD_MUTEX_INITIALIZER;

static void login_log(int level, const char *msg) {
  (void)level;
  const char *p = strstr(msg, "TargetLoginReply: ");
  if (!p) return;
  p += strlen("TargetLoginReply: ");
  const char *eq = strchr(p, '=');
  if (!eq) return;
  size_t vlen = strcspn(eq + 1, " [");
  char item[256];
  snprintf(item, sizeof item, "%s\"%.*s\":\"%.*s\"", login_keys[0] ? "," : "", (int)(eq - p), p, (int)vlen, eq + 1);
  if (strlen(login_keys) + strlen(item) + 1 < sizeof login_keys) strcat(login_keys, item);
}

static struct iscsi_context *connect_lun(void) {
  struct iscsi_context *c = iscsi_create_context(INITIATOR);
  if (!c) die("iscsi_create_context failed");
  pthread_mutex_lock(&login_lock);
  int capture = login_keys[0] == 0;
  if (capture) {
    iscsi_set_log_fn(c, login_log);
    iscsi_set_log_level(c, 6);
  }
  iscsi_set_targetname(c, opt.target);
  iscsi_set_session_type(c, ISCSI_SESSION_NORMAL);
  iscsi_set_header_digest(c, ISCSI_HEADER_DIGEST_NONE);
  /* Immediate data and no initial R2T let the first burst ride with the command, as Linux's initiator does. */
  iscsi_set_immediate_data(c, ISCSI_IMMEDIATE_DATA_YES);
  iscsi_set_initial_r2t(c, ISCSI_INITIAL_R2T_NO);
  /* libiscsi's connect clears unit attentions with TEST UNIT READY on the LUN given; the changer (or tgt's
   * controller) LUN 0 is always ready, while a drive may answer NOT READY and fail the login. */
  if (iscsi_full_connect_sync(c, opt.portal, opt.changer_lun) != 0)
    die("login to %s at %s failed: %s", opt.target, opt.portal, iscsi_get_error(c));
  if (capture) iscsi_set_log_level(c, 0);
  pthread_mutex_unlock(&login_lock);
  return c;
}

static void move_medium(struct iscsi_context *c, int src, int dst) {
  unsigned char cdb[12] = {0xa5, 0, 0, 0, src >> 8, src & 0xff, dst >> 8, dst & 0xff};
  must(c, opt.changer_lun, cdb, 12, SCSI_XFER_NONE, NULL, 0, "MOVE MEDIUM");
}

static void rewind_(struct iscsi_context *c, int lun) {
  unsigned char cdb[6] = {0x01};
  must(c, lun, cdb, 6, SCSI_XFER_NONE, NULL, 0, "REWIND");
}

static void write_filemarks(struct iscsi_context *c, int lun, int n) {
  unsigned char cdb[6] = {0x10, 0, n >> 16, n >> 8, n}; /* IMMED=0: returns after the data is on the medium */
  must(c, lun, cdb, 6, SCSI_XFER_NONE, NULL, 0, "WRITE FILEMARKS(6)");
}

static void write6(struct iscsi_context *c, int lun, int fixed, uint32_t count, unsigned char *buf, size_t len) {
  unsigned char cdb[6] = {0x0a, fixed ? 1 : 0, count >> 16, count >> 8, count};
  struct sense s;
  if (run(c, lun, cdb, 6, SCSI_XFER_WRITE, buf, len, &s, NULL) != SCSI_STATUS_GOOD && !(s.eom && s.key == 0))
    die("WRITE(6) on LUN %d: key %x asc %02x ascq %02x", lun, s.key, s.asc, s.ascq);
}

/* READ(6); returns bytes read, 0 at a filemark. */
static size_t read6(struct iscsi_context *c, int lun, int fixed, uint32_t count, unsigned char *buf, size_t len) {
  unsigned char cdb[6] = {0x08, fixed ? 1 : 0, count >> 16, count >> 8, count};
  struct sense s;
  size_t residual = 0;
  if (run(c, lun, cdb, 6, SCSI_XFER_READ, buf, len, &s, &residual) == SCSI_STATUS_GOOD) return len - residual;
  if (s.filemark) return 0;
  if (s.ili && s.key == 0) return len - residual;
  die("READ(6) on LUN %d: key %x asc %02x ascq %02x", lun, s.key, s.asc, s.ascq);
  return 0;
}

/* MODE SELECT(6) with a block descriptor: block length 0 = variable mode. */
static int set_block_length(struct iscsi_context *c, int lun, uint32_t blen) {
  unsigned char data[12] = {0, 0, 0x10, 8, 0, 0, 0, 0, 0, blen >> 16, blen >> 8, blen};
  unsigned char cdb[6] = {0x15, 0x10, 0, 0, sizeof data};
  struct sense s;
  return run(c, lun, cdb, 6, SCSI_XFER_WRITE, data, sizeof data, &s, NULL) == SCSI_STATUS_GOOD;
}

/* SECURITY PROTOCOL OUT, Set Data Encryption (SSC-4 page 0010h): a fixed 256-bit key for this I_T nexus only (SCOPE
   LOCAL), ENCRYPT and DECRYPT, algorithm 1. It goes with the session, so other streams and runs never see it. */
static void set_encryption_key(struct iscsi_context *c, int lun) {
  unsigned char page[52] = {0x00, 0x10, 0, 48, 1 << 5, 0, 2, 2, 1, 0, 0};
  page[19] = 32;
  for (int i = 0; i < 32; i++) page[20 + i] = (unsigned char)(0xa0 + i);
  unsigned char cdb[12] = {0xb5, 0x20, 0x00, 0x10, 0, 0, 0, 0, 0, sizeof page, 0, 0};
  must(c, lun, cdb, 12, SCSI_XFER_WRITE, page, sizeof page, "SECURITY PROTOCOL OUT");
}

/* LOCATE(10) or LOCATE(16) to a logical object; returns 0, or -1 if the target lacks the command. */
static int locate(struct iscsi_context *c, int lun, uint64_t block, int sixteen) {
  unsigned char cdb[16] = {0};
  if (sixteen) {
    cdb[0] = 0x92;
    for (int i = 0; i < 8; i++) cdb[4 + i] = (unsigned char)(block >> (56 - 8 * i));
  } else {
    cdb[0] = 0x2b;
    for (int i = 0; i < 4; i++) cdb[3 + i] = (unsigned char)(block >> (24 - 8 * i));
  }
  struct sense s;
  if (run(c, lun, cdb, sixteen ? 16 : 10, SCSI_XFER_NONE, NULL, 0, &s, NULL) == SCSI_STATUS_GOOD) return 0;
  if (s.key == 0x5 && s.asc == 0x20) return -1; /* INVALID COMMAND OPERATION CODE */
  die("LOCATE(%d) to %" PRIu64 " on LUN %d: key %x asc %02x ascq %02x", sixteen ? 16 : 10, block, lun, s.key, s.asc,
      s.ascq);
  return -1;
}

/* CPU seconds (utime + stime) of the target process (all threads), or of its main thread alone, when its pid was
 * given; -1 otherwise. */
static double cpu_seconds_of(int main_thread) {
  if (opt.target_pid <= 0) return -1;
  char path[64], buf[1024];
  if (main_thread) snprintf(path, sizeof path, "/proc/%d/task/%d/stat", opt.target_pid, opt.target_pid);
  else snprintf(path, sizeof path, "/proc/%d/stat", opt.target_pid);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  char *p = strrchr(buf, ')'); /* the command name may hold spaces */
  if (!p) return -1;
  unsigned long long utime = 0, stime = 0;
  /* after ") " come state (field 3) ... utime is field 14, stime field 15 */
  if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2) return -1;
  return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void mark_cpu(int at) {
  cpu_marks[at] = cpu_seconds_of(0);
  main_marks[at] = cpu_seconds_of(1);
}

/* ---- stream mode: write, flush, rewind, read; N streams in parallel, phases aligned by a barrier ---- */

struct stream {
  int index, lun, slot, drive;
  pthread_t thread;
  double mount_ms, t_start, t_written, t_flushed, t_read_start, t_read_end;
  uint64_t records, bytes_read, mismatches;
};

static void *stream_main(void *arg) {
  struct stream *st = arg;
  struct iscsi_context *c = connect_lun();
  unsigned char *rbuf = malloc(opt.record);
  if (!rbuf) die("out of memory");
  st->mount_ms = -1;
  if (st->slot >= 0) {
    wait_ready(c, opt.changer_lun, 10, 0);
    if (wait_ready(c, st->lun, 10, 1) >= 0) die("drive LUN %d already holds a cartridge", st->lun);
    double t0 = now();
    move_medium(c, st->slot, st->drive);
    wait_ready(c, st->lun, 60, 0);
    st->mount_ms = (now() - t0) * 1e3;
  } else {
    wait_ready(c, st->lun, 10, 0);
  }
  set_block_length(c, st->lun, 0);
  if (opt.encrypt) set_encryption_key(c, st->lun);
  rewind_(c, st->lun);
  uint64_t n = opt.bytes / opt.record;
  st->records = n;

  pthread_barrier_wait(&barrier);
  if (st->index == 0) mark_cpu(0);
  st->t_start = now();
  for (uint64_t k = 0; k < n; k++) write6(c, st->lun, 0, (uint32_t)opt.record, record_data(k), opt.record);
  st->t_written = now();
  write_filemarks(c, st->lun, 1);
  st->t_flushed = now();

  pthread_barrier_wait(&barrier);
  if (st->index == 0) mark_cpu(1);
  rewind_(c, st->lun);
  pthread_barrier_wait(&barrier);
  if (st->index == 0) mark_cpu(2);
  st->t_read_start = now();
  for (uint64_t k = 0;; k++) {
    size_t got = read6(c, st->lun, 0, (uint32_t)opt.record, rbuf, opt.record);
    if (got == 0) break;
    st->bytes_read += got;
    if (opt.verify && (got != opt.record || memcmp(rbuf, record_data(k), got) != 0)) st->mismatches++;
  }
  st->t_read_end = now();
  pthread_barrier_wait(&barrier);
  if (st->index == 0) mark_cpu(3);

  if (st->slot >= 0) {
    rewind_(c, st->lun);
    unsigned char unload[6] = {0x1b, 0, 0, 0, 0}; /* LOAD UNLOAD, LOAD=0 */
    must(c, st->lun, unload, 6, SCSI_XFER_NONE, NULL, 0, "LOAD UNLOAD");
    move_medium(c, st->drive, st->slot);
  }
  iscsi_logout_sync(c);
  iscsi_destroy_context(c);
  free(rbuf);
  return NULL;
}

static double mbps(uint64_t bytes, double s) { return s > 0 ? (double)bytes / s / 1e6 : 0; }

/* pool: write the data pool of --pattern to stdout (64 MiB), e.g. to measure a codec on exactly the bench's data. */
static int mode_pool(void) {
  make_pool(0);
  for (size_t off = 0; off < pool_len;) {
    ssize_t n = write(1, pool + off, pool_len - off);
    if (n <= 0) die("cannot write the pool to stdout");
    off += (size_t)n;
  }
  return 0;
}

static int mode_stream(void) {
  int ns = opt.nluns;
  struct stream st[MAX_STREAMS];
  make_pool(opt.record);
  pthread_barrier_init(&barrier, NULL, (unsigned)ns);
  for (int i = 0; i < ns; i++) {
    memset(&st[i], 0, sizeof st[i]);
    st[i].index = i;
    st[i].lun = opt.luns[i];
    st[i].slot = i < opt.nslots ? opt.slots[i] : -1;
    st[i].drive = i < opt.ndrives ? opt.drives[i] : -1;
    if (st[i].slot >= 0 && st[i].drive < 0) die("--slots needs --drives");
    pthread_create(&st[i].thread, NULL, stream_main, &st[i]);
  }
  for (int i = 0; i < ns; i++) pthread_join(st[i].thread, NULL);
  double t0 = st[0].t_start, tw = 0, tf = 0, r0 = st[0].t_read_start, tr = 0;
  uint64_t total = 0, rtotal = 0, mism = 0;
  for (int i = 0; i < ns; i++) {
    if (st[i].t_start < t0) t0 = st[i].t_start;
    if (st[i].t_written > tw) tw = st[i].t_written;
    if (st[i].t_flushed > tf) tf = st[i].t_flushed;
    if (st[i].t_read_start < r0) r0 = st[i].t_read_start;
    if (st[i].t_read_end > tr) tr = st[i].t_read_end;
    total += st[i].records * opt.record;
    rtotal += st[i].bytes_read;
    mism += st[i].mismatches;
  }
  printf("{\"mode\":\"stream\",\"pattern\":\"%s\",\"streams\":%d,\"recordBytes\":%" PRIu64
         ",\"bytes\":%" PRIu64 ",\"bytesRead\":%" PRIu64 ",\"writeSeconds\":%.6f,\"writeFlushSeconds\":%.6f"
         ",\"readSeconds\":%.6f,\"writeMBps\":%.2f,\"writeFlushMBps\":%.2f,\"readMBps\":%.2f,"
         "\"verified\":%s,\"mismatches\":%" PRIu64 ",\"mountMs\":[",
         opt.pattern, ns, opt.record, total, rtotal, tw - t0, tf - t0, tr - r0, mbps(total, tw - t0),
         mbps(total, tf - t0), mbps(rtotal, tr - r0), opt.verify ? "true" : "false", mism);
  for (int i = 0; i < ns; i++) printf("%s%.3f", i ? "," : "", st[i].mount_ms);
  printf("],\"targetCpuWriteSeconds\":%.2f,\"targetCpuReadSeconds\":%.2f", cpu_marks[0] < 0 ? -1 : cpu_marks[1] - cpu_marks[0],
         cpu_marks[2] < 0 ? -1 : cpu_marks[3] - cpu_marks[2]);
  printf(",\"targetMainCpuReadSeconds\":%.2f", main_marks[2] < 0 ? -1 : main_marks[3] - main_marks[2]);
  printf(",\"targetLoginReply\":{%s}}\n", login_keys);
  if (rtotal != total) die("read back %" PRIu64 " bytes of %" PRIu64, rtotal, total);
  if (mism) die("%" PRIu64 " records read back differ from what was written", mism);
  return 0;
}

/* ---- mount mode: MOVE MEDIUM slot -> drive, TEST UNIT READY until GOOD; then back ---- */

static int mode_mount(void) {
  struct iscsi_context *c = connect_lun();
  int lun = opt.luns[0], slot = opt.slots[0], drive = opt.drives[0];
  wait_ready(c, opt.changer_lun, 10, 0);
  if (wait_ready(c, lun, 10, 1) >= 0) die("drive LUN %d already holds a cartridge", lun);
  printf("{\"mode\":\"mount\",\"mountMs\":[");
  for (int i = 0; i < opt.repeat; i++) {
    double t0 = now();
    move_medium(c, slot, drive);
    wait_ready(c, lun, 60, 0);
    double ms = (now() - t0) * 1e3;
    unsigned char unload[6] = {0x1b, 0, 0, 0, 0};
    double u0 = now();
    must(c, lun, unload, 6, SCSI_XFER_NONE, NULL, 0, "LOAD UNLOAD");
    move_medium(c, drive, slot);
    double ums = (now() - u0) * 1e3;
    printf("%s{\"mount\":%.3f,\"unload\":%.3f}", i ? "," : "", ms, ums);
  }
  printf("]}\n");
  iscsi_logout_sync(c);
  iscsi_destroy_context(c);
  return 0;
}

/* ---- locate mode: fill a cartridge with many small fixed blocks, then time LOCATE to far blocks ---- */

static int mode_locate(void) {
  struct iscsi_context *c = connect_lun();
  int lun = opt.luns[0];
  int loaded = 0;
  if (opt.nslots) {
    wait_ready(c, opt.changer_lun, 10, 0);
    if (wait_ready(c, lun, 10, 1) < 0) {
      move_medium(c, opt.slots[0], opt.drives[0]);
      loaded = 1;
    }
  }
  wait_ready(c, lun, 60, 0);
  rewind_(c, lun);
  uint32_t bl = (uint32_t)opt.block;
  if (!set_block_length(c, lun, bl)) die("MODE SELECT block length %u refused", bl);
  uint64_t per = opt.per_cmd;
  unsigned char *buf = malloc(per * bl);
  if (!buf) die("out of memory");
  make_pool(0);
  double t0 = now();
  /* Each block starts with its own number so a read after LOCATE proves where the drive stands. */
  for (uint64_t b = 0; b < opt.blocks; b += per) {
    uint64_t k = opt.blocks - b < per ? opt.blocks - b : per;
    for (uint64_t i = 0; i < k; i++) {
      unsigned char *p = buf + i * bl;
      memcpy(p, pool + ((b + i) * 520) % (POOL_BYTES - bl), bl);
      uint64_t id = b + i;
      memcpy(p, &id, sizeof id);
    }
    write6(c, lun, 1, (uint32_t)k, buf, k * bl);
  }
  double tw = now();
  write_filemarks(c, lun, 1);
  double tf = now();
  printf("{\"mode\":\"locate\",\"blocks\":%" PRIu64 ",\"blockBytes\":%u,\"blocksPerCommand\":%" PRIu64
         ",\"writeSeconds\":%.6f,\"writeFlushSeconds\":%.6f,\"blocksPerSecond\":%.0f,\"locate\":[",
         opt.blocks, bl, per, tw - t0, tf - t0, (double)opt.blocks / (tf - t0));
  int first = 1, unsupported[2] = {0, 0};
  for (int i = 0; i < opt.repeat; i++) {
    for (int sixteen = 0; sixteen < 2; sixteen++) {
      if (unsupported[sixteen]) continue;
      rewind_(c, lun);
      uint64_t targets[3] = {opt.blocks - 1, rnd() % opt.blocks, opt.blocks / 2};
      for (int j = 0; j < 3; j++) {
        double l0 = now();
        if (locate(c, lun, targets[j], sixteen) < 0) {
          unsupported[sixteen] = 1;
          break;
        }
        double ms = (now() - l0) * 1e3;
        uint64_t id = ~0ull;
        if (read6(c, lun, 1, 1, buf, bl) != bl) die("no block after LOCATE to %" PRIu64, targets[j]);
        memcpy(&id, buf, sizeof id);
        if (id != targets[j]) die("LOCATE to %" PRIu64 " then READ gave block %" PRIu64, targets[j], id);
        printf("%s{\"cdb\":%d,\"block\":%" PRIu64 ",\"ms\":%.3f}", first ? "" : ",", sixteen ? 16 : 10,
               targets[j], ms);
        first = 0;
      }
    }
  }
  printf("],\"unsupported\":[%s%s%s]}\n", unsupported[0] ? "10" : "", unsupported[0] && unsupported[1] ? "," : "",
         unsupported[1] ? "16" : "");
  set_block_length(c, lun, 0);
  rewind_(c, lun);
  if (loaded) {
    unsigned char unload[6] = {0x1b, 0, 0, 0, 0};
    must(c, lun, unload, 6, SCSI_XFER_NONE, NULL, 0, "LOAD UNLOAD");
    move_medium(c, opt.drives[0], opt.slots[0]);
  }
  iscsi_logout_sync(c);
  iscsi_destroy_context(c);
  free(buf);
  return 0;
}

/* ---- command line ---- */

static int parse_list(const char *s, int *out) {
  int n = 0;
  char *copy = strdup(s), *save = NULL;
  for (char *tok = strtok_r(copy, ",", &save); tok && n < MAX_STREAMS; tok = strtok_r(NULL, ",", &save))
    out[n++] = (int)strtol(tok, NULL, 0);
  free(copy);
  return n;
}

static uint64_t parse_size(const char *s) {
  char *end;
  double v = strtod(s, &end);
  switch (*end) {
    case 'k': case 'K': v *= 1024; break;
    case 'm': case 'M': v *= 1024 * 1024; break;
    case 'g': case 'G': v *= 1024.0 * 1024 * 1024; break;
  }
  return (uint64_t)v;
}

static void usage(void) {
  fprintf(stderr,
          "usage: tape-bench MODE --portal HOST:PORT --target IQN --luns L[,L...] [options]\n"
          "modes: stream | mount | locate | pool (write the --pattern data pool to stdout; no portal needed)\n"
          "  --record SIZE      record size for stream (default 256k)\n"
          "  --bytes SIZE       bytes per stream (default 1g)\n"
          "  --pattern P        random (incompressible) | text (database-dump-like, compressible)\n"
          "  --verify           compare every record read back with what was written\n"
          "  --encrypt          stream: set a drive encryption key first (SECURITY PROTOCOL OUT, SCOPE LOCAL)\n"
          "  --target-pid PID   report the target's CPU seconds for the write and the read phase\n"
          "  --changer-lun L    media changer LUN (default 0)\n"
          "  --slots A[,A...]   storage element addresses to load from (one per stream)\n"
          "  --drives A[,A...]  data transfer element addresses (one per stream)\n"
          "  --repeat N         mount/locate repetitions (default 5)\n"
          "  --blocks N         locate: fixed blocks to write (default 10000000)\n"
          "  --block SIZE       locate: fixed block length (default 512)\n"
          "  --per-command N    locate: blocks per WRITE(6) (default 2048)\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  opt.mode = argv[1];
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--verify")) { opt.verify = 1; continue; }
    if (!strcmp(a, "--encrypt")) { opt.encrypt = 1; continue; }
    if (!v) usage();
    i++;
    if (!strcmp(a, "--portal")) opt.portal = v;
    else if (!strcmp(a, "--target")) opt.target = v;
    else if (!strcmp(a, "--luns")) opt.nluns = parse_list(v, opt.luns);
    else if (!strcmp(a, "--slots")) opt.nslots = parse_list(v, opt.slots);
    else if (!strcmp(a, "--drives")) opt.ndrives = parse_list(v, opt.drives);
    else if (!strcmp(a, "--changer-lun")) opt.changer_lun = atoi(v);
    else if (!strcmp(a, "--target-pid")) opt.target_pid = atoi(v);
    else if (!strcmp(a, "--record")) opt.record = parse_size(v);
    else if (!strcmp(a, "--bytes")) opt.bytes = parse_size(v);
    else if (!strcmp(a, "--pattern")) opt.pattern = v;
    else if (!strcmp(a, "--repeat")) opt.repeat = atoi(v);
    else if (!strcmp(a, "--blocks")) opt.blocks = parse_size(v);
    else if (!strcmp(a, "--block")) opt.block = (int)parse_size(v);
    else if (!strcmp(a, "--per-command")) opt.per_cmd = parse_size(v);
    else usage();
  }
  if (!strcmp(opt.mode, "pool")) return mode_pool();
  if (!opt.portal || !opt.target || opt.nluns < 1) usage();
  if (opt.record < 1 || opt.record > 0xffffff) die("record size must be 1..16777215 bytes");
  if (!strcmp(opt.mode, "stream")) return mode_stream();
  if ((!strcmp(opt.mode, "mount") || !strcmp(opt.mode, "locate")) && opt.nslots != opt.ndrives) usage();
  if (!strcmp(opt.mode, "mount")) return opt.nslots ? mode_mount() : (usage(), 2);
  if (!strcmp(opt.mode, "locate")) return mode_locate();
  usage();
  return 2;
}
