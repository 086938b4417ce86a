/* seguser.c — user words for the segmenter (seguser.h).
 *
 * Owns: building the table from the words, and its reference count.
 */
#include <stdlib.h>

#include <friso/friso.h>
#include <friso/friso_ctype.h>

#include "base/error.h"
#include "base/utf8.h"
#include "wrappers/seguser.h"

struct zc_seg_user {
    size_t refs;    /* holders (zc_seg_user_ref), atomic */
    zc_segw *table; /* owned */
    size_t n_words;
    size_t max_chars; /* the longest word, in characters */
};

zc_status zc_seg_user_new(const char *const *words, const size_t *lens, size_t n, zc_seg_user **out,
                          zc_error *err)
{
    *out = NULL;
    size_t max_chars = 0;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *b = (const unsigned char *)words[i];
        size_t chars = 0, p = 0, k;
        uint32_t u = 0;
        /* Han as friso counts it: the segmenter's rows stop elsewhere */
        while (p < lens[i] && (k = zc_utf8_decode(b, lens[i], p, &u)) > 0 &&
               utf8_cjk_string(u) != 0) {
            p += k;
            chars++;
        }
        if (p != lens[i] || chars < 2 || chars > ZC_SEG_USER_MAX_CHARS)
            return zc_error_set(err, ZC_EINVAL, NULL, "user word %zu is not 2-%d Han characters",
                                i + 1, ZC_SEG_USER_MAX_CHARS);
        if (chars > max_chars)
            max_chars = chars;
    }
    zc_seg_user *u = calloc(1, sizeof *u);
    if (u == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    zc_status st = zc_segw_build_list(words, lens, n, (uint32_t)max_chars, &u->table, err);
    if (st != ZC_OK) {
        free(u);
        return st;
    }
    u->refs = 1;
    u->n_words = n;
    u->max_chars = max_chars;
    *out = u;
    return ZC_OK;
}

zc_seg_user *zc_seg_user_ref(zc_seg_user *u)
{
    if (u != NULL)
        __atomic_add_fetch(&u->refs, 1, __ATOMIC_RELAXED);
    return u;
}

void zc_seg_user_free(zc_seg_user *u)
{
    if (u == NULL || __atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    zc_segw_free(u->table);
    free(u);
}

size_t zc_seg_user_size(const zc_seg_user *u)
{
    return u ? u->n_words : 0;
}

const zc_segw *zc_seg_user_table(const zc_seg_user *u)
{
    return u->table;
}

size_t zc_seg_user_max_chars(const zc_seg_user *u)
{
    return u ? u->max_chars : 0;
}
