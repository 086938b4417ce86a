/* bench/fts5_bench.c — SQLite FTS5 on the same documents and queries, in
 * process: the engine one would embed instead of libzhengce.
 *
 * One table: fts5(title, body, docno, lang/issuer/date_num/year UNINDEXED),
 * documents inserted in transactions of --batch rows (default 10000), read
 * with the trivial field extractor (jsonl_fields.h).  Two tokenizers:
 *  - trigram: substring matching; a term under 3 characters matches nothing
 *    (SQLite's documented limit), so 2-character Chinese words find nothing;
 *  - unicode61 (with porter): unicode61 alone would make a whole run of Han
 *    characters one token, so every CJK character is set apart by spaces on
 *    both sides (documents here, queries in bench/prep.py): one token per
 *    character, as Sphinx's ngram_len=1, and a Chinese word is the phrase of
 *    its characters.
 * Queries: MATCH (bench/prep.py's fts_tri / fts_uni column) plus lang,
 * issuer and date filters on the UNINDEXED columns, ORDER BY rank (bm25),
 * LIMIT/OFFSET; facets as three GROUP BY queries over the match set.
 *
 *   fts5_bench index --db FILE --tokenizer trigram|unicode61 [--batch N] FILE...
 *   fts5_bench query --db FILE --tokenizer trigram|unicode61 --queries queries.tsv
 *              [--passes 3] [--threads 2] [--total 5000] [--max-secs 20] [--label L]
 *
 * Prints LABEL.key=value lines (bench/qmix.h).  Owns: only the database file
 * it is given.  Never linked into the library. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl_fields.h"
#include "qmix.h"

static const char *arg_of(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 2; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return dflt;
}

static int is_cjk(unsigned cp)
{
    return (cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0x3040 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x2FA1F);
}

/* Copies s[0..n) into out with a space on each side of every CJK character
 * (bench/prep.py's cjk_split).  out must hold 3*n+1 bytes. */
static size_t cjk_split(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        if (i + k > n)
            k = n - i;
        unsigned cp = c;
        if (k == 3)
            cp = ((c & 0x0Fu) << 12) | (((unsigned char)s[i + 1] & 0x3Fu) << 6) |
                 ((unsigned char)s[i + 2] & 0x3Fu);
        else if (k == 4)
            cp = ((c & 0x07u) << 18) | (((unsigned char)s[i + 1] & 0x3Fu) << 12) |
                 (((unsigned char)s[i + 2] & 0x3Fu) << 6) | ((unsigned char)s[i + 3] & 0x3Fu);
        int sep = (k >= 3) && is_cjk(cp);
        if (sep)
            out[o++] = ' ';
        memcpy(out + o, s + i, k);
        o += k;
        if (sep)
            out[o++] = ' ';
        i += k;
    }
    out[o] = '\0';
    return o;
}

