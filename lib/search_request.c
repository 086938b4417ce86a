/* search_request.c — see search_request.h. */
#include "lib/search_request.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/authority.h"
#include "lib/docmodel.h"
#include "base/error.h"
#include "lib/norm.h"
#include "lib/schema.h"

/* Entries of the "facets" array: there are seven facets; a few repeats are
 * harmless, a million are a way to make the server parse. */
#define SEARCH_FACETS_MAX 16u

const zc_search_facet zc_search_facets[ZC_SEARCH_N_FACETS] = {
    {ZC_FACET_ISSUER, ZC_SLOT_ISSUER, "issuer", ZC_PART_WHOLE},
    {ZC_FACET_YEAR, ZC_SLOT_YEAR, "year", ZC_PART_WHOLE},
    {ZC_FACET_LANG, ZC_SLOT_LANG, "lang", ZC_PART_WHOLE},
    {ZC_FACET_LEVEL, ZC_SLOT_LEVEL, "level", ZC_PART_LEVEL},
    {ZC_FACET_TIER, ZC_SLOT_LEVEL, "tier", ZC_PART_TIER},
    {ZC_FACET_ISSUED_BY, ZC_SLOT_LISTS, "issued_by", ZC_PART_BODY},
    {ZC_FACET_TAGS, ZC_SLOT_LISTS, "tags", ZC_PART_TAG},
};

#define SEARCH_FACET_NAMES "\"issuer\", \"year\", \"lang\", \"level\", \"tier\", " \
                           "\"issued_by\", \"tags\""

ZC_API void zc_search_opts_init(zc_search_opts *opts)
{
    if (opts == NULL)
        return;
    memset(opts, 0, sizeof *opts);
    opts->limit = 10;
    opts->offset = 0;
    opts->sort = ZC_SORT_RELEVANCE;
    opts->facet_limit = ZC_FACET_LIMIT_DEFAULT;
    opts->snippet = 1;
    opts->time_limit_s = 0;
    opts->exact_count = -1;
}

struct zc_search_request {
    zc_search_opts opts;
    json_t *root;           /* owned; option strings point into it */
    char *text;             /* owned copy of a plain-text query */
    const char **issuers;   /* owned array; strings borrowed from root */
    const char **levels, **tiers, **issued_by, **tags; /* the same */
};

ZC_API zc_search_opts *zc_search_request_opts(zc_search_request *req)
{
    return req ? &req->opts : NULL;
}

ZC_API void zc_search_request_free(zc_search_request *req)
{
    if (req == NULL)
        return;
    json_decref(req->root);
    free(req->text);
    free(req->issuers);
    free(req->levels);
    free(req->tiers);
    free(req->issued_by);
    free(req->tags);
    free(req);
}

const char *zc_search_lang_canon(const char *s, size_t len)
{
    /* By hand rather than strncasecmp: ASCII only, whatever the locale. */
    if (len != 2)
        return NULL;
    char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20);
    if (a == 'z' && b == 'h')
        return "zh";
    if (a == 'e' && b == 'n')
        return "en";
    return NULL;
}

zc_status zc_search_date_order(const char *from, const char *to, zc_error *err)
{
    zc_date d;
    char lo[9], hi[9];
    if (from == NULL || to == NULL)
        return ZC_OK;
    if (zc_date_parse(from, strlen(from), &d, NULL) != ZC_OK)
        return ZC_OK;
    zc_date_key(&d, 0, lo);
    if (zc_date_parse(to, strlen(to), &d, NULL) != ZC_OK)
        return ZC_OK;
    zc_date_key(&d, 1, hi);
    /* An empty range is a mistake in the request (dates swapped, a typo in
     * a year), not a question whose answer is "nothing": say so. */
    if (memcmp(lo, hi, 8) > 0)
        return zc_error_set(err, ZC_EINVAL, "from",
                            "options \"from\" (%s) and \"to\" (%s): \"from\" is after "
                            "\"to\" (a partial \"from\" means its first day, a partial "
                            "\"to\" its last)", from, to);
    return ZC_OK;
}

