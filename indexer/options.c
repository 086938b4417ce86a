/* indexer/options.c — zhengce-indexer's command line (see options.h). */
#include "indexer/options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "lib/zhengce.h"

#define DEFAULT_BATCH 10000u
/* A batch is also closed after this much input.  Xapian keeps a batch's
 * postings in memory until the commit (an ordered map per term), and with
 * CJK n-grams (a posting per character) large batches get slow: on 21 MB of
 * the benchmark corpus (corpus/gen + real), 512 KiB batches took 19 s of
 * CPU against 22 s for 1 MiB, 24 s for 2 MiB and 26-30 s for 4 MiB, and 71
 * MB of memory against 144 MB (docs/benchmarks.md, "Indexing after the
 * pipeline").  Smaller ones (64-256 KiB) gain nothing more and commit (fsync)
 * more often. */
#define DEFAULT_BATCH_BYTES (512u * 1024u)

void zc_ix_options_init(zc_ix_options *o, int argc)
{
    memset(o, 0, sizeof *o);
    o->batch = DEFAULT_BATCH;
    o->batch_bytes = DEFAULT_BATCH_BYTES;
    o->max_record = ZC_DOC_MAX_BYTES;
    o->progress = -1;
    o->deletes = calloc((size_t)argc + 1, sizeof *o->deletes);
}

void zc_ix_options_free(zc_ix_options *o)
{
    free(o->deletes);
    o->deletes = NULL;
}

void zc_ix_usage(FILE *f)
{
    fputs("usage: zhengce-indexer --index DIR [options] [FILE|DIR|-]...\n"
          "       zhengce-indexer --to ADDR [options] [FILE|DIR|-]...\n"
          "\n"
          "Adds documents to the index in DIR (created if missing), replacing any\n"
          "document with the same id.  Inputs: *.jsonl / *.json files (JSON Lines,\n"
          "one document per line), other files (text documents with Title:, Date:,\n"
          "Issuer:, Docno:, Lang:, Id:, Pair:, Tags: header lines, a blank line, the\n"
          "body), directories (walked recursively: *.jsonl, *.json, *.txt), and '-'\n"
          "(JSON Lines on standard input).\n"
          "\n"
          "A text document's id is its Id: header, else its file's canonical path\n"
          "(symbolic links, '.' and '..' resolved) without extension, relative to\n"
          "--id-root DIR when given: the same file gets the same id however it is\n"
          "named and from any directory.  Two text files with one id in a run are\n"
          "an error naming both; the second is skipped.\n"
          "\n"
          "options:\n"
          "  --index DIR        the index directory (required)\n"
          "  --analyzer MODE    for a new index: ngram, words or hybrid (default\n"
          "                     hybrid); an existing index keeps its own, and naming\n"
          "                     another one is an error\n"
          "  --synonyms FILE    the index's own synonym list (docs/synonyms.md: one\n"
          "                     group a line, 'a | b | c' or 'a => b'), replacing the\n"
          "                     one it had (an empty FILE removes it); searches use it\n"
          "                     and the built-in list (share/zhengce/synonyms.txt)\n"
          "  --user-dict FILE   words for the segmenter (one a line, 2-8 Han\n"
          "                     characters), used for documents and queries alike:\n"
          "                     set on a new index, before its first document; an\n"
          "                     index holding documents refuses a different one\n"
          "                     (build a new index), accepts the same one again\n"
          "  --delete ID        delete the document ID first (repeatable)\n"
          "  --batch N          commit every N documents (default 10000)\n"
          "  --batch-bytes N    ...or every N bytes of input, whichever comes first\n"
          "                     (default 512 KiB)\n"
          "  --max-record N     longest record in bytes (default 64 MiB)\n"
          "  --strict           stop at the first bad record (the good records\n"
          "                     before it are committed; exit status 1)\n"
          "  --json             print a JSON summary on standard output\n"
          "  --verbose          report each commit: 'committed batch N (D documents)'\n"
          "  --quiet            no summary line on standard error\n"
          "  --progress / --no-progress\n"
          "                     force the progress line on or off (default: on when\n"
          "                     standard error is a terminal)\n"
          "  --to ADDR          send the documents to a running zhengce-searchd\n"
          "                     (started with --writable) at HOST:PORT or a Unix\n"
          "                     socket path, instead of writing an index\n"
          "  --token-file FILE  with --to: the AUTH token (first line of FILE)\n"
          "  --id-root DIR      text documents without Id: header get ids relative\n"
          "                     to DIR (default: absolute, e.g. /srv/corpus/text/a;\n"
          "                     with --id-root /srv/corpus: text/a)\n"
          "  --help             this text\n"
          "  --version          the version of zhengce-indexer and libzhengce\n"
          "\n"
          "Bad records are reported as FILE:LINE: error: MESSAGE and skipped.\n"
          "Exit status: 0 ok, 1 some records were bad, 2 usage, open or write error.\n",
          f);
}

/* Reads the first line of a token file into buf.  Returns 0, or -1 after
 * printing why. */
static int read_token(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "zhengce-indexer: --token-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    int ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    size_t n = ok ? strlen(buf) : 0;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    if (n == 0) {
        fprintf(stderr, "zhengce-indexer: --token-file %s: want one non-empty line\n", path);
        return -1;
    }
    return 0;
}

