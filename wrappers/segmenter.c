/* segmenter.c — friso behind zc_seg_ (see segmenter.h for the contract and
 * the thread-safety argument).
 *
 * Owns: the friso instance and dictionary, the word table derived from it
 * (built, or mapped from its cache file), the per-session friso task and
 * configuration copy, and the loop that walks a text word by word.
 * Must never: call friso's next_mmseg_token (it writes into the shared
 * dictionary), let a character fall out of the output, or print.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <friso/friso.h>
#include <friso/friso_ctype.h>

#include "base/error.h"
#include "wrappers/segmenter.h"
#include "wrappers/seguser.h"
#include "wrappers/segwords.h"
#include "base/utf8.h"

struct zc_seg_dict {
    friso_t friso;           /* owns friso's dictionary; NULL when mapped */
    friso_config_t config;   /* template copied into each session */
    size_t window;           /* MMSEG look-ahead bound, bytes (see cut_chunk) */
    zc_segw *table;          /* owned: the words (segwords.h), built or mapped */
    zc_seg_cache_state cache;
};

/* A session remembers how it cut recent short runs (zc_seg_cut_chars):
 * MMSEG costs dozens of dictionary look-ups per character, and policy text
 * repeats whole runs between punctuation (salutations, set phrases,
 * ministry names).  The cut of a run depends on the run alone, so a cached
 * cut is exactly the computed one.  Direct-mapped on a 64-bit hash of the
 * code points (the entry keeps the code points too: a hash collision is a
 * miss, never a wrong cut); bounded: SEG_CACHE_SLOTS entries of runs of at
 * most SEG_CACHE_MAX_CHARS characters. */
#define SEG_CACHE_SLOTS 16384u
#ifndef SEG_CACHE_MAX_CHARS /* -DSEG_CACHE_MAX_CHARS=1 turns the cache off (benchmarks) */
#define SEG_CACHE_MAX_CHARS 48u
#endif

typedef struct seg_cache_entry {
    uint64_t hash;
    uint16_t n;                       /* code points */
    uint16_t n_words;
    int32_t cps[SEG_CACHE_MAX_CHARS];
    uint8_t ends[SEG_CACHE_MAX_CHARS]; /* end of each word, in code points */
} seg_cache_entry;

/* MMSEG's three-word chunks are enumerated in a scratch array of the
 * session, sized for its longest word (max_len^3 chunks). */
typedef struct mchunk mchunk;

struct zc_seg_session {
    zc_seg_dict *dict;                /* borrowed */
    const zc_seg_user *user;          /* borrowed; NULL: none */
    size_t window;                    /* MMSEG look-ahead bound, bytes (cut_chunk) */
    mchunk *chunks;                   /* owned, max_len^3 (mmzc_segw_word) */
    size_t *keep;                     /* owned, max_len^3 */
    float *score;                     /* owned, max_len^3 */
    seg_cache_entry **cache;          /* owned, SEG_CACHE_SLOTS entries (NULL: empty) */
    uint64_t cache_hits, cache_misses;
    friso_config_entry config;        /* own copy: nothing mutable is shared */
    friso_task_t task;                /* owned */
    /* The dictionary words starting at each character of the chunk being
     * cut (see mmzc_segw_word): ents[p * max_len + k] is the entry of the
     * (k+1)-character word at byte p, or NULL; row_done[p] says whether
     * row p was looked up.  Owned, ZC_SEG_CHUNK_BYTES + 1 rows. */
    const zc_segw_word **ents;
    unsigned char *row_done;
    size_t max_len;
    char buf[ZC_SEG_CHUNK_BYTES + 1]; /* NUL-terminated copy of one chunk */
};

/* friso recognises Han by these ranges (friso_UTF8.c, utf8_cjk_string); a
 * character outside them never starts a dictionary word, and we need the
 * same answer before handing it to next_complex_cjk. */
static int friso_han(uint32_t u)
{
    return utf8_cjk_string(u) != 0;
}

/* ---- loading ---------------------------------------------------------- */

static void dict_defaults(friso_config_t cfg)
{
    /* Every character must come out, so no stopword removal; synonyms and
     * the Latin-side features only matter to next_mmseg_token, which we do
     * not use, but turning them off keeps the loaded dictionary smaller. */
    cfg->clr_stw = 0;
    cfg->add_syn = 0;
    cfg->keep_urec = 1;
    cfg->spx_out = 0;
    cfg->en_sseg = 0;
}