zc_status zc_search_check_levels(const zc_search_opts *o, zc_error *err)
{
    zc_level l;
    zc_tier t;
    for (size_t i = 0; o->levels != NULL && i < o->n_levels; i++)
        if (o->levels[i] == NULL ||
            !zc_authority_level_from_name(o->levels[i], strlen(o->levels[i]), &l))
            return zc_error_set(err, ZC_EINVAL, "level",
                                "option \"level\": unknown level (use \"law\", "
                                "\"admin_reg\", \"dept_rule\", \"local_reg\", "
                                "\"local_rule\", \"normative\", \"exec_order\")");
    for (size_t i = 0; o->tiers != NULL && i < o->n_tiers; i++)
        if (o->tiers[i] == NULL ||
            !zc_authority_tier_from_name(o->tiers[i], strlen(o->tiers[i]), &t))
            return zc_error_set(err, ZC_EINVAL, "tier",
                                "option \"tier\": unknown tier (use \"central\", "
                                "\"provincial\", \"municipal\", \"county\", "
                                "\"federal\")");
    return ZC_OK;
}

/* ---- one reader per option ----------------------------------------------
 * Each reads a present, non-null JSON value into req->opts, or fails
 * ZC_EINVAL naming its option. */

/* An integer option in [0, max] into *out, left alone on failure (a JSON
 * integer, or a real with no fraction, as some clients send). */
static zc_status opt_u32(json_t *v, const char *name, uint32_t max, uint32_t *out,
                         zc_error *err)
{
    double d;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || (uint64_t)i > max)
            goto range;
        *out = (uint32_t)i;
        return ZC_OK;
    }
    if (json_is_real(v)) {
        d = json_real_value(v);
        if (d != floor(d) || d < 0 || d > (double)max)
            goto range;
        *out = (uint32_t)d;
        return ZC_OK;
    }
    return zc_error_set(err, ZC_EINVAL, name, "option \"%s\" must be an integer", name);
range:
    return zc_error_set(err, ZC_EINVAL, name, "option \"%s\" must be an integer from 0 to %lu",
                        name, (unsigned long)max);
}

static zc_status opt_date(json_t *v, const char *name, const char **out, zc_error *err)
{
    if (!json_is_string(v))
        return zc_error_set(err, ZC_EINVAL, name,
                            "option \"%s\" must be a date string (YYYY, YYYY-MM or "
                            "YYYY-MM-DD)", name);
    zc_date d;
    zc_error e2;
    if (zc_date_parse(json_string_value(v), json_string_length(v), &d, &e2) != ZC_OK)
        return zc_error_set(err, ZC_EINVAL, name,
                            "option \"%s\" is not a real date (YYYY, YYYY-MM or "
                            "YYYY-MM-DD)", name);
    *out = json_string_value(v);
    return ZC_OK;
}

static zc_status opt_limit(zc_search_request *req, json_t *v, zc_error *err)
{
    return opt_u32(v, "limit", ZC_SEARCH_LIMIT_MAX, &req->opts.limit, err);
}

static zc_status opt_offset(zc_search_request *req, json_t *v, zc_error *err)
{
    return opt_u32(v, "offset", UINT32_MAX, &req->opts.offset, err);
}

static zc_status opt_lang(zc_search_request *req, json_t *v, zc_error *err)
{
    const char *s = json_string_value(v);
    const char *lang = s ? zc_search_lang_canon(s, json_string_length(v)) : NULL;
    if (lang == NULL)
        return zc_error_set(err, ZC_EINVAL, "lang", "option \"lang\" must be \"zh\" or \"en\"");
    req->opts.lang = lang;
    return ZC_OK;
}