static int exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s: %s\n", sql, msg ? msg : "?");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int do_index(int argc, char **argv)
{
    const char *path = arg_of(argc, argv, "--db", NULL);
    const char *tok = arg_of(argc, argv, "--tokenizer", "trigram");
    long batch = atol(arg_of(argc, argv, "--batch", "10000"));
    int uni = strcmp(tok, "unicode61") == 0;
    if (path == NULL || batch < 1 || (!uni && strcmp(tok, "trigram") != 0)) {
        fputs("usage: fts5_bench index --db FILE --tokenizer trigram|unicode61 [--batch N] FILE...\n",
              stderr);
        return 2;
    }
    remove(path);
    sqlite3 *db = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s: %s\n", path, sqlite3_errmsg(db));
        return 1;
    }
    char ddl[512];
    snprintf(ddl, sizeof ddl,
             "CREATE VIRTUAL TABLE docs USING fts5(title, body, docno, lang UNINDEXED, "
             "issuer UNINDEXED, date_num UNINDEXED, year UNINDEXED, tokenize='%s')",
             uni ? "porter unicode61 remove_diacritics 2" : "trigram");
    sqlite3_stmt *ins = NULL;
    if (exec(db, ddl) != 0 || exec(db, "BEGIN") != 0 ||
        sqlite3_prepare_v2(db, "INSERT INTO docs VALUES (?,?,?,?,?,?,?)", -1, &ins, NULL) !=
            SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    jf_doc d;
    memset(&d, 0, sizeof d);
    char *line = NULL, *split[3] = {NULL, NULL, NULL};
    size_t cap = 0, split_cap[3] = {0, 0, 0};
    long docs = 0, bad = 0, pending = 0;
    unsigned long long bytes = 0;
    double t0 = qm_now();
    for (int a = 2; a < argc; a++) {
        if (argv[a][0] == '-' && argv[a][1] == '-') {
            a++;
            continue;
        }
        FILE *f = fopen(argv[a], "r");
        if (f == NULL) {
            perror(argv[a]);
            return 1;
        }
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            bytes += (unsigned long long)len;
            if (jf_parse(&d, line, (size_t)len) != 0 || d.f[JF_ID].len == 0) {
                bad++;
                continue;
            }
            static const int text[3] = {JF_TITLE, JF_BODY, JF_DOCNO};
            for (int i = 0; i < 3; i++) {
                const jf_field *fl = &d.f[text[i]];
                const char *s = fl->len ? fl->buf : "";
                size_t n = fl->len;
                if (uni) {
                    if (split_cap[i] < 3 * n + 1) {
                        split_cap[i] = 3 * n + 1;
                        split[i] = realloc(split[i], split_cap[i]);
                        if (split[i] == NULL)
                            return 1;
                    }
                    n = cjk_split(s, n, split[i]);
                    s = split[i];
                }
                sqlite3_bind_text(ins, i + 1, s, (int)n, SQLITE_STATIC);
            }
            long dn = jf_date_num(&d.f[JF_DATE]);
            sqlite3_bind_text(ins, 4, d.f[JF_LANG].len ? d.f[JF_LANG].buf : "", -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 5, d.f[JF_ISSUER].len ? d.f[JF_ISSUER].buf : "", -1,
                              SQLITE_STATIC);
            sqlite3_bind_int64(ins, 6, dn);
            sqlite3_bind_int64(ins, 7, dn / 10000);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                fprintf(stderr, "fts5_bench: insert: %s\n", sqlite3_errmsg(db));
                return 1;
            }
            sqlite3_reset(ins);
            docs++;
            if (++pending >= batch) {
                if (exec(db, "COMMIT") != 0 || exec(db, "BEGIN") != 0)
                    return 1;
                pending = 0;
            }
        }
        fclose(f);
    }
    sqlite3_finalize(ins);
    if (exec(db, "COMMIT") != 0)
        return 1;
    sqlite3_close(db);
    free(line);
    for (int i = 0; i < 3; i++)
        free(split[i]);
    jf_doc_free(&d);
    printf("fts5.index_docs=%ld\nfts5.index_bad=%ld\nfts5.index_bytes=%llu\n"
           "fts5.index_secs_inner=%.2f\n",
           docs, bad, bytes, qm_now() - t0);
    return 0;
}

typedef struct fctx {
    sqlite3 *db;
} fctx;

static const char *g_path;
static int g_uni;

static void *q_open(void *arg)
{
    (void)arg;
    fctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    if (sqlite3_open_v2(g_path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s: %s\n", g_path, sqlite3_errmsg(c->db));
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    return c;
}

static void q_close(void *p)
{
    fctx *c = p;
    if (c) {
        sqlite3_close(c->db);
        free(c);
    }
}

/* Appends the filter clauses (named parameters, bound by bind()). */
static void where(const qm_query *q, char *sql, size_t cap)
{
    size_t n = strlen(sql);
    if (q->col[QM_LANG][0])
        n += (size_t)snprintf(sql + n, cap - n, " AND lang = :lang");
    if (q->col[QM_ISSUER][0])
        n += (size_t)snprintf(sql + n, cap - n, " AND issuer = :issuer");
    if (atol(q->col[QM_FROM]))
        snprintf(sql + n, cap - n, " AND date_num BETWEEN :from AND :to");
}

static void bind(sqlite3_stmt *st, const qm_query *q)
{
    const char *match = q->col[g_uni ? QM_FTS_UNI : QM_FTS_TRI];
    sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":m"), match, -1, SQLITE_STATIC);
    int i;
    if ((i = sqlite3_bind_parameter_index(st, ":lang")) > 0)
        sqlite3_bind_text(st, i, q->col[QM_LANG], -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":issuer")) > 0)
        sqlite3_bind_text(st, i, q->col[QM_ISSUER], -1, SQLITE_STATIC);
    if ((i = sqlite3_bind_parameter_index(st, ":from")) > 0)
        sqlite3_bind_int64(st, i, atol(q->col[QM_FROM]));
    if ((i = sqlite3_bind_parameter_index(st, ":to")) > 0)
        sqlite3_bind_int64(st, i, atol(q->col[QM_TO]));
    if ((i = sqlite3_bind_parameter_index(st, ":limit")) > 0)
        sqlite3_bind_int64(st, i, atol(q->col[QM_LIMIT]));
    if ((i = sqlite3_bind_parameter_index(st, ":offset")) > 0)
        sqlite3_bind_int64(st, i, atol(q->col[QM_OFFSET]));
}

