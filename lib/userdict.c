/* userdict.c — an index's user dictionary (userdict.h).
 *
 * Owns: reading the lines and folding each word as the analyzer folds the
 * text it segments.  Must never: keep the analyzer it folds with.
 */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/grow.h"
#include "lib/listfile.h"
#include "lib/analyzer.h"
#include "lib/qlex.h"
#include "lib/userdict.h"

/* One word being folded: its characters as the analyzer makes them. */
typedef struct fold_ctx {
    char buf[ZC_USERDICT_MAX_LINE * 2];
    size_t len, chars;
    int other; /* a token that is not one CJK character */
    uint32_t run;
    int runs;
} fold_ctx;

static int fold_token(void *vctx, const zc_token *t)
{
    fold_ctx *f = vctx;
    if (t->kind == ZC_TOK_CJK_BIGRAM)
        return 0;
    if (t->kind != ZC_TOK_CJK_UNIGRAM || f->len + t->len > sizeof f->buf) {
        f->other = 1;
        return 1;
    }
    if (f->runs == 0 || t->run != f->run)
        f->runs++;
    f->run = t->run;
    memcpy(f->buf + f->len, t->term, t->len);
    f->len += t->len;
    f->chars++;
    return 0;
}

typedef struct words {
    char *arena;
    size_t arena_len, arena_cap;
    size_t *off, *lens;
    size_t n, cap_off, cap_lens;
} words;

static int add_word(words *w, const char *s, size_t n)
{
    if (zc_grow(&w->arena, &w->arena_cap, w->arena_len + n, 1, 4096) != 0 ||
        zc_grow(&w->off, &w->cap_off, w->n + 1, sizeof *w->off, 64) != 0 ||
        zc_grow(&w->lens, &w->cap_lens, w->n + 1, sizeof *w->lens, 64) != 0)
        return -1;
    memcpy(w->arena + w->arena_len, s, n);
    w->off[w->n] = w->arena_len;
    w->lens[w->n] = n;
    w->arena_len += n;
    w->n++;
    return 0;
}

zc_status zc_userdict_parse(const char *text, size_t len, const char *name, zc_seg_user **out,
                            size_t *n_words, zc_error *err)
{
    *out = NULL;
    if (n_words != NULL)
        *n_words = 0;
    if (name == NULL)
        name = "user dictionary";
    if (text == NULL)
        len = 0;
    zc_status cst = zc_listfile_check(text, len, ZC_USERDICT_MAX_BYTES, name, "user_dict", err);
    if (cst != ZC_OK)
        return cst;
    zc_analyzer *an = NULL;
    zc_status st = zc_analyzer_new(ZC_SEG_NGRAM, &an, err);
    words w = {0};
    size_t line = 0;
    for (size_t p = 0; p < len && st == ZC_OK;) {
        const char *nl = memchr(text + p, '\n', len - p);
        size_t e = nl ? (size_t)(nl - text) : len, k;
        line++;
        const char *s = text + p;
        size_t n = zc_listfile_content_len(s, e - p), a = 0;
        p = e + 1;
        if (e - (size_t)(s - text) > ZC_USERDICT_MAX_LINE) {
            st = zc_error_set(err, ZC_EINVAL, "user_dict", "%s line %zu: longer than %d bytes",
                              name, line, ZC_USERDICT_MAX_LINE);
            break;
        }
        while (a < n && (k = zc_qlex_space(s, n, a)) > 0)
            a += k;
        while (n > a && (s[n - 1] == ' ' || s[n - 1] == '\t'))
            n--;
        if (n == a)
            continue;
        fold_ctx f = {.len = 0};
        uint32_t pos = 0;
        if ((st = zc_analyze_ex(an, s + a, n - a, &pos, ZC_ANALYZE_NO_WORDS, fold_token, &f,
                                err)) != ZC_OK)
            break;
        if (f.other || f.runs != 1 || f.chars < 2 || f.chars > ZC_SEG_USER_MAX_CHARS) {
            st = zc_error_set(err, ZC_EINVAL, "user_dict",
                              "%s line %zu: a word is 2-%d Han characters and nothing else", name,
                              line, ZC_SEG_USER_MAX_CHARS);
            break;
        }
        if (w.n == ZC_USERDICT_MAX_WORDS) {
            st = zc_error_set(err, ZC_ETOOLONG, "user_dict", "%s has more than %u words", name,
                              ZC_USERDICT_MAX_WORDS);
            break;
        }
        if (add_word(&w, f.buf, f.len) != 0)
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    }
    zc_analyzer_free(an);
    if (st == ZC_OK && w.n > 0) {
        const char **ptrs = malloc(w.n * sizeof *ptrs);
        if (ptrs == NULL) {
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        } else {
            for (size_t i = 0; i < w.n; i++)
                ptrs[i] = w.arena + w.off[i];
            st = zc_seg_user_new(ptrs, w.lens, w.n, out, err);
            free(ptrs);
        }
        if (st == ZC_OK && n_words != NULL)
            *n_words = w.n;
    }
    free(w.arena);
    free(w.off);
    free(w.lens);
    return st;
}