/* A string or an array of strings (at most ZC_SEARCH_ISSUERS_MAX), into
 * *arr (new, owned by the request; the strings borrowed from its JSON) and
 * *n.  An empty array asks for nothing in particular: *n 0, no filter. */
static zc_status opt_strings(json_t *v, const char *name, const char *noun,
                             const char ***arr, size_t *n_out, zc_error *err)
{
    size_t n = json_is_array(v) ? json_array_size(v) : 1;
    if (!json_is_array(v) && !json_is_string(v))
        return zc_error_set(err, ZC_EINVAL, name,
                            "option \"%s\" must be a string or an array of strings", name);
    if (n > ZC_SEARCH_ISSUERS_MAX)
        return zc_error_set(err, ZC_EINVAL, name, "option \"%s\": %zu %s, over the limit "
                            "of %u", name, n, noun, ZC_SEARCH_ISSUERS_MAX);
    *arr = calloc(n ? n : 1, sizeof **arr);
    if (*arr == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        if (!json_is_string(e))
            return zc_error_set(err, ZC_EINVAL, name,
                                "option \"%s\" must be a string or an array of strings",
                                name);
        (*arr)[i] = json_string_value(e);
    }
    *n_out = n;
    return ZC_OK;
}

static zc_status opt_issuer(zc_search_request *req, json_t *v, zc_error *err)
{
    size_t n = 0;
    zc_status st = opt_strings(v, "issuer", "issuers", &req->issuers, &n, err);
    if (st != ZC_OK)
        return st;
    req->opts.issuers = n ? req->issuers : NULL;
    req->opts.n_issuers = n;
    return ZC_OK;
}

static zc_status opt_level(zc_search_request *req, json_t *v, zc_error *err)
{
    zc_status st = opt_strings(v, "level", "entries", &req->levels, &req->opts.n_levels, err);
    req->opts.levels = req->opts.n_levels ? req->levels : NULL;
    return st != ZC_OK ? st : zc_search_check_levels(&req->opts, err);
}

static zc_status opt_tier(zc_search_request *req, json_t *v, zc_error *err)
{
    zc_status st = opt_strings(v, "tier", "entries", &req->tiers, &req->opts.n_tiers, err);
    req->opts.tiers = req->opts.n_tiers ? req->tiers : NULL;
    return st != ZC_OK ? st : zc_search_check_levels(&req->opts, err);
}

static zc_status opt_issued_by(zc_search_request *req, json_t *v, zc_error *err)
{
    zc_status st =
        opt_strings(v, "issued_by", "entries", &req->issued_by, &req->opts.n_issued_by, err);
    req->opts.issued_by = req->opts.n_issued_by ? req->issued_by : NULL;
    return st;
}

static zc_status opt_tags(zc_search_request *req, json_t *v, zc_error *err)
{
    zc_status st = opt_strings(v, "tags", "entries", &req->tags, &req->opts.n_tags, err);
    req->opts.tags = req->opts.n_tags ? req->tags : NULL;
    return st;
}

static zc_status opt_prior(zc_search_request *req, json_t *v, zc_error *err)
{
    if (!json_is_boolean(v))
        return zc_error_set(err, ZC_EINVAL, "prior", "option \"prior\" must be true or false");
    req->opts.no_prior = !json_is_true(v);
    return ZC_OK;
}

static zc_status opt_from(zc_search_request *req, json_t *v, zc_error *err)
{
    return opt_date(v, "from", &req->opts.from, err);
}

static zc_status opt_to(zc_search_request *req, json_t *v, zc_error *err)
{
    return opt_date(v, "to", &req->opts.to, err);
}