static int run_sql(fctx *c, const qm_query *q, const char *sql, unsigned long long *rows)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fts5_bench: %s: %s\n", sql, sqlite3_errmsg(c->db));
        return -1;
    }
    bind(st, q);
    int rc;
    size_t sum = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        (*rows)++;
        sum += (size_t)sqlite3_column_bytes(st, 1);
    }
    (void)sum;
    if (rc != SQLITE_DONE) {
        fprintf(stderr, "fts5_bench: %s [%s]: %s\n", sql, q->col[g_uni ? QM_FTS_UNI : QM_FTS_TRI],
                sqlite3_errmsg(c->db));
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

static int q_run(const qm_query *q, void *p, unsigned long long *hits)
{
    fctx *c = p;
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT rowid, title FROM docs WHERE docs MATCH :m");
    where(q, sql, sizeof sql);
    strncat(sql, " ORDER BY rank LIMIT :limit OFFSET :offset", sizeof sql - strlen(sql) - 1);
    unsigned long long rows = 0;
    if (run_sql(c, q, sql, &rows) != 0)
        return -1;
    *hits = rows;
    if (q->col[QM_FACETS][0]) {
        static const char *const cols[3] = {"issuer", "year", "lang"};
        for (int i = 0; i < 3; i++) {
            unsigned long long n = 0;
            snprintf(sql, sizeof sql, "SELECT %s, count(*) FROM docs WHERE docs MATCH :m", cols[i]);
            where(q, sql, sizeof sql);
            size_t len = strlen(sql);
            snprintf(sql + len, sizeof sql - len, " GROUP BY %s ORDER BY 2 DESC LIMIT 100", cols[i]);
            if (run_sql(c, q, sql, &n) != 0)
                return -1;
        }
    }
    return 0;
}

static int do_query(int argc, char **argv)
{
    g_path = arg_of(argc, argv, "--db", NULL);
    const char *tok = arg_of(argc, argv, "--tokenizer", "trigram");
    const char *queries = arg_of(argc, argv, "--queries", NULL);
    const char *label = arg_of(argc, argv, "--label", "fts5");
    int passes = atoi(arg_of(argc, argv, "--passes", "3"));
    int threads = atoi(arg_of(argc, argv, "--threads", "2"));
    unsigned long total = strtoul(arg_of(argc, argv, "--total", "5000"), NULL, 10);
    double max_secs = atof(arg_of(argc, argv, "--max-secs", "20"));
    g_uni = strcmp(tok, "unicode61") == 0;
    if (g_path == NULL || queries == NULL || passes < 1) {
        fputs("usage: fts5_bench query --db FILE --tokenizer T --queries FILE [--passes N]\n"
              "                        [--threads T] [--total N] [--max-secs S] [--label L]\n",
              stderr);
        return 2;
    }
    qm_mix m;
    if (qm_load(&m, queries) != 0)
        return 1;
    long errors =
        qm_measure(&m, passes, threads, total, max_secs, label, q_open, q_close, q_run, NULL);
    qm_free(&m);
    return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "index") == 0)
        return do_index(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "query") == 0)
        return do_query(argc, argv);
    fputs("usage: fts5_bench index|query ...\n", stderr);
    return 2;
}
