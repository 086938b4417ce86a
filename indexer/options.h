/* indexer/options.h — zhengce-indexer's command line: the options, their
 * defaults, the usage text and the checks of what goes together.
 *
 * Owns: the array of --delete ids (the strings stay argv's).
 * Must never: exit (main does, with the status these return). */
#ifndef ZC_INDEXER_OPTIONS_H
#define ZC_INDEXER_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct zc_ix_options {
    const char *index;
    const char **deletes;    /* owned array; the strings are argv's */
    size_t n_deletes;
    uint64_t batch;
    uint64_t batch_bytes;
    size_t max_record;
    int strict, json, verbose, quiet;
    int progress;      /* -1 auto (isatty), 0 off, 1 on */
    const char *analyzer;    /* --analyzer MODE for a new index, or NULL */
    const char *to;          /* --to ADDR: send to a daemon instead */
    const char *token_file;  /* --token-file: AUTH token for --to */
    const char *id_root;     /* --id-root DIR: text ids relative to DIR */
    const char *synonyms;    /* --synonyms FILE: the index's synonym list */
    const char *user_dict;   /* --user-dict FILE: the index's user dictionary */
} zc_ix_options;

/* Fills the defaults; o->deletes gets room for argc ids (NULL when memory
 * ran out).  Free with zc_ix_options_free. */
void zc_ix_options_init(zc_ix_options *o, int argc);
void zc_ix_options_free(zc_ix_options *o);

/* Prints the usage text to f. */
void zc_ix_usage(FILE *f);

/* Parses the command line into o (strings borrowed from argv).  Returns -1
 * to go on, else the exit status: 0 after --help or --version, 2 after printing a usage
 * error. */
int zc_ix_options_parse(int argc, char **argv, zc_ix_options *o);

/* The options that go together; reads the --token-file into token (cap
 * bytes).  Returns 0, or 2 after printing why. */
int zc_ix_options_check(const zc_ix_options *o, char *token, size_t cap);

#endif