/* A new dictionary with the default configuration (MMSEG complex mode,
 * ZC_SEG_MAX_WORD_CHARS) and no words yet. */
static zc_status dict_new_default(zc_seg_dict **out, zc_error *err)
{
    zc_seg_dict *d = calloc(1, sizeof *d);
    if (d == NULL || (d->config = friso_new_config()) == NULL) {
        free(d);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory loading friso");
    }
    dict_defaults(d->config);
    d->config->max_len = ZC_SEG_MAX_WORD_CHARS;
    friso_set_mode(d->config, __FRISO_COMPLEX_MODE__);
    *out = d;
    return ZC_OK;
}

/* Loads friso's lexicons from lexdir (ends with '/') into d. */
static zc_status load_friso_lexdir(zc_seg_dict *d, const char *lexdir, zc_error *err)
{
    if ((d->friso = friso_new()) == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory loading friso");
    d->friso->charset = FRISO_UTF8;
    if ((d->friso->dic = friso_dic_new()) == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory loading friso");
    /* friso takes a non-const path. */
    char *dir = strdup(lexdir);
    if (dir == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory loading friso");
    /* The word length limit is in bytes: Han characters take 3 in UTF-8. */
    friso_dic_load_from_ifile(d->friso, d->config, dir, (uint_t)d->config->max_len * 3u);
    free(dir);
    return ZC_OK;
}

/* What every load ends with: the look-ahead window, and the word table
 * built from friso unless it was mapped. */
static zc_status dict_finish(zc_seg_dict *d, zc_error *err)
{
    /* next_complex_cjk reads at most 3 words of max_len characters past the
     * start, plus one character to test for a continuation; friso's Han
     * characters are 3 bytes, but count 4 to be safe. */
    d->window = ((size_t)d->config->max_len * 3u + 2u) * 4u;
    if (d->table != NULL)
        return ZC_OK;
    if (friso_spec_dic_size(d->friso->dic, __LEX_CJK_WORDS__) == 0)
        return zc_error_set(err, ZC_ECORRUPT, NULL, "friso loaded no CJK word");
    return zc_segw_build(d->friso, (uint32_t)d->config->max_len, &d->table, err);
}

zc_status zc_seg_dict_load(const char *ini_path, zc_seg_dict **out, zc_error *err)
{
    if (ini_path == NULL)
        return zc_seg_dict_open(NULL, NULL, out, err);
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_seg_dict_load: out is NULL");
    *out = NULL;
    if (access(ini_path, R_OK) != 0)
        return zc_error_set(err, ZC_ENOTFOUND, NULL, "friso ini file %s not readable",
                            ini_path);

    zc_seg_dict *d = calloc(1, sizeof *d);
    if (d == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory loading friso");
    d->friso = friso_new();
    d->config = friso_new_config();
    /* friso takes a non-const path. */
    char *path = strdup(ini_path);
    if (path == NULL || d->friso == NULL || d->config == NULL) {
        free(path);
        zc_seg_dict_free(d);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory loading friso");
    }
    int ok = friso_init_from_ifile(d->friso, d->config, path);
    free(path);
    zc_status st = ZC_OK;
    if (!ok || d->friso->dic == NULL)
        st = zc_error_set(err, ZC_ECORRUPT, NULL,
                          "friso ini %s names no usable friso.lex_dir", ini_path);
    else if (d->friso->charset != FRISO_UTF8)
        st = zc_error_set(err, ZC_EINVAL, NULL,
                          "friso ini %s: only friso.charset = 0 (UTF-8) is supported",
                          ini_path);
    if (st == ZC_OK) {
        dict_defaults(d->config);
        if (d->config->mode != __FRISO_SIMPLE_MODE__)
            friso_set_mode(d->config, __FRISO_COMPLEX_MODE__);
        if (d->config->max_len < 1)
            d->config->max_len = 1;
        st = dict_finish(d, err);
    }
    if (st != ZC_OK) {
        zc_seg_dict_free(d);
        return st;
    }
    d->cache = ZC_SEG_CACHE_OFF;
    *out = d;
    return ZC_OK;
}

zc_status zc_seg_dict_open(const char *lex_dir, const char *cache_dir, zc_seg_dict **out,
                           zc_error *err)
{
    if (out == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_seg_dict_open: out is NULL");
    *out = NULL;
    /* friso's loader pastes file names onto the directory. */
    char lexdir[4096];
    const char *ld = lex_dir != NULL ? lex_dir : ZC_SEG_DEFAULT_LEX_DIR;
    size_t ll = strlen(ld);
    if (ll == 0 || ll + 2 > sizeof lexdir)
        return zc_error_set(err, ZC_EINVAL, NULL, "bad lexicon directory \"%s\"", ld);
    memcpy(lexdir, ld, ll + 1);
    if (lexdir[ll - 1] != '/')
        memcpy(lexdir + ll, "/", 2);
    char ini[4096 + 16];
    snprintf(ini, sizeof ini, "%sfriso.lex.ini", lexdir);
    if (access(ini, R_OK) != 0)
        return zc_error_set(err, ZC_ENOTFOUND, NULL,
                            "friso dictionary not found in %s (install friso-dict)", lexdir);

    zc_seg_dict *d = NULL;
    zc_status st = dict_new_default(&d, err);
    if (st != ZC_OK)
        return st;
#ifdef ZC_SEG_VERIFY
    cache_dir = NULL; /* verifying asks friso at every look-up: it must be loaded */
#endif
    uint64_t stamp = 0;
    d->cache = cache_dir != NULL ? ZC_SEG_CACHE_UNSAVED : ZC_SEG_CACHE_OFF;
    /* Sources that cannot be stamped cannot be checked: no cache then. */
    int stamped = cache_dir != NULL && zc_segw_stamp(lexdir, &stamp, NULL) == ZC_OK;
    /* Any failure to map (missing, stale, damaged) means: rebuild. */
    if (stamped && zc_segw_map(cache_dir, stamp, (uint32_t)d->config->max_len, &d->table,
                               NULL) == ZC_OK) {
        (void)dict_finish(d, NULL);
        d->cache = ZC_SEG_CACHE_MAPPED;
        *out = d;
        return ZC_OK;
    }
    st = load_friso_lexdir(d, lexdir, err);
    if (st == ZC_OK)
        st = dict_finish(d, err);
    if (st != ZC_OK) {
        zc_seg_dict_free(d);
        return st;
    }
    /* A cache that cannot be written (read-only, full) only costs the next
     * process the same build. */
    if (stamped && zc_segw_save(d->table, cache_dir, stamp, NULL) == ZC_OK)
        d->cache = ZC_SEG_CACHE_SAVED;
    *out = d;
    return ZC_OK;
}

zc_seg_cache_state zc_seg_dict_cache_state(const zc_seg_dict *d)
{
    return d ? d->cache : ZC_SEG_CACHE_OFF;
}

void zc_seg_dict_free(zc_seg_dict *d)
{
    if (d == NULL)
        return;
    zc_segw_free(d->table);
    if (d->friso != NULL)
        friso_free(d->friso); /* frees the dictionary too */
    if (d->config != NULL)
        friso_free_config(d->config);
    free(d);
}

size_t zc_seg_dict_size(const zc_seg_dict *d)
{
    return d ? d->table->dict_size : 0;
}

int zc_seg_is_unit(const zc_seg_dict *d, const char *s, size_t len)
{
    return d != NULL && zc_segw_is_unit(d->table, s, len);
}

/* ---- sessions --------------------------------------------------------- */

typedef struct mchunk {
    const zc_segw_word *w[3];
    unsigned nw;
    unsigned length;   /* bytes */
    float avl, var, mdf;
} mchunk;

/* (Re)sizes the session's rows and chunk scratch for words of up to
 * max_len characters, and its look-ahead window.  Returns 0, or -1 when
 * out of memory (the session keeps its old buffers then). */
static int session_size(zc_seg_session *s, size_t max_len)
{
    if (max_len == s->max_len && s->ents != NULL)
        return 0;
    size_t nc = max_len * max_len * max_len;
    const zc_segw_word **ents = malloc((ZC_SEG_CHUNK_BYTES + 1) * max_len * sizeof *ents);
    mchunk *chunks = malloc(nc * sizeof *chunks);
    size_t *keep = malloc(nc * sizeof *keep);
    float *score = malloc(nc * sizeof *score);
    if (ents == NULL || chunks == NULL || keep == NULL || score == NULL) {
        free(ents);
        free(chunks);
        free(keep);
        free(score);
        return -1;
    }
    free(s->ents);
    free(s->chunks);
    free(s->keep);
    free(s->score);
    s->ents = ents;
    s->chunks = chunks;
    s->keep = keep;
    s->score = score;
    s->max_len = max_len;
    /* next_complex_cjk reads at most 3 words of max_len characters past the
     * start, plus one character to test for a continuation (as
     * dict_finish's window, for the session's own longest word). */
    size_t w = (max_len * 3u + 2u) * 4u;
    s->window = w > s->dict->window ? w : s->dict->window;
    return 0;
}

zc_status zc_seg_session_new(zc_seg_dict *d, zc_seg_session **out, zc_error *err)
{
    if (out == NULL || d == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_seg_session_new: NULL argument");
    *out = NULL;
    zc_seg_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory for a segmenter session");
    s->dict = d;
    s->config = *d->config;
    s->task = friso_new_task();
    s->row_done = calloc(ZC_SEG_CHUNK_BYTES + 1, 1);
    if (s->task == NULL || s->row_done == NULL ||
        session_size(s, d->config->max_len > 0 ? (size_t)d->config->max_len : 1) != 0) {
        zc_seg_session_free(s);
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory for a segmenter session");
    }
    *out = s;
    return ZC_OK;
}

void zc_seg_session_free(zc_seg_session *s)
{
    if (s == NULL)
        return;
    if (s->cache != NULL) {
        for (size_t i = 0; i < SEG_CACHE_SLOTS; i++)
            free(s->cache[i]);
        free(s->cache);
    }
    if (s->task != NULL)
        friso_free_task(s->task);
    free(s->ents);
    free(s->chunks);
    free(s->keep);
    free(s->score);
    free(s->row_done);
    free(s);
}

zc_status zc_seg_session_set_user(zc_seg_session *s, const zc_seg_user *u, zc_error *err)
{
    if (s == NULL)
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_seg_session_set_user: no session");
    size_t base = s->dict->config->max_len > 0 ? (size_t)s->dict->config->max_len : 1;
    size_t longest = zc_seg_user_max_chars(u);
    size_t want = longest > base ? longest : base;
    if (session_size(s, want) != 0)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory for a segmenter session");
    s->user = u;
    /* A cached cut was made with the old words. */
    if (s->cache != NULL)
        for (size_t i = 0; i < SEG_CACHE_SLOTS; i++) {
            free(s->cache[i]);
            s->cache[i] = NULL;
        }
    return ZC_OK;
}

static size_t mmzc_segw_word(zc_seg_session *s, size_t p, size_t clen);
static int user_starts(const zc_seg_session *s, const char *b, size_t n);

/* Length of the word starting at s->buf[p] (a character of n bytes, code
 * point u), as MMSEG chooses it; n when friso has nothing longer. */
static size_t next_word(zc_seg_session *s, size_t p, size_t n, uint32_t u, size_t clen)
{
    friso_t friso = s->dict->friso;
    friso_task_t task = s->task;

    if (n > 4 || !friso_han(u))
        return n;
    memcpy(task->buffer, s->buf + p, n);
    task->buffer[n] = '\0';
    /* A Han character friso does not know is a word by itself (this is what
     * next_mmseg_token does too, and next_complex_cjk needs the first
     * character in the dictionary). */
    if (zc_segw_get(s->dict->table, task->buffer, n, NULL) == NULL) {
#ifdef ZC_SEG_VERIFY
        if (friso_dic_match(friso->dic, __LEX_CJK_WORDS__, task->buffer))
            abort();
#endif
        if (!user_starts(s, task->buffer, n))
            return n;
    }
    /* A mapped dictionary (no friso) always has the default configuration,
     * which this path covers; user words are known to this path only (it
     * is MMSEG's complex mode, whatever an ini file chose). */
    if (s->user != NULL
#ifndef ZC_SEG_VERIFY
        || friso == NULL ||
        (s->config.next_cjk == next_complex_cjk && s->config.max_len <= ZC_SEG_MAX_WORD_CHARS)
#endif
    ) {
        size_t ml = mmzc_segw_word(s, p, clen);
        return ml >= n && ml <= clen - p ? ml : n;
    }

    /* next_complex_cjk expects the state readNextWord leaves: the current
     * character in task->buffer, its size in task->bytes, its code point in
     * task->unicode and task->idx just past it. */
    task->idx = (uint_t)(p + n);
    task->bytes = (uint_t)n;
    task->unicode = u;
    lex_entry_t lex = s->config.next_cjk(friso, &s->config, task);
    if (lex == NULL)
        return n; /* a stopword with clr_stw on: never with our config */

    /* Trust nothing: the word must be the text at p, whole characters. */
    size_t wl = lex->length;
    if (wl < n || wl > clen - p || memcmp(lex->word, s->buf + p, wl) != 0)
        return n;
    if (p + wl < clen && (((unsigned char)s->buf[p + wl]) & 0xC0) == 0x80)
        return n;
#ifdef ZC_SEG_VERIFY
    if (s->config.next_cjk == next_complex_cjk && s->config.max_len <= ZC_SEG_MAX_WORD_CHARS &&
        mmzc_segw_word(s, p, clen) != wl)
        abort();
#endif
    return wl;
}

/* ---- MMSEG on looked-up rows ------------------------------------------ *
 *
 * friso's next_complex_cjk looks the same prefixes up again and again: for
 * every position it builds all chunks of up to three words, each level
 * re-reading and re-hashing the words that start max_len characters ahead,
 * and it mallocs every chunk and list; on policy text that was a third of
 * indexing time.  mmzc_segw_word makes the same choice from rows of dictionary
 * look-ups (friso's dictionary, friso_dic_get) done once per character of
 * the chunk: the same chunks in the same order, the same four rules with
 * the same float arithmetic, the first chunk left wins, as in friso 1.6's
 * mmseg_core_invoke.  ZC_SEG_VERIFY builds also ask friso and abort on any
 * difference (bench: compared on the real and generated corpora). */

/* The longest word a row holds, in bytes (max_len is at most
 * ZC_SEG_MAX_WORD_CHARS where rows are used, ZC_SEG_USER_MAX_CHARS with
 * user words). */
#define ZC_SEG_ROW_MAX_CHARS \
    (ZC_SEG_USER_MAX_CHARS > ZC_SEG_MAX_WORD_CHARS ? ZC_SEG_USER_MAX_CHARS : ZC_SEG_MAX_WORD_CHARS)
#define ZC_SEG_MAX_WORD_BYTES (ZC_SEG_ROW_MAX_CHARS * 4)

/* Row p: the words of 1..max_len Han characters starting at byte p of the
 * chunk (get_next_match: stops at the chunk's end or a non-Han character). */
static const zc_segw_word *const *row(zc_seg_session *s, size_t p, size_t clen)
{
    const zc_segw_word **ents = s->ents + p * s->max_len;
    if (s->row_done[p])
        return ents;
    s->row_done[p] = 1;
    const unsigned char *b = (const unsigned char *)s->buf;
    char word[ZC_SEG_MAX_WORD_BYTES + 1];
    size_t wl = 0, q = p;
    for (size_t k = 0; k < s->max_len; k++) {
        ents[k] = NULL;
        uint32_t u = 0;
        size_t n = q < clen ? zc_utf8_decode(b, clen, q, &u) : 0;
        if (n == 0 || n > 4 || !friso_han(u) || wl + n > ZC_SEG_MAX_WORD_BYTES) {
            for (k++; k < s->max_len; k++)
                ents[k] = NULL;
            break;
        }
        memcpy(word + wl, b + q, n);
        wl += n;
        word[wl] = '\0';
        q += n;
        int more = 1;
        const zc_segw_word *e = zc_segw_get(s->dict->table, word, wl, &more);
#ifdef ZC_SEG_VERIFY
        lex_entry_t fe = friso_dic_get(s->dict->friso->dic, __LEX_CJK_WORDS__, word);
        if ((e == NULL) != (fe == NULL) ||
            (e != NULL && (e->len != fe->length || e->fre != fe->fre ||
                           memcmp(zc_segw_bytes(s->dict->table, e), fe->word, e->len) != 0)))
            abort();
        more = 1; /* look every length up, so friso's answer is checked too */
#endif
        /* A user word counts where the dictionary has none; a longer word
         * of either keeps the row going. */
        if (s->user != NULL) {
            int umore = 0;
            const zc_segw_word *ue =
                zc_segw_get(zc_seg_user_table(s->user), word, wl, &umore);
            if (e == NULL)
                e = ue;
            more |= umore;
        }
        /* Trust nothing: an entry must spell the text it was found by. */
        ents[k] = e != NULL && e->len == wl ? e : NULL;
        if (!more) { /* no longer word starts here: friso would find none */
            for (k++; k < s->max_len; k++)
                ents[k] = NULL;
            break;
        }
    }
    return ents;
}

/* 1 when the character of n bytes at b starts a user word (is one, or
 * begins a longer one). */
static int user_starts(const zc_seg_session *s, const char *b, size_t n)
{
    int more = 0;
    return s->user != NULL &&
           (zc_segw_get(zc_seg_user_table(s->user), b, n, &more) != NULL || more);
}

/* 1 when the character at byte q starts a second or third MMSEG word: there
 * is one, it is Han, and it is in the dictionary (or starts a user word). */
static int starts_word(zc_seg_session *s, size_t q, size_t clen)
{
    uint32_t u = 0;
    size_t n = q < clen ? zc_utf8_decode((const unsigned char *)s->buf, clen, q, &u) : 0;
    if (n == 0 || n > 4 || !friso_han(u))
        return 0;
    return row(s, q, clen)[0] != NULL || user_starts(s, s->buf + q, n);
}

/* Keeps, in order, the entries keep[0..nk) whose score k[i] ties for the
 * largest; returns how many are kept (>= 1 when nk >= 1). */
static size_t keep_largest(const float *k, size_t *keep, size_t nk)
{
    float max = k[0];
    for (size_t i = 1; i < nk; i++)
        if (k[i] > max)
            max = k[i];
    size_t m = 0;
    for (size_t i = 0; i < nk; i++)
        if (k[i] >= max)
            keep[m++] = keep[i]; /* m <= i: k[i] still names entry i */
    return m;
}

/* The MMSEG word at byte p (a Han character in the dictionary): its length
 * in bytes.  Mirrors next_complex_cjk + mmseg_core_invoke. */
static size_t mmzc_segw_word(zc_seg_session *s, size_t p, size_t clen)
{
    const zc_segw_word *const *f = row(s, p, clen);
    size_t nf = 0, only = 0;
    for (size_t k = 0; k < s->max_len; k++)
        if (f[k] != NULL) {
            nf++;
            only = k;
        }
    /* No word at all: the character only begins a user word that the
     * text does not complete (the caller takes the character alone). */
    if (nf == 0)
        return 0;
    if (nf == 1)
        return f[only]->len;

    /* At most max_len^3 chunks: the session's scratch is sized for that. */
    mchunk *c = s->chunks;
    size_t nc = 0;
    for (size_t x = 0; x < s->max_len; x++) {
        const zc_segw_word *fe = f[x];
        if (fe == NULL)
            continue;
        size_t q = p + fe->len;
        if (!starts_word(s, q, clen)) {
            c[nc++] = (mchunk){{fe, NULL, NULL}, 1, fe->len, 0, 0, 0};
            continue;
        }
        const zc_segw_word *const *sm = row(s, q, clen);
        for (size_t y = 0; y < s->max_len; y++) {
            const zc_segw_word *se = sm[y];
            if (se == NULL)
                continue;
            size_t r = q + se->len;
            if (!starts_word(s, r, clen)) {
                c[nc++] = (mchunk){{fe, se, NULL}, 2, (unsigned)fe->len + se->len, 0, 0, 0};
                continue;
            }
            const zc_segw_word *const *tm = row(s, r, clen);
            for (size_t z = 0; z < s->max_len; z++) {
                const zc_segw_word *te = tm[z];
                if (te != NULL)
                    c[nc++] = (mchunk){{fe, se, te}, 3,
                                       (unsigned)fe->len + se->len + te->len, 0, 0, 0};
            }
        }
    }
    if (nc == 1)
        return c[0].w[0]->len;

    /* The four rules, each keeping the chunks that tie for the best value,
     * in order; friso computes in float, and so must we to tie alike. */
    size_t *keep = s->keep, nk = nc;
    float *k = s->score;
    for (size_t i = 0; i < nc; i++)
        keep[i] = i;
    /* 1. the most bytes */
    for (size_t i = 0; i < nk; i++)
        k[i] = (float)c[keep[i]].length;
    if ((nk = keep_largest(k, keep, nk)) == 1)
        return c[keep[0]].w[0]->len;
    /* 2. the largest average word length */
    for (size_t i = 0; i < nk; i++) {
        mchunk *e = &c[keep[i]];
        e->avl = ((float)e->length) / e->nw;
        k[i] = e->avl;
    }
    if ((nk = keep_largest(k, keep, nk)) == 1)
        return c[keep[0]].w[0]->len;
    /* 3. the smallest variance of word lengths (the largest negated: exact) */
    for (size_t i = 0; i < nk; i++) {
        mchunk *e = &c[keep[i]];
        float var = 0, tmp = 0;
        for (unsigned t = 0; t < e->nw; t++) {
            tmp = e->w[t]->len - e->avl;
            var += tmp * tmp;
        }
        e->var = var / e->nw;
        k[i] = -e->var;
    }
    if ((nk = keep_largest(k, keep, nk)) == 1)
        return c[keep[0]].w[0]->len;
    /* 4. the largest sum of log frequencies of one-character words */
    for (size_t i = 0; i < nk; i++) {
        mchunk *e = &c[keep[i]];
        float mdf = 0;
        for (unsigned t = 0; t < e->nw; t++)
            if (e->w[t]->len == 3 || e->w[t]->len == 2)
                mdf += (float)log((float)e->w[t]->fre);
        e->mdf = mdf;
        k[i] = mdf;
    }
    keep_largest(k, keep, nk);
    return c[keep[0]].w[0]->len;
}

/* Where the words of a chunk go: byte offsets into the caller's text
 * (zc_seg_cut) or code point indexes (zc_seg_cut_chars). */
typedef struct emitter {
    zc_seg_fn fn;
    void *ctx;
    int chars;        /* 1: report code point indexes */
    size_t base;      /* the chunk's offset in the caller's units */
    size_t units;     /* code points of the chunk reported so far (chars mode) */
} emitter;

static int emit(const zc_seg_session *s, emitter *e, size_t bs, size_t be)
{
    if (!e->chars)
        return e->fn(e->ctx, e->base + bs, e->base + be);
    /* Words tile the chunk in order, so a running count of lead bytes turns
     * byte spans into code point spans. */
    size_t start = e->units;
    for (size_t i = bs; i < be; i++)
        if ((((unsigned char)s->buf[i]) & 0xC0) != 0x80)
            e->units++;
    return e->fn(e->ctx, e->base + start, e->base + e->units);
}

/* Segments the chunk in s->buf[0, clen).  Unless it is the final chunk,
 * stops before a word that starts within the look-ahead window of the
 * chunk's end, so that word is decided again with its full context in the
 * next chunk: MMSEG's choice at a position depends only on the next
 * s->dict->window bytes, so chunking does not change the result.  *done is
 * set to the bytes of the chunk consumed.  Returns 1 when fn asked to stop. */
static int cut_chunk(zc_seg_session *s, size_t clen, int final, size_t *done, emitter *e)
{
    const unsigned char *b = (const unsigned char *)s->buf;
    size_t p = 0;

    s->buf[clen] = '\0';
    memset(s->row_done, 0, clen + 1);
    friso_set_text(s->task, s->buf);
    /* friso measured the text with strlen; a NUL byte in the input must not
     * end it early (NUL is not Han: it becomes a one-byte word). */
    s->task->length = (uint_t)clen;

    while (p < clen) {
        if (!final && clen - p < s->window)
            break;
        uint32_t u = 0;
        size_t n = zc_utf8_decode(b, clen, p, &u); /* validated by the caller */
        if (n == 0)
            n = 1;
        size_t wl = next_word(s, p, n, u, clen);
        if (emit(s, e, p, p + wl) != 0) {
            *done = p + wl;
            return 1;
        }
        p += wl;
    }
    *done = p;
    return 0;
}

zc_status zc_seg_cut(zc_seg_session *s, const char *text, size_t len, zc_seg_fn fn,
                     void *ctx, zc_error *err)
{
    if (s == NULL || fn == NULL || (text == NULL && len > 0))
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_seg_cut: NULL argument");
    const unsigned char *t = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        uint32_t u;
        size_t n = zc_utf8_decode(t, len, i, &u);
        if (n == 0)
            return zc_error_set(err, ZC_EINVAL, NULL,
                                "segmenter input is not valid UTF-8 at byte %zu", i);
        i += n;
    }

    emitter e = {fn, ctx, 0, 0, 0};
    while (e.base < len) {
        size_t clen = len - e.base;
        int final = 1;
        if (clen > ZC_SEG_CHUNK_BYTES) {
            clen = ZC_SEG_CHUNK_BYTES;
            while (clen > 0 && (t[e.base + clen] & 0xC0) == 0x80)
                clen--; /* end the chunk on a character boundary */
            final = 0;
        }
        memcpy(s->buf, text + e.base, clen);
        size_t done = 0;
        if (cut_chunk(s, clen, final, &done, &e))
            return ZC_OK;
        e.base += done;
    }
    return ZC_OK;
}

static uint64_t cps_hash(const int32_t *cps, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint32_t)cps[i];
        h *= 1099511628211ull;
    }
    return h ^ n;
}

/* Records the words of a run being cut for the cache, and passes them on. */
typedef struct recorder {
    seg_cache_entry *e;
    zc_seg_fn fn;
    void *ctx;
    int stopped;
} recorder;

static int record_word(void *ctx, size_t start, size_t end)
{
    recorder *r = ctx;
    (void)start;
    r->e->ends[r->e->n_words++] = (uint8_t)end;
    if (r->fn(r->ctx, start, end) != 0) {
        r->stopped = 1;
        return 1;
    }
    return 0;
}

static zc_status cut_chars(zc_seg_session *s, const int32_t *cps, size_t n, zc_seg_fn fn,
                           void *ctx);

/* zc_seg_cut_chars for a run short enough to cache: replays a cached cut,
 * or cuts it and caches the cut.  Returns 1 when it handled the run. */
static int cut_cached(zc_seg_session *s, const int32_t *cps, size_t n, zc_seg_fn fn,
                      void *ctx)
{
    if (s->cache == NULL && (s->cache = calloc(SEG_CACHE_SLOTS, sizeof *s->cache)) == NULL)
        return 0; /* out of memory: cut without the cache */
    uint64_t h = cps_hash(cps, n);
    seg_cache_entry **slot = &s->cache[h & (SEG_CACHE_SLOTS - 1)];
    seg_cache_entry *e = *slot;
    if (e != NULL && e->hash == h && e->n == n && memcmp(e->cps, cps, n * sizeof *cps) == 0) {
        s->cache_hits++;
        size_t start = 0;
        for (size_t i = 0; i < e->n_words; i++) {
            if (fn(ctx, start, e->ends[i]) != 0)
                break;
            start = e->ends[i];
        }
        return 1;
    }
    s->cache_misses++;
    if (e == NULL && (e = malloc(sizeof *e)) == NULL)
        return 0;
    *slot = NULL; /* filled again only once complete */
    e->hash = h;
    e->n = (uint16_t)n;
    e->n_words = 0;
    memcpy(e->cps, cps, n * sizeof *cps);
    recorder r = {e, fn, ctx, 0};
    (void)cut_chars(s, cps, n, record_word, &r);
    /* A cut the callback stopped early is incomplete: not cached. */
    if (r.stopped || e->n_words == 0 || e->ends[e->n_words - 1] != n)
        free(e);
    else
        *slot = e;
    return 1;
}

zc_status zc_seg_cut_chars(zc_seg_session *s, const int32_t *cps, size_t n, zc_seg_fn fn,
                           void *ctx, zc_error *err)
{
    if (s == NULL || fn == NULL || (cps == NULL && n > 0))
        return zc_error_set(err, ZC_EINVAL, NULL, "zc_seg_cut_chars: NULL argument");
    for (size_t i = 0; i < n; i++)
        if (cps[i] < 0 || cps[i] > 0x10FFFF || (cps[i] >= 0xD800 && cps[i] <= 0xDFFF))
            return zc_error_set(err, ZC_EINVAL, NULL,
                                "code point %ld at %zu is not a Unicode scalar value",
                                (long)cps[i], i);
    if (n >= 2 && n <= SEG_CACHE_MAX_CHARS && cut_cached(s, cps, n, fn, ctx))
        return ZC_OK;
    return cut_chars(s, cps, n, fn, ctx);
}

/* zc_seg_cut_chars on validated code points, without the cache. */
static zc_status cut_chars(zc_seg_session *s, const int32_t *cps, size_t n, zc_seg_fn fn,
                           void *ctx)
{
    /* A chunk of at most ZC_SEG_CHUNK_BYTES / 4 code points always fits the
     * buffer once encoded. */
    const size_t max_chars = ZC_SEG_CHUNK_BYTES / 4;
    emitter e = {fn, ctx, 1, 0, 0};
    while (e.base < n) {
        size_t k = n - e.base, clen = 0;
        int final = 1;
        if (k > max_chars) {
            k = max_chars;
            final = 0;
        }
        for (size_t i = 0; i < k; i++)
            clen += zc_utf8_encode((uint32_t)cps[e.base + i], s->buf + clen);
        e.units = 0;
        size_t done = 0;
        if (cut_chunk(s, clen, final, &done, &e))
            return ZC_OK;
        e.base += e.units;
    }
    return ZC_OK;
}
