/* spell.c — the spelling words of one document (spell.h). */
#include "lib/spell.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "lib/schema.h"

void zc_spell_clear(zc_spell_set *s)
{
    if (s == NULL)
        return;
    free(s->words.p);
    free(s->off);
    memset(s, 0, sizeof *s);
}

static int spell_word(const char *t, size_t len)
{
    if (len < ZC_SPELL_MIN_CHARS || len > ZC_SPELL_MAX_CHARS)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (t[i] < 'a' || t[i] > 'z')
            return 0;
    return 1;
}

zc_status zc_spell_add(zc_spell_set *s, const char *t, size_t len, zc_error *err)
{
    if (!spell_word(t, len))
        return ZC_OK;
    if (s->n == s->cap_off) {
        size_t nc = s->cap_off ? s->cap_off * 2 : 256;
        size_t *no = realloc(s->off, nc * sizeof *no);
        if (no == NULL)
            return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        s->off = no;
        s->cap_off = nc;
    }
    size_t start = s->words.len;
    zc_strbuf_put(&s->words, t, len);
    zc_strbuf_put(&s->words, "", 1); /* the word's NUL, kept: the next starts after it */
    if (s->words.oom)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    s->off[s->n++] = start;
    return ZC_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

zc_status zc_spell_flush(const zc_spell_set *s, zc_xap_db *db, zc_error *err)
{
    if (s->n == 0)
        return ZC_OK;
    const char **v = malloc(s->n * sizeof *v);
    if (v == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < s->n; i++)
        v[i] = s->words.p + s->off[i];
    qsort(v, s->n, sizeof *v, cmp_str);
    zc_status st = ZC_OK;
    for (size_t i = 0; i < s->n && st == ZC_OK;) {
        size_t j = i + 1;
        while (j < s->n && strcmp(v[j], v[i]) == 0)
            j++;
        st = zc_xap_db_add_spelling(db, v[i], strlen(v[i]), (unsigned)(j - i), err);
        i = j;
    }
    free(v);
    return st;
}
