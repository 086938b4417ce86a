/* main.c — zhengce-indexer: builds or updates an index from JSON Lines and
 * text files.
 *
 *   zhengce-indexer --index DIR [options] [FILE|DIR|-]...
 *   zhengce-indexer --to ADDR [options] [FILE|DIR|-]...
 *
 * Owns: the command line, walking the inputs, batching commits, reporting
 * bad records as `FILE:LINE: error: ...`, the progress line and the summary.
 * A program on top of the library: it uses only zhengce.h (plus the
 * library's documented limits) and its own reader/textdoc/progress modules;
 * every document goes through zc_prepare_json + zc_index_add_prepared (the
 * two halves of zc_index_add_json: analysis on this thread, the Xapian writes
 * and commits on the writer thread, writer.h), or, with --to, through a
 * daemon's ADD (remote.h; the same validation, done by the daemon).
 *
 * Inputs:
 *  - FILE ending in .jsonl or .json: JSON Lines, one document per line.
 *  - any other FILE: one text document (textdoc.h).
 *  - DIR: walked recursively in byte order of names; *.jsonl and *.json are
 *    JSON Lines, *.txt are text documents; hidden entries (".name") and
 *    other files are skipped; symbolic links to directories are not followed.
 *  - "-": JSON Lines from standard input.
 * A text document without an Id header gets an id from its canonical path,
 * relative to --id-root DIR when given (textid.h: the same file gets the
 * same id however it is named); two different text files with the same id
 * in one run are a bad record naming both (the second is skipped), and a
 * file named twice is read once.
 *
 * Errors: a bad record is reported, skipped, and the run goes on; the exit
 * status is then 1.  With --strict the run stops at the first bad record:
 * the good records before it are committed, nothing after it is read.
 * Exit status: 0 all good; 1 some records bad; 2 usage error, an input or
 * the index could not be opened (e.g. locked by another writer), or a write
 * to the index failed (what was committed before stays).
 *
 * With --to, DELs and ADDs are pipelined and a COMMIT closes each batch;
 * a bad_request reply is a bad record like any other; any other error reply
 * (read_only, forbidden, busy, ...) ends the run with status 2.  With
 * --strict each record is answered before the next is sent, so nothing
 * after the bad record reaches the daemon.
 *
 * Crash safety: every commit is Xapian's atomic commit, so a killed run
 * leaves the index as of the last commit; since documents replace by id, a
 * re-run completes it without duplicates.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/limits.h"
#include "indexer/lists.h"
#include "indexer/options.h"
#include "protocol/reply.h"
#include "indexer/progress.h"
#include "indexer/reader.h"
#include "indexer/remote.h"
#include "indexer/textdoc.h"
#include "indexer/textid.h"
#include "indexer/writer.h"
#include "indexer/xmem.h"
#include "lib/zhengce.h"

#define CHUNK_BYTES (64u * 1024u)
typedef enum { IN_JSONL, IN_TEXT, IN_STDIN } input_kind;

typedef struct input {
    char *path;        /* owned */
    input_kind kind;
    uint64_t size;     /* bytes, 0 for stdin */
} input;

typedef zc_ix_options options;

typedef struct run {
    const options *o;
    zc_index *idx;     /* local mode; the writer thread's while it runs */
    zc_preparer *prep; /* local mode: analysis on this thread */
    zc_writer *writer; /* local mode: Xapian writes on the writer thread */
    pthread_mutex_t out_mu; /* one writer of standard error at a time */
    zc_remote *remote; /* --to mode */
    uint64_t remote_docs; /* --to: "docs" of the last COMMIT */
    zc_textid *ids;    /* the text documents' ids of this run */
    zc_progress prog;
    uint64_t indexed, errors, deleted, bytes, pending, batches;
    uint64_t pending_bytes; /* record bytes added since the last commit */
    int stop;          /* --strict hit a bad record */
    int fatal;         /* the index failed: stop, exit 2 */
} run;

/* "s" after a count other than 1: people read these lines ("1 document"). */
static const char *plural(uint64_t n)
{
    return n == 1 ? "" : "s";
}

/* ---- inputs ----------------------------------------------------------- */

typedef struct input_list {
    input *v;
    size_t n, cap;
} input_list;