static zc_status opt_sort(zc_search_request *req, json_t *v, zc_error *err)
{
    const char *s = json_string_value(v);
    if (s != NULL && strcmp(s, "relevance") == 0)
        req->opts.sort = ZC_SORT_RELEVANCE;
    else if (s != NULL && strcmp(s, "date") == 0)
        req->opts.sort = ZC_SORT_DATE_DESC;
    else if (s != NULL && strcmp(s, "date_asc") == 0)
        req->opts.sort = ZC_SORT_DATE_ASC;
    else
        return zc_error_set(err, ZC_EINVAL, "sort",
                            "option \"sort\" must be \"relevance\", \"date\" or \"date_asc\"");
    return ZC_OK;
}

static zc_status opt_facets(zc_search_request *req, json_t *v, zc_error *err)
{
    if (!json_is_array(v))
        return zc_error_set(err, ZC_EINVAL, "facets",
                            "option \"facets\" must be an array of " SEARCH_FACET_NAMES);
    if (json_array_size(v) > SEARCH_FACETS_MAX)
        return zc_error_set(err, ZC_EINVAL, "facets",
                            "option \"facets\": %zu entries, over the limit of %u",
                            json_array_size(v), SEARCH_FACETS_MAX);
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *s = json_string_value(json_array_get(v, i));
        unsigned bit = 0;
        for (size_t k = 0; s != NULL && k < ZC_SEARCH_N_FACETS; k++)
            if (strcmp(s, zc_search_facets[k].name) == 0)
                bit = zc_search_facets[k].bit;
        if (bit == 0)
            return zc_error_set(err, ZC_EINVAL, "facets",
                                "option \"facets\": unknown facet (use " SEARCH_FACET_NAMES
                                ")");
        req->opts.facets |= bit;
    }
    return ZC_OK;
}

static zc_status opt_facet_limit(zc_search_request *req, json_t *v, zc_error *err)
{
    return opt_u32(v, "facet_limit", ZC_SEARCH_FACET_LIMIT_MAX, &req->opts.facet_limit, err);
}

static zc_status opt_match(zc_search_request *req, json_t *v, zc_error *err)
{
    const char *m = json_string_value(v);
    if (m != NULL && strcmp(m, "all") == 0 && json_string_length(v) == 3)
        req->opts.match_any = 0;
    else if (m != NULL && strcmp(m, "any") == 0 && json_string_length(v) == 3)
        req->opts.match_any = 1;
    else
        return zc_error_set(err, ZC_EINVAL, "match", "option \"match\" must be \"all\" or \"any\"");
    return ZC_OK;
}

static zc_status opt_snippet(zc_search_request *req, json_t *v, zc_error *err)
{
    if (!json_is_boolean(v))
        return zc_error_set(err, ZC_EINVAL, "snippet", "option \"snippet\" must be true or false");
    req->opts.snippet = json_is_true(v);
    return ZC_OK;
}

/* A count bound (integer), true (every match) or false (the page only). */
static zc_status opt_exact_count(zc_search_request *req, json_t *v, zc_error *err)
{
    if (json_is_boolean(v)) {
        req->opts.exact_count = json_is_true(v) ? ZC_SEARCH_EXACT_COUNT_ALL : 0;
        return ZC_OK;
    }
    uint32_t n = 0;
    zc_status st = opt_u32(v, "exact_count", UINT32_MAX, &n, err);
    if (st == ZC_OK)
        req->opts.exact_count = n;
    else if (st == ZC_EINVAL && !json_is_number(v))
        st = zc_error_set(err, ZC_EINVAL, "exact_count",
                          "option \"exact_count\" must be an integer, true or false");
    return st;
}

static zc_status opt_collapse(zc_search_request *req, json_t *v, zc_error *err)
{
    if (!json_is_boolean(v))
        return zc_error_set(err, ZC_EINVAL, "collapse", "option \"collapse\" must be true or false");
    req->opts.collapse = json_is_true(v);
    return ZC_OK;
}

/* The options after "q", in the order they are checked: with two bad
 * options, the first of this list is the one reported. */