static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (s == NULL || *s == '\0' || *s == '-')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int zc_ix_options_parse(int argc, char **argv, zc_ix_options *o)
{
    enum { OPT_INDEX = 256, OPT_DELETE, OPT_BATCH, OPT_BATCH_BYTES, OPT_MAX_RECORD, OPT_STRICT, OPT_JSON,
           OPT_VERBOSE, OPT_QUIET, OPT_PROGRESS, OPT_NO_PROGRESS, OPT_TO, OPT_TOKEN_FILE, OPT_HELP,
           OPT_ANALYZER, OPT_ID_ROOT, OPT_VERSION, OPT_SYNONYMS, OPT_USER_DICT };
    static const struct option longopts[] = {
        {"index", required_argument, NULL, OPT_INDEX},
        {"analyzer", required_argument, NULL, OPT_ANALYZER},
        {"delete", required_argument, NULL, OPT_DELETE},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"batch-bytes", required_argument, NULL, OPT_BATCH_BYTES},
        {"max-record", required_argument, NULL, OPT_MAX_RECORD},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"json", no_argument, NULL, OPT_JSON},
        {"verbose", no_argument, NULL, OPT_VERBOSE},
        {"quiet", no_argument, NULL, OPT_QUIET},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"to", required_argument, NULL, OPT_TO},
        {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
        {"id-root", required_argument, NULL, OPT_ID_ROOT},
        {"synonyms", required_argument, NULL, OPT_SYNONYMS},
        {"user-dict", required_argument, NULL, OPT_USER_DICT},
        {"help", no_argument, NULL, OPT_HELP},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c;
    uint64_t v;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_INDEX: o->index = optarg; break;
        case OPT_ANALYZER: o->analyzer = optarg; break;
        case OPT_DELETE: o->deletes[o->n_deletes++] = optarg; break;
        case OPT_BATCH:
            if (parse_u64(optarg, 1, UINT32_MAX, &v) != 0) {
                fprintf(stderr, "zhengce-indexer: --batch wants a number >= 1, not '%s'\n",
                        optarg);
                return 2;
            }
            o->batch = v;
            break;
        case OPT_BATCH_BYTES:
            if (parse_u64(optarg, 1, UINT64_MAX, &v) != 0) {
                fprintf(stderr,
                        "zhengce-indexer: --batch-bytes wants a number >= 1, not '%s'\n",
                        optarg);
                return 2;
            }
            o->batch_bytes = v;
            break;
        case OPT_MAX_RECORD:
            if (parse_u64(optarg, 1, ZC_DOC_MAX_BYTES, &v) != 0) {
                fprintf(stderr,
                        "zhengce-indexer: --max-record wants a number in 1..%u, not '%s'\n",
                        (unsigned)ZC_DOC_MAX_BYTES, optarg);
                return 2;
            }
            o->max_record = (size_t)v;
            break;
        case OPT_STRICT: o->strict = 1; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_VERBOSE: o->verbose = 1; break;
        case OPT_QUIET: o->quiet = 1; break;
        case OPT_PROGRESS: o->progress = 1; break;
        case OPT_NO_PROGRESS: o->progress = 0; break;
        case OPT_TO: o->to = optarg; break;
        case OPT_TOKEN_FILE: o->token_file = optarg; break;
        case OPT_ID_ROOT: o->id_root = optarg; break;
        case OPT_SYNONYMS: o->synonyms = optarg; break;
        case OPT_USER_DICT: o->user_dict = optarg; break;
        case OPT_HELP: zc_ix_usage(stdout); return 0;
        case OPT_VERSION:
            /* The same words as zhengce-searchd --version and zhengce --version. */
            printf("zhengce-indexer %s (libzhengce %s)\n", ZC_VERSION_STRING, zc_version());
            return 0;
        default:
            if (optopt != 0 && optopt < 256)
                fprintf(stderr, "zhengce-indexer: unknown option -%c\n", optopt);
            else
                fprintf(stderr, "zhengce-indexer: unknown option or missing value: %s\n",
                        argv[optind - 1]);
            fputs("try zhengce-indexer --help\n", stderr);
            return 2;
        }
    }
    return -1;
}

int zc_ix_options_check(const zc_ix_options *o, char *token, size_t cap)
{
    if ((o->index == NULL) == (o->to == NULL)) {
        fputs(o->index ? "zhengce-indexer: give --index DIR or --to ADDR, not both\n"
                       : "zhengce-indexer: --index DIR is required (or --to ADDR)\n",
              stderr);
        fputs("try zhengce-indexer --help\n", stderr);
        return 2;
    }
    if (o->analyzer != NULL && o->to != NULL) {
        fputs("zhengce-indexer: --analyzer goes with --index (the daemon's index has its "
              "own)\n",
              stderr);
        return 2;
    }
    if ((o->synonyms != NULL || o->user_dict != NULL) && o->to != NULL) {
        fputs("zhengce-indexer: --synonyms and --user-dict go with --index (they are "
              "written into the index)\n",
              stderr);
        return 2;
    }
    if (o->token_file != NULL && o->to == NULL) {
        fputs("zhengce-indexer: --token-file goes with --to\n", stderr);
        return 2;
    }
    if (o->token_file != NULL && read_token(o->token_file, token, cap) != 0)
        return 2;
    return 0;
}