static void push_input(input_list *l, const char *path, input_kind kind, uint64_t size)
{
    zc_ix_xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v, 16);
    input *in = &l->v[l->n++];
    in->path = zc_ix_xstrdup(path);
    in->kind = kind;
    in->size = size;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_jsonl_name(const char *name)
{
    return ends_with(name, ".jsonl") || ends_with(name, ".json");
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Walks the directory at path.  Returns 0, or -1 after printing why. */
static int walk_dir(input_list *l, const char *path)
{
    struct dirent **ents = NULL;
    int n = scandir(path, &ents, NULL, name_cmp);
    if (n < 0) {
        fprintf(stderr, "zhengce-indexer: cannot read directory %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = ents[i]->d_name;
        if (rc != 0 || name[0] == '.')
            continue;
        size_t pl = strlen(path), nl = strlen(name);
        char *child = zc_ix_xmalloc(pl + 1 + nl + 1);
        snprintf(child, pl + 1 + nl + 1, "%s/%s", path, name);
        struct stat lst, st;
        if (lstat(child, &lst) != 0) {
            fprintf(stderr, "zhengce-indexer: cannot read %s: %s\n", child, strerror(errno));
            rc = -1;
        } else if (S_ISDIR(lst.st_mode)) {
            rc = walk_dir(l, child);
        } else if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
            if (is_jsonl_name(name))
                push_input(l, child, IN_JSONL, (uint64_t)st.st_size);
            else if (ends_with(name, ".txt"))
                push_input(l, child, IN_TEXT, (uint64_t)st.st_size);
        }
        free(child);
    }
    for (int i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    return rc;
}

/* Resolves the command-line inputs; returns 0 or -1 (reported). */
static int collect_inputs(input_list *l, char **args, int n)
{
    for (int i = 0; i < n; i++) {
        const char *a = args[i];
        if (strcmp(a, "-") == 0) {
            push_input(l, "<stdin>", IN_STDIN, 0);
            continue;
        }
        struct stat st;
        if (stat(a, &st) != 0) {
            fprintf(stderr, "zhengce-indexer: cannot read %s: %s\n", a, strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode)) {
            /* Drop trailing slashes so printed paths look natural. */
            char *root = zc_ix_xstrdup(a);
            size_t rl = strlen(root);
            while (rl > 1 && root[rl - 1] == '/')
                root[--rl] = '\0';
            int rc = walk_dir(l, root);
            free(root);
            if (rc != 0)
                return -1;
        } else {
            push_input(l, a, is_jsonl_name(a) ? IN_JSONL : IN_TEXT, (uint64_t)st.st_size);
        }
    }
    return 0;
}

/* ---- indexing --------------------------------------------------------- */

static void report(run *r, const char *file, uint64_t line, const char *kind,
                   const char *msg)
{
    pthread_mutex_lock(&r->out_mu);
    zc_progress_clear(&r->prog);
    if (line > 0)
        fprintf(stderr, "%s:%llu: %s: %s\n", file, (unsigned long long)line, kind, msg);
    else
        fprintf(stderr, "%s: %s: %s\n", file, kind, msg);
    pthread_mutex_unlock(&r->out_mu);
}

static void progress(run *r)
{
    pthread_mutex_lock(&r->out_mu);
    zc_progress_update(&r->prog, r->indexed, r->bytes);
    pthread_mutex_unlock(&r->out_mu);
}

/* Writer thread: a batch is durable. */
static void on_commit(void *ctx, uint64_t batch, uint64_t docs, uint64_t index_docs)
{
    run *r = ctx;
    if (!r->o->verbose)
        return;
    pthread_mutex_lock(&r->out_mu);
    zc_progress_clear(&r->prog);
    fprintf(stderr, "committed batch %llu (%llu document%s), index has %llu document%s\n",
            (unsigned long long)batch, (unsigned long long)docs, plural(docs),
            (unsigned long long)index_docs, plural(index_docs));
    pthread_mutex_unlock(&r->out_mu);
}

/* Writer thread: a write or a commit failed; the run stops (exit 2). */
static void on_write_fail(void *ctx, const char *file, uint64_t line, const zc_error *e)
{
    run *r = ctx;
    if (file != NULL) {
        report(r, file, line, "fatal", e->message);
        return;
    }
    pthread_mutex_lock(&r->out_mu);
    zc_progress_clear(&r->prog);
    fprintf(stderr, "zhengce-indexer: commit failed: %s\n", e->message);
    pthread_mutex_unlock(&r->out_mu);
}

static void bad_record(run *r, const char *file, uint64_t line, const char *msg)
{
    report(r, file, line, "error", msg);
    r->errors++;
    if (r->o->strict)
        r->stop = 1;
}

static void commit(run *r)
{
    if (r->fatal)
        return;
    if (r->writer != NULL) {
        /* Queued: the writer thread commits and reports it (on_commit). */
        if (zc_writer_commit(r->writer) != 0)
            r->fatal = 1;
        r->batches++;
        r->pending = 0;
        r->pending_bytes = 0;
        return;
    }
    zc_error e;
    zc_status st = r->remote ? zc_remote_commit(r->remote, &r->remote_docs, &e)
                             : zc_index_commit(r->idx, &e);
    if (r->fatal) /* a reply handed over before the COMMIT was fatal */
        return;
    if (st != ZC_OK) {
        zc_progress_clear(&r->prog);
        fprintf(stderr, "zhengce-indexer: commit failed: %s\n", e.message);
        r->fatal = 1;
        return;
    }
    r->batches++;
    if (r->o->verbose) {
        uint64_t docs = r->remote_docs;
        if (r->idx)
            zc_index_doc_count(r->idx, &docs, NULL);
        zc_progress_clear(&r->prog);
        fprintf(stderr, "committed batch %llu (%llu document%s), index has %llu document%s\n",
                (unsigned long long)r->batches, (unsigned long long)r->pending,
                plural(r->pending), (unsigned long long)docs, plural(docs));
    }
    r->pending = 0;
    r->pending_bytes = 0;
}

/* Adds one record.  field_line maps a field name to a line for text files
 * (NULL for JSON Lines, where the record's line is the line). */
static void add_doc(run *r, const char *file, uint64_t line, const char *json,
                    size_t len, const zc_textdoc_lines *lines)
{
    zc_error e;
    e.code = ZC_OK;
    e.field[0] = e.message[0] = '\0';
    if (r->remote) {
        /* The reply comes later, through on_reply. */
        zc_status st = zc_remote_add(r->remote, json, len, file, line, &e);
        if (st == ZC_OK && r->o->strict)
            st = zc_remote_flush(r->remote, &e);
        if (st != ZC_OK) {
            if (!r->fatal)
                report(r, file, line, "fatal", e.message);
            r->fatal = 1;
            return;
        }
        r->pending_bytes += len;
        if (++r->pending >= r->o->batch || r->pending_bytes >= r->o->batch_bytes)
            commit(r);
        return;
    }
    zc_prepared *pd = NULL;
    zc_status st = zc_prepare_json(r->prep, json, len, &pd, &e);
    if (st == ZC_OK) {
        if (zc_writer_add(r->writer, pd, file, line, len) != 0) {
            r->fatal = 1; /* reported by the writer thread */
            return;
        }
        r->indexed++;
        r->pending_bytes += len;
        if (++r->pending >= r->o->batch || r->pending_bytes >= r->o->batch_bytes)
            commit(r);
        return;
    }
    if (st == ZC_EINVAL || st == ZC_ETOOLONG) {
        uint64_t l = lines ? zc_textdoc_line_of(lines, e.field) : line;
        bad_record(r, file, l, e.message);
        return;
    }
    report(r, file, line, "fatal", e.message);
    r->fatal = 1;
}

/* --to: one reply of the daemon, in request order.  Returns 1 when the run
 * must stop (the daemon refused to write at all). */
static int on_reply(void *ctx, const zc_remote_reply *rep)
{
    run *r = ctx;
    if (rep->ok) {
        if (!rep->is_delete)
            r->indexed++;
        else if (rep->existed)
            r->deleted++;
        return 0;
    }
    if (!rep->is_delete && (strcmp(rep->code, "bad_request") == 0 ||
                            strcmp(rep->code, "line_too_long") == 0)) {
        bad_record(r, rep->file, rep->line, rep->message);
        return 0;
    }
    char msg[ZC_ERROR_MESSAGE_MAX + 64];
    if (strcmp(rep->code, "read_only") == 0)   /* e.g. restarted read-only since the open */
        snprintf(msg, sizeof msg, "%s", ZC_REMOTE_READ_ONLY_MESSAGE);
    else
        snprintf(msg, sizeof msg, "the server answered %s: %s", rep->code, rep->message);
    report(r, rep->file, rep->line, "fatal", msg);
    r->fatal = 1;
    return 1;
}

static int keep_going(run *r)
{
    if (r->writer != NULL && !r->fatal && zc_writer_failed(r->writer))
        r->fatal = 1;
    return !r->stop && !r->fatal;
}

static void read_jsonl(run *r, const input *in)
{
    FILE *f = in->kind == IN_STDIN ? stdin : fopen(in->path, "rb");
    if (f == NULL) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        bad_record(r, in->path, 0, msg);
        return;
    }
    static char chunk[CHUNK_BYTES];
    zc_rd rd;
    zc_rd_init(&rd, r->o->max_record);
    zc_rd_record rec;
    char msg[256];
    int done = 0;
    while (!done && keep_going(r)) {
        size_t n = fread(chunk, 1, sizeof chunk, f);
        if (n > 0) {
            zc_rd_feed(&rd, chunk, n);
            r->bytes += n;
        } else {
            if (ferror(f)) {
                snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
                bad_record(r, in->path, rd.line, msg);
            }
            zc_rd_finish(&rd);
            done = 1;
        }
        zc_rd_result res;
        while (keep_going(r) && (res = zc_rd_next(&rd, &rec)) != ZC_RD_NEED_MORE &&
               res != ZC_RD_END) {
            switch (res) {
            case ZC_RD_RECORD:
                add_doc(r, in->path, rec.line, rec.ptr, rec.len, NULL);
                break;
            case ZC_RD_TOO_LONG:
                snprintf(msg, sizeof msg,
                         "record of more than %zu bytes (the limit, --max-record); skipped",
                         r->o->max_record);
                bad_record(r, in->path, rec.line, msg);
                break;
            case ZC_RD_BAD_UTF8:
                snprintf(msg, sizeof msg, "invalid UTF-8 at byte offset %llu (column %llu)",
                         (unsigned long long)rec.bad_offset,
                         (unsigned long long)(rec.bad_offset - rec.offset + 1));
                bad_record(r, in->path, rec.line, msg);
                break;
            case ZC_RD_NOMEM:
                bad_record(r, in->path, rec.line, "out of memory buffering the record");
                break;
            default:
                break;
            }
            progress(r);
        }
        progress(r);
    }
    zc_rd_free(&rd);
    if (f != stdin)
        fclose(f);
}

/* The run's id check for a text file read as json (textid.h): its id is
 * its Id header's, else derived (NULL: why says why there is none).
 * Returns 1 to add it, 0 when it is skipped: reported, unless it is the
 * same file named twice. */
static int claim_text_id(run *r, const input *in, const struct stat *st, const char *json,
                         size_t jl, const char *derived, const zc_textdoc_lines *lines,
                         const char *why)
{
    uint64_t line = 0;
    char *header_id = NULL;
    const char *id = derived;
    if (zc_textdoc_has_id(lines)) {
        json_t *o = json_loadb(json, jl, 0, NULL);
        const char *s = json_string_value(json_object_get(o, "id"));
        header_id = s ? zc_ix_xstrdup(s) : NULL;
        json_decref(o);
        id = header_id;
        line = zc_textdoc_line_of(lines, "id");
    } else if (id == NULL) {
        bad_record(r, in->path, 0, why);
        return 0;
    }
    if (id == NULL) /* out of memory parsing: the library will say */
        return 1;
    const char *other = NULL;
    int c = zc_textid_claim(r->ids, id, st, in->path, &other);
    if (c < 0) {
        char msg[5000];
        snprintf(msg, sizeof msg,
                 "id '%.300s' is already the id of %.4000s; skipped (give one of them an "
                 "Id: header)", id, other);
        bad_record(r, in->path, line, msg);
    }
    free(header_id);
    return c == 0;
}

static void read_text(run *r, const input *in)
{
    char msg[300];
    FILE *f = fopen(in->path, "rb");
    if (f == NULL) {
        snprintf(msg, sizeof msg, "cannot open: %s", strerror(errno));
        bad_record(r, in->path, 0, msg);
        return;
    }
    struct stat st; /* the file read, for telling two files from one named twice */
    if (fstat(fileno(f), &st) != 0)
        memset(&st, 0, sizeof st);
    /* One text file is one record: refuse it whole if over the limit. */
    size_t cap = in->size < r->o->max_record ? (size_t)in->size + 1 : r->o->max_record + 1;
    char *buf = zc_ix_xmalloc(cap);
    size_t len = 0, n;
    while (len < cap && (n = fread(buf + len, 1, cap - len, f)) > 0)
        len += n;
    int err = ferror(f);
    /* The file may have grown since it was sized: read the rest to know. */
    if (!err && len == cap && len <= r->o->max_record) {
        char *nb = realloc(buf, r->o->max_record + 1);
        if (nb == NULL) {
            free(buf);
            fclose(f);
            bad_record(r, in->path, 0, "out of memory");
            return;
        }
        buf = nb;
        cap = r->o->max_record + 1;
        while (len < cap && (n = fread(buf + len, 1, cap - len, f)) > 0)
            len += n;
        err = ferror(f);
    }
    fclose(f);
    r->bytes += len;
    if (err) {
        snprintf(msg, sizeof msg, "read error: %s", strerror(errno));
        bad_record(r, in->path, 0, msg);
    } else if (len > r->o->max_record) {
        snprintf(msg, sizeof msg, "file of more than %zu bytes (the limit, --max-record); skipped",
                 r->o->max_record);
        bad_record(r, in->path, 1, msg);
    } else {
        char *json = NULL;
        size_t jl = 0;
        zc_textdoc_lines lines;
        zc_textdoc_error te;
        char why[300] = "";
        char *id = zc_textid_of(r->ids, in->path, why, sizeof why);
        if (zc_textdoc_to_json(buf, len, id, &json, &jl, &lines, &te) != 0)
            bad_record(r, in->path, te.line, te.message);
        else if (claim_text_id(r, in, &st, json, jl, id, &lines, why))
            add_doc(r, in->path, 1, json, jl, &lines);
        free(json);
        free(id);
    }
    free(buf);
    progress(r);
}

/* ---- main ------------------------------------------------------------- */

static void print_json_error(const char *code, const char *message)
{
    json_t *o = json_pack("{s:b,s:{s:s,s:s}}", "ok", 0, "error", "code", code, "message",
                          message);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

/* --delete ID..., before the inputs are read. */
static void run_deletes(run *r)
{
    const options *o = r->o;
    zc_error e;
    for (size_t i = 0; i < o->n_deletes && r->remote && !r->fatal; i++) {
        if (zc_remote_delete(r->remote, o->deletes[i], &e) != ZC_OK) {
            report(r, "zhengce-indexer", 0, "error", e.message);
            r->fatal = 1;
        }
    }
    for (size_t i = 0; i < o->n_deletes && r->idx && !r->fatal; i++) {
        int existed = 0;
        zc_status st = zc_index_delete(r->idx, o->deletes[i], strlen(o->deletes[i]), &existed, &e);
        if (st != ZC_OK) {
            report(r, "zhengce-indexer", 0, "error",
                   e.message[0] ? e.message : zc_status_name(st));
            if (st == ZC_EINVAL)
                r->errors++;
            else
                r->fatal = 1;
            continue;
        }
        if (existed) {
            r->deleted++;
            if (o->verbose)
                fprintf(stderr, "deleted %s\n", o->deletes[i]);
        } else if (!o->quiet) {
            fprintf(stderr, "zhengce-indexer: --delete %s: no such document\n", o->deletes[i]);
        }
    }
}

/* Reads every input through the pipeline: this thread reads and analyzes,
 * the writer thread writes and commits (writer.h). */
static void index_inputs(run *r, const input_list *inputs)
{
    zc_error e;
    if (r->idx != NULL && !r->fatal) {
        if (zc_preparer_new(r->idx, &r->prep, &e) != ZC_OK) {
            fprintf(stderr, "zhengce-indexer: %s\n", e.message);
            r->fatal = 1;
        } else if (zc_writer_start(r->idx, on_commit, on_write_fail, r, &r->writer) != 0) {
            fprintf(stderr, "zhengce-indexer: cannot start the writer thread: %s\n",
                    strerror(errno));
            r->fatal = 1;
        }
    }
    for (size_t i = 0; i < inputs->n && keep_going(r); i++) {
        if (inputs->v[i].kind == IN_TEXT)
            read_text(r, &inputs->v[i]);
        else
            read_jsonl(r, &inputs->v[i]);
    }
    /* --strict: what was read before the bad record is good: commit it. */
    if (r->pending > 0 || r->batches == 0 || r->o->n_deletes > 0)
        commit(r);
    if (r->writer != NULL) {
        uint64_t written = 0, batches = 0;
        if (zc_writer_finish(r->writer, &written, &batches) != 0)
            r->fatal = 1;
        r->writer = NULL;
        r->indexed = written;
        r->batches = batches;
    }
    zc_preparer_free(r->prep);
    r->prep = NULL;
}

/* The summary line (and the --json object); returns the exit status. */
static int summarize(const run *r, double secs, uint64_t docs)
{
    const options *o = r->o;
    double sd = secs > 0 ? secs : 1e-9;
    double dps = (double)r->indexed / sd, mbps = (double)r->bytes / 1e6 / sd;
    if (!o->quiet) {
        fprintf(stderr,
                "indexed %llu document%s (%.1f MB) in %.1f s: %.0f docs/s, %.1f MB/s; "
                "%llu error%s; %s %s has %llu document%s\n",
                (unsigned long long)r->indexed, plural(r->indexed), (double)r->bytes / 1e6,
                secs, dps, mbps, (unsigned long long)r->errors, plural(r->errors),
                o->to ? "server" : "index", o->to ? o->to : o->index,
                (unsigned long long)docs, plural(docs));
    }
    int rc = r->fatal ? 2 : r->errors > 0 ? 1 : 0;
    if (o->json) {
        json_t *j = json_pack("{s:b,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:I,s:I,s:s}", "ok", rc == 0,
                              "indexed", (json_int_t)r->indexed, "errors",
                              (json_int_t)r->errors, "deleted", (json_int_t)r->deleted,
                              "bytes", (json_int_t)r->bytes, "seconds", secs, "docs_per_s",
                              dps, "mb_per_s", mbps, "docs", (json_int_t)docs,
                              "committed_batches", (json_int_t)r->batches,
                              o->to ? "server" : "index", o->to ? o->to : o->index);
        char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (s)
            printf("%s\n", s);
        free(s);
        json_decref(j);
    }
    return rc;
}

/* Opens the index or the connection, runs, reports.  Returns the exit
 * status. */
static int index_all(run *r, const input_list *inputs, const char *token)
{
    const options *o = r->o;
    uint64_t total = 0;
    int have_stdin = 0;
    for (size_t i = 0; i < inputs->n; i++) {
        total += inputs->v[i].size;
        have_stdin |= inputs->v[i].kind == IN_STDIN;
    }
    zc_error e;
    zc_status st;
    if (o->to != NULL)
        st = zc_remote_open(o->to, o->token_file ? token : NULL, on_reply, r, &r->remote, &e);
    else
        st = zc_index_create(o->index, o->analyzer, &r->idx, &e);
    if (st != ZC_OK) {
        fprintf(stderr, "zhengce-indexer: %s\n", e.message);
        if (o->json)
            print_json_error(zc_reply_code_name(zc_reply_code_of_status(st)), e.message);
        return 2;
    }
    /* The index's word lists before any document: the user dictionary
     * decides how documents are segmented. */
    if (r->idx != NULL && zc_ix_set_lists(r->idx, o->synonyms, o->user_dict) != 0) {
        zc_index_close(r->idx);
        r->idx = NULL;
        return 2;
    }
    int show = o->progress < 0 ? isatty(STDERR_FILENO) : o->progress;
    zc_progress_init(&r->prog, show, have_stdin ? 0 : total);
    double t0 = zc_progress_now();
    run_deletes(r);
    index_inputs(r, inputs);
    double secs = zc_progress_now() - t0;
    uint64_t docs = r->remote_docs;
    if (r->idx)
        zc_index_doc_count(r->idx, &docs, NULL);
    zc_progress_clear(&r->prog);
    zc_index_close(r->idx);
    r->idx = NULL;
    zc_remote_close(r->remote);
    r->remote = NULL;
    return summarize(r, secs, docs);
}

int main(int argc, char **argv)
{
    options o;
    input_list inputs = {0};
    run r = {0};
    pthread_mutex_init(&r.out_mu, NULL);
    char token[1024] = "";
    zc_ix_options_init(&o, argc);
    if (o.deletes == NULL) {
        fputs("zhengce-indexer: out of memory\n", stderr);
        return 2;
    }
    r.o = &o;

    int rc = zc_ix_options_parse(argc, argv, &o);   /* -1: go on; 0: --help, --version; 2 */
    if (rc < 0) {
        char msg[300];
        rc = zc_ix_options_check(&o, token, sizeof token);
        if (rc == 0 && zc_textid_new(o.id_root, &r.ids, msg, sizeof msg) != 0) {
            fprintf(stderr, "zhengce-indexer: %s\n", msg);
            rc = 2;
        }
        if (rc == 0)
            rc = collect_inputs(&inputs, argv + optind, argc - optind) != 0
                     ? 2
                     : index_all(&r, &inputs, token);
    }
    for (size_t i = 0; i < inputs.n; i++) {
        free(inputs.v[i].path);
    }
    free(inputs.v);
    zc_textid_free(r.ids);
    zc_ix_options_free(&o);
    pthread_mutex_destroy(&r.out_mu);
    return rc;
}