static const struct {
    const char *name;
    zc_status (*read)(zc_search_request *req, json_t *v, zc_error *err);
} opt_readers[] = {
    {"limit", opt_limit},   {"offset", opt_offset},
    {"lang", opt_lang},     {"issuer", opt_issuer},
    {"from", opt_from},     {"to", opt_to},
    {"sort", opt_sort},     {"facets", opt_facets},
    {"facet_limit", opt_facet_limit}, {"match", opt_match},
    {"snippet", opt_snippet}, {"exact_count", opt_exact_count},
    {"collapse", opt_collapse},
    {"level", opt_level},   {"tier", opt_tier},
    {"issued_by", opt_issued_by}, {"tags", opt_tags},
    {"prior", opt_prior},
};

static int is_space_byte(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static zc_status parse_json_opts(zc_search_request *req, const char *text, size_t len,
                                 zc_error *err)
{
    json_error_t je;
    req->root = json_loadb(text, len, 0, &je);
    if (req->root == NULL) {
        char clean[sizeof je.text];
        zc_norm_sanitize(je.text, clean, sizeof clean);
        return zc_error_set(err, ZC_EINVAL, "", "SEARCH argument is not valid JSON: %s "
                            "(column %d)", clean, je.column);
    }
    if (!json_is_object(req->root))
        return zc_error_set(err, ZC_EINVAL, "", "SEARCH argument must be a JSON object");
    json_t *v = json_object_get(req->root, "q");
    if (v == NULL || json_is_null(v))
        return zc_error_set(err, ZC_EINVAL, "q", "option \"q\" (the query) is required");
    if (!json_is_string(v))
        return zc_error_set(err, ZC_EINVAL, "q", "option \"q\" must be a string");
    req->opts.q = json_string_value(v);
    req->opts.q_len = json_string_length(v);
    for (size_t i = 0; i < sizeof opt_readers / sizeof opt_readers[0]; i++) {
        v = json_object_get(req->root, opt_readers[i].name);
        if (v == NULL || json_is_null(v))
            continue;
        zc_status st = opt_readers[i].read(req, v, err);
        if (st != ZC_OK)
            return st;
    }
    return zc_search_date_order(req->opts.from, req->opts.to, err);
}

ZC_API zc_status zc_search_request_parse(const char *text, size_t len,
                                         zc_search_request **out, zc_error *err)
{
    *out = NULL;
    if (text == NULL)
        len = 0;
    zc_search_request *req = calloc(1, sizeof *req);
    if (req == NULL)
        return zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
    zc_search_opts_init(&req->opts);
    size_t p = 0;
    while (p < len && is_space_byte(text[p]))
        p++;
    zc_status st;
    if (p < len && text[p] == '{') {
        st = parse_json_opts(req, text + p, len - p, err);
    } else {
        req->text = malloc(len + 1);
        if (req->text == NULL) {
            st = zc_error_set(err, ZC_ENOMEM, NULL, "out of memory");
        } else {
            if (len)
                memcpy(req->text, text, len);
            req->text[len] = '\0';
            req->opts.q = req->text;
            req->opts.q_len = len;
            st = ZC_OK;
        }
    }
    if (st == ZC_OK && (req->opts.q_len == 0 || p == len))
        st = zc_error_set(err, ZC_EINVAL, "q", "empty query");
    if (st != ZC_OK) {
        zc_search_request_free(req);
        return st;
    }
    *out = req;
    return ZC_OK;
}

zc_status zc_search_opts_validate(const zc_search_opts *o, zc_error *err)
{
    if (o->q == NULL || o->q_len == 0)
        return zc_error_set(err, ZC_EINVAL, "q", "empty query");
    if (o->limit > ZC_SEARCH_LIMIT_MAX)
        return zc_error_set(err, ZC_EINVAL, "limit",
                            "option \"limit\" must be an integer from 0 to %u",
                            ZC_SEARCH_LIMIT_MAX);
    if (o->lang != NULL && zc_search_lang_canon(o->lang, strlen(o->lang)) == NULL)
        return zc_error_set(err, ZC_EINVAL, "lang", "option \"lang\" must be \"zh\" or \"en\"");
    if (o->sort != ZC_SORT_RELEVANCE && o->sort != ZC_SORT_DATE_DESC &&
        o->sort != ZC_SORT_DATE_ASC)
        return zc_error_set(err, ZC_EINVAL, "sort",
                            "option \"sort\" must be \"relevance\", \"date\" or \"date_asc\"");
    if (o->facets & ~(unsigned)(ZC_FACET_ISSUER | ZC_FACET_YEAR | ZC_FACET_LANG |
                                ZC_FACET_LEVEL | ZC_FACET_TIER | ZC_FACET_ISSUED_BY |
                                ZC_FACET_TAGS))
        return zc_error_set(err, ZC_EINVAL, "facets", "option \"facets\": unknown facet");
    if (o->facet_limit > ZC_SEARCH_FACET_LIMIT_MAX)
        return zc_error_set(err, ZC_EINVAL, "facet_limit",
                            "option \"facet_limit\" must be an integer from 0 to %u",
                            ZC_SEARCH_FACET_LIMIT_MAX);
    if (o->n_issuers > 0 && o->issuers == NULL)
        return zc_error_set(err, ZC_EINVAL, "issuer", "option \"issuer\": no issuers given");
    if (o->n_issuers > ZC_SEARCH_ISSUERS_MAX)
        return zc_error_set(err, ZC_EINVAL, "issuer",
                            "option \"issuer\": %zu issuers, over the limit of %u",
                            o->n_issuers, ZC_SEARCH_ISSUERS_MAX);
    if (o->exact_count < -1 || o->exact_count > ZC_SEARCH_EXACT_COUNT_ALL)
        return zc_error_set(err, ZC_EINVAL, "exact_count",
                            "option \"exact_count\" must be -1 (the default) or from 0 to "
                            "%lu", (unsigned long)UINT32_MAX);
    /* the lists of authority and many-valued fields, as for "issuer" */
    const char *names[] = {"level", "tier", "issued_by", "tags"};
    size_t ns[] = {o->n_levels, o->n_tiers, o->n_issued_by, o->n_tags};
    const char *const *vs[] = {o->levels, o->tiers, o->issued_by, o->tags};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (ns[i] > 0 && vs[i] == NULL)
            return zc_error_set(err, ZC_EINVAL, names[i], "option \"%s\": no entries given",
                                names[i]);
        if (ns[i] > ZC_SEARCH_ISSUERS_MAX)
            return zc_error_set(err, ZC_EINVAL, names[i], "option \"%s\": %zu entries, over "
                                "the limit of %u", names[i], ns[i], ZC_SEARCH_ISSUERS_MAX);
        for (size_t k = 0; k < ns[i]; k++)
            if (vs[i][k] == NULL)
                return zc_error_set(err, ZC_EINVAL, names[i], "option \"%s\": entry %zu is "
                                    "NULL", names[i], k);
    }
    zc_status lst = zc_search_check_levels(o, err);
    if (lst != ZC_OK)
        return lst;
    if (!(o->time_limit_s >= 0))
        return zc_error_set(err, ZC_EINVAL, "time_limit", "time limit must be >= 0");
    zc_date d;
    if (o->from != NULL && zc_date_parse(o->from, strlen(o->from), &d, NULL) != ZC_OK)
        return zc_error_set(err, ZC_EINVAL, "from",
                            "option \"from\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)");
    if (o->to != NULL && zc_date_parse(o->to, strlen(o->to), &d, NULL) != ZC_OK)
        return zc_error_set(err, ZC_EINVAL, "to",
                            "option \"to\" is not a real date (YYYY, YYYY-MM or YYYY-MM-DD)");
    return zc_search_date_order(o->from, o->to, err);
}
