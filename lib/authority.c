/* authority.c — a document's level and tier from its issuer, title and
 * document number (authority.h).
 *
 * The rules, in order (docs/index-format.md, "Authority", says the same):
 *  1. Each body of the issuer (zc_authority_next_body) is recognized as
 *     the NPC or its Standing Committee, the State Council (or the Central
 *     Military Commission: 军事法规 rank with 行政法规), another central
 *     organ (the Party centre, the general offices, the two supreme
 *     judicial organs), a central ministry, commission or bureau, a local
 *     people's congress, a local people's government, another local organ
 *     (tier from its place name), or a U.S. President; and gets a level:
 *     NPC: law when the title is a law's (…法, …法典, …修正案; in English
 *     Law, Constitution, Code), a regulation's or a decision's (…决定) and
 *     not a resolution's (…决议), else normative (a plan outline, a
 *     report); State Council: admin_reg when the document number is an
 *     order (…令…) or the title is a regulation's (…条例, 规定, 办法, 细则,
 *     规则), else normative; ministry: dept_rule; local congress:
 *     local_reg (决议: normative); local government: local_rule under the
 *     State Council's condition, else normative; other organs: normative;
 *     U.S. President (not in a "zh" document): exec_order.  A joint issuer
 *     takes its highest body.
 *  2. No body recognized: the document number (Executive Order N:
 *     exec_order; 主席令: law; X令第N号: X as a body, issuing an order;
 *     国发, 国办发, 国函, 国办函, 中发, 中办发: normative central).
 *  3. Then the title: 中华人民共和国…法 (not …办法), …法典, …修正案:
 *     law; 中华人民共和国 + a regulation's title: admin_reg; a place name
 *     + a regulation's title: local_reg of that place.
 *  4. Otherwise normative, tier unknown.
 * Tiers come from place names: a province-level name (省, 自治区, the four
 * municipalities, 特别行政区) is provincial; a city, prefecture or league
 * inside it (or alone) municipal; a county, banner or district county.
 */
#include "lib/authority.h"

#include <stdint.h>
#include <string.h>

#include "base/utf8.h"

/* ---- bytes ---------------------------------------------------------------- */

static int starts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

static int ends(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s + n - k, lit, k) == 0;
}

static int contains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    if (k == 0)
        return 1;
    for (size_t i = 0; i + k <= n; i++)
        if (s[i] == lit[0] && memcmp(s + i, lit, k) == 0)
            return 1;
    return 0;
}

static int eq(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* ASCII letters compared without case: lit is lower case. */
static int ieq(const char *s, size_t n, const char *lit)
{
    if (n != strlen(lit))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s[i]) != lit[i])
            return 0;
    return 1;
}

static int istarts(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && ieq(s, k, lit);
}

static int icontains(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (ieq(s + i, k, lit))
            return 1;
    return 0;
}

/* The code point at s[*i] (advancing *i), or 0 for a bad byte (skipped). */
static uint32_t next_cp(const char *s, size_t n, size_t *i)
{
    uint32_t cp = 0;
    size_t k = zc_utf8_decode((const unsigned char *)s, n, *i, &cp);
    *i += k ? k : 1;
    return k ? cp : 0;
}

static int is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0xA0 || cp == 0x3000;
}

/* s[*a, *b) without spaces at either end. */
static void trim(const char *s, size_t *a, size_t *b)
{
    while (*a < *b) {
        size_t i = *a;
        if (!is_space_cp(next_cp(s, *b, &i)))
            break;
        *a = i;
    }
    while (*b > *a) {
        size_t j = *b - 1;
        while (j > *a && ((unsigned char)s[j] & 0xC0) == 0x80)
            j--;
        size_t i = j;
        if (!is_space_cp(next_cp(s, *b, &i)))
            break;
        *b = j;
    }
}

/* ---- joint issuers ---------------------------------------------------------- */

static int is_body_separator(uint32_t cp)
{
    return cp == 0x3001 /* 、 */ || cp == 0xFF0C /* ， */ || cp == ',' || cp == 0xFF1B /* ； */ ||
           cp == ';' || cp == '/' || cp == 0xFF0F /* ／ */;
}

int zc_authority_next_body(const char *s, size_t len, size_t *pos, size_t *start, size_t *blen)
{
    while (*pos < len) {
        size_t a = *pos, i = *pos, end = len;
        uint32_t prev = 0;
        while (i < len) {
            size_t at = i;
            uint32_t cp = next_cp(s, len, &i);
            if (is_body_separator(cp)) {
                end = at;
                break;
            }
            if (is_space_cp(cp) && prev >= 0x80) {
                /* a space between two non-ASCII characters separates */
                size_t j = i;
                uint32_t nx = 0;
                while (j < len && is_space_cp(nx = next_cp(s, len, &j)))
                    ;
                if (j <= len && nx >= 0x80 && !is_space_cp(nx)) {
                    end = at;
                    break;
                }
            }
            if (!is_space_cp(cp))
                prev = cp;
        }
        *pos = end < len ? i : len;
        size_t b = end;
        trim(s, &a, &b);
        if (b > a) {
            *start = a;
            *blen = b - a;
            return 1;
        }
    }
    return 0;
}

/* ---- place names ------------------------------------------------------------ */

static const char *const provinces[] = {"北京", "天津", "上海",   "重庆", "河北", "山西", "内蒙古",
                                        "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
                                        "江西", "山东", "河南",   "湖北", "湖南", "广东", "广西",
                                        "海南", "四川", "贵州",   "云南", "西藏", "陕西", "甘肃",
                                        "青海", "宁夏", "新疆",   "台湾", "香港", "澳门"};
static const char *const municipalities[] = {"北京", "天津", "上海", "重庆"};
/* longest first */
static const char *const province_suffixes[] = {"维吾尔自治区", "壮族自治区", "回族自治区",
                                                "特别行政区",   "自治区",     "省"};

/* Words that begin an organ's name: a place name never runs into them. */
static const char *const organ_words[] = {"人民", "政府", "代表", "常务", "委员", "办公"};

/* Characters after 市/县/区 that make it part of a word, not a place
 * (市场, 区域, 县级, 市长, 市民, 市容, 区内, 区外, 州际). */
static int place_breaker(uint32_t cp)
{
    static const uint32_t v[] = {0x573A /* 场 */, 0x57DF /* 域 */, 0x7EA7 /* 级 */,
                                 0x957F /* 长 */, 0x6C11 /* 民 */, 0x5BB9 /* 容 */,
                                 0x5185 /* 内 */, 0x5916 /* 外 */, 0x9645 /* 际 */};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (cp == v[i])
            return 1;
    return 0;
}

static int is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
}

/* The tier of the place name s starts with, or NONE.  title: the stricter
 * reading for a title, where words follow the place at once (only 市, 县,
 * 州 end a place there, within 4 characters, and not after a province:
 * 上海市历史文化风貌区… is Shanghai's, not a district's). */
static zc_tier place_tier(const char *s, size_t n, int title)
{
    zc_tier tier = ZC_TIER_NONE;
    size_t p = 0;
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++) {
        if (!starts(s, n, provinces[i]))
            continue;
        p = strlen(provinces[i]);
        int muni = 0;
        for (size_t k = 0; k < sizeof municipalities / sizeof municipalities[0]; k++)
            muni |= eq(provinces[i], strlen(provinces[i]), municipalities[k]);
        if (starts(s + p, n - p, "市")) {
            if (!muni)
                return ZC_TIER_MUNICIPAL; /* 吉林市: a city named as its province */
            p += strlen("市");
        } else {
            for (size_t k = 0; k < sizeof province_suffixes / sizeof province_suffixes[0]; k++)
                if (starts(s + p, n - p, province_suffixes[k])) {
                    p += strlen(province_suffixes[k]);
                    break;
                }
        }
        tier = ZC_TIER_PROVINCIAL;
        break;
    }
    if (title && tier != ZC_TIER_NONE)
        return tier;
    /* A city, prefecture or county after it (or alone): 2+ Han characters
     * and a place character, before any organ word. */
    size_t i = p, max_k = title ? 4 : 10;
    for (size_t k = 0; i < n && k <= max_k; k++) {
        int organ = 0;
        for (size_t w = 0; w < sizeof organ_words / sizeof organ_words[0]; w++)
            organ |= starts(s + i, n - i, organ_words[w]);
        if (organ)
            break;
        uint32_t cp = next_cp(s, n, &i);
        if (!is_han(cp))
            break;
        if (k < 2)
            continue;
        size_t j = i;
        uint32_t after = j < n ? next_cp(s, n, &j) : 0;
        if (place_breaker(after))
            continue;
        if (cp == 0x5E02 /* 市 */ || cp == 0x5DDE /* 州 */ || (!title && cp == 0x76DF /* 盟 */))
            return ZC_TIER_MUNICIPAL;
        if (cp == 0x53BF /* 县 */ || (!title && (cp == 0x65D7 /* 旗 */ || cp == 0x533A /* 区 */)))
            return ZC_TIER_COUNTY;
    }
    return tier;
}

/* ---- bodies ----------------------------------------------------------------- */

typedef enum body_kind {
    B_UNKNOWN = 0,
    B_NPC,           /* the NPC or its Standing Committee */
    B_STATE_COUNCIL, /* 国务院 (政务院 before 1954), and the Central Military
                      * Commission, whose 军事法规 rank with 行政法规 */
    B_CENTRAL,       /* another central organ, not a ministry */
    B_MINISTRY,      /* a central ministry, commission, bureau */
    B_CONGRESS,      /* a local people's congress (or its standing committee) */
    B_GOVERNMENT,    /* a local people's government */
    B_LOCAL,         /* another local organ */
    B_PRESIDENT      /* the President of the United States */
} body_kind;

static body_kind english_body(const char *b, size_t n)
{
    if (istarts(b, n, "president ") || istarts(b, n, "the president"))
        return B_PRESIDENT;
    if (ieq(b, n, "state council") || ieq(b, n, "the state council"))
        return B_STATE_COUNCIL;
    if (icontains(b, n, "national people's congress") || icontains(b, n, "npc standing"))
        return B_NPC;
    if (icontains(b, n, "central committee") || icontains(b, n, "general office") ||
        icontains(b, n, "central military") || icontains(b, n, "supreme people's"))
        return B_CENTRAL;
    if (istarts(b, n, "ministry of") || icontains(b, n, "commission") ||
        icontains(b, n, "administration") || icontains(b, n, "bureau") ||
        icontains(b, n, "people's bank of china"))
        return B_MINISTRY;
    return B_UNKNOWN;
}

/* What body b is; *tier gets its place's tier for local organs. */
static body_kind body_kind_of(const char *b, size_t n, zc_tier *tier)
{
    *tier = ZC_TIER_NONE;
    if (n > 0 && (unsigned char)b[0] < 0x80)
        return english_body(b, n);
    if (starts(b, n, "中华人民共和国")) {
        b += strlen("中华人民共和国");
        n -= strlen("中华人民共和国");
    }
    if (starts(b, n, "全国人民代表大会") || starts(b, n, "全国人大"))
        return contains(b, n, "办公厅") ? B_CENTRAL : B_NPC;
    if (eq(b, n, "国务院") || eq(b, n, "政务院") || eq(b, n, "中央人民政府") ||
        eq(b, n, "中央军事委员会") || eq(b, n, "中央军委"))
        return B_STATE_COUNCIL;
    if (starts(b, n, "国务院办公厅") || starts(b, n, "中共中央") ||
        starts(b, n, "中国共产党中央") || starts(b, n, "中央") || starts(b, n, "最高人民法院") ||
        starts(b, n, "最高人民检察院"))
        return B_CENTRAL;
    if (starts(b, n, "国务院") || starts(b, n, "国家") || starts(b, n, "中国"))
        return B_MINISTRY;
    const char *p = b;
    size_t pn = n;
    if (starts(p, pn, "中共")) { /* 中共浙江省委: a local Party committee */
        p += strlen("中共");
        pn -= strlen("中共");
    }
    *tier = place_tier(p, pn, 0);
    if (*tier != ZC_TIER_NONE) {
        if (contains(b, n, "人民代表大会") || contains(b, n, "人大"))
            return B_CONGRESS;
        if (contains(b, n, "政府") && !contains(b, n, "办公"))
            return B_GOVERNMENT;
        return B_LOCAL;
    }
    static const char *const ministry_ends[] = {"部", "署", "局", "委员会", "委", "银行", "办"};
    for (size_t i = 0; i < sizeof ministry_ends / sizeof ministry_ends[0]; i++)
        if (ends(b, n, ministry_ends[i]))
            return B_MINISTRY;
    return B_UNKNOWN;
}

/* ---- titles and numbers -------------------------------------------------------- */

/* The length of title t[0, n) without trailing parenthesized notes
 * (（2018年修正）, (试行)) and spaces. */
static size_t title_core(const char *t, size_t n)
{
    static const char open_fw[] = "（", close_fw[] = "）";
    for (;;) {
        size_t a = 0;
        trim(t, &a, &n);
        size_t open = 0;
        if (ends(t, n, close_fw)) {
            for (size_t i = n - strlen(close_fw); i-- > 0;)
                if (memcmp(t + i, open_fw, strlen(open_fw)) == 0) {
                    open = i;
                    break;
                }
        } else if (ends(t, n, ")")) {
            for (size_t i = n - 1; i-- > 0;)
                if (t[i] == '(') {
                    open = i;
                    break;
                }
        }
        if (open == 0)
            return n;
        n = open;
    }
}

/* A regulation's title: …条例, …规定, …办法, …细则, …规则. */
static int regulation_title(const char *t, size_t n)
{
    static const char *const v[] = {"条例", "规定", "办法", "细则", "规则"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (ends(t, n, v[i]))
            return 1;
    return 0;
}

/* A law's title: …法 (not …办法), …法典, …修正案, 宪法. */
static int law_title(const char *t, size_t n)
{
    return (ends(t, n, "法") && !ends(t, n, "办法")) || ends(t, n, "法典") ||
           contains(t, n, "修正案");
}

/* A document number that is an order (国务院令第588号, 国令第706号,
 * 上海市人民政府令第5号): *issuer_len gets the bytes before 令. */
static int order_docno(const char *d, size_t n, size_t *issuer_len)
{
    const char *ling = "令";
    size_t k = strlen(ling);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(d + i, ling, k) == 0) {
            *issuer_len = i;
            return 1;
        }
    return 0;
}

/* An English law's title: the word Law, or a constitution or code. */
static int english_law_title(const char *t, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++)
        if (ieq(t + i, 3, "law") && (i == 0 || t[i - 1] == ' ') &&
            (i + 3 == n || t[i + 3] == ' ' || t[i + 3] == ','))
            return 1;
    return icontains(t, n, "constitution") || icontains(t, n, " code");
}

typedef struct doc_facts {
    const char *title;
    size_t title_len; /* title_core */
    int resolution;   /* the title holds 决议 */
    int legislation;  /* a law's, regulation's or legal decision's title */
    int regulation;   /* regulation_title */
    int order;        /* the document number is an order */
    int zh;           /* lang is "zh" */
} doc_facts;

static zc_authority mk(zc_level level, zc_tier tier)
{
    zc_authority a = {level, tier};
    return a;
}

/* The level body kind k gives a document with facts f. */
static zc_authority body_level(body_kind k, zc_tier place, const doc_facts *f)
{
    switch (k) {
    case B_NPC:
        return mk(f->legislation && !f->resolution ? ZC_LEVEL_LAW : ZC_LEVEL_NORMATIVE,
                  ZC_TIER_CENTRAL);
    case B_STATE_COUNCIL:
        return mk(f->order || f->regulation ? ZC_LEVEL_ADMIN_REG : ZC_LEVEL_NORMATIVE,
                  ZC_TIER_CENTRAL);
    case B_CENTRAL: return mk(ZC_LEVEL_NORMATIVE, ZC_TIER_CENTRAL);
    case B_MINISTRY: return mk(ZC_LEVEL_DEPT_RULE, ZC_TIER_CENTRAL);
    case B_CONGRESS: return mk(f->resolution ? ZC_LEVEL_NORMATIVE : ZC_LEVEL_LOCAL_REG, place);
    case B_GOVERNMENT:
        return mk(f->order || f->regulation ? ZC_LEVEL_LOCAL_RULE : ZC_LEVEL_NORMATIVE, place);
    case B_LOCAL: return mk(ZC_LEVEL_NORMATIVE, place);
    case B_PRESIDENT:
        if (!f->zh)
            return mk(ZC_LEVEL_EXEC_ORDER, ZC_TIER_FEDERAL);
        break;
    default: break;
    }
    return mk(ZC_LEVEL_NORMATIVE, ZC_TIER_NONE);
}

static int better(zc_authority a, zc_authority b)
{
    return zc_authority_prior(a.level, a.tier) > zc_authority_prior(b.level, b.tier);
}

static int known(zc_authority a)
{
    return a.level != ZC_LEVEL_NORMATIVE || a.tier != ZC_TIER_NONE;
}

/* Rule 2: the document number alone. */
static zc_authority from_docno(const char *d, size_t n, const doc_facts *f)
{
    if (istarts(d, n, "executive order"))
        return mk(ZC_LEVEL_EXEC_ORDER, ZC_TIER_FEDERAL);
    if (contains(d, n, "主席令"))
        return mk(ZC_LEVEL_LAW, ZC_TIER_CENTRAL);
    size_t il = 0;
    if (order_docno(d, n, &il)) {
        if (eq(d, il, "国"))
            return mk(ZC_LEVEL_ADMIN_REG, ZC_TIER_CENTRAL);
        zc_tier place;
        body_kind k = body_kind_of(d, il, &place);
        doc_facts of = *f;
        of.order = 1;
        if (k != B_UNKNOWN && k != B_PRESIDENT)
            return body_level(k, place, &of);
    }
    static const char *const central[] = {"国发", "国办发", "国函", "国办函", "中发", "中办发"};
    for (size_t i = 0; i < sizeof central / sizeof central[0]; i++)
        if (starts(d, n, central[i]))
            return mk(ZC_LEVEL_NORMATIVE, ZC_TIER_CENTRAL);
    return mk(ZC_LEVEL_NORMATIVE, ZC_TIER_NONE);
}

/* Rule 3: the title alone. */
static zc_authority from_title(const doc_facts *f)
{
    const char *t = f->title;
    size_t n = f->title_len;
    if (starts(t, n, "中华人民共和国")) {
        if (law_title(t, n))
            return mk(ZC_LEVEL_LAW, ZC_TIER_CENTRAL);
        if (f->regulation)
            return mk(ZC_LEVEL_ADMIN_REG, ZC_TIER_CENTRAL);
        return mk(ZC_LEVEL_NORMATIVE, ZC_TIER_NONE);
    }
    zc_tier place = place_tier(t, n, 1);
    if (place != ZC_TIER_NONE && f->regulation)
        return mk(ZC_LEVEL_LOCAL_REG, place);
    return mk(ZC_LEVEL_NORMATIVE, ZC_TIER_NONE);
}

zc_authority zc_authority_classify(const char *issuer, size_t issuer_len, const char *title,
                                   size_t title_len, const char *docno, size_t docno_len,
                                   const char *lang, size_t lang_len)
{
    if (issuer == NULL)
        issuer_len = 0;
    if (title == NULL)
        title_len = 0;
    if (docno == NULL)
        docno_len = 0;
    doc_facts f = {0};
    size_t ta = 0, tb = title_len;
    if (title_len > 0)
        trim(title, &ta, &tb);
    f.title = title_len ? title + ta : "";
    f.title_len = title_core(f.title, tb - ta);
    f.resolution = contains(f.title, f.title_len, "决议");
    f.regulation = regulation_title(f.title, f.title_len);
    f.legislation = f.regulation || law_title(f.title, f.title_len) ||
                    ends(f.title, f.title_len, "决定") || english_law_title(f.title, f.title_len);
    size_t il = 0;
    f.order = docno_len > 0 && order_docno(docno, docno_len, &il);
    f.zh = lang != NULL && lang_len == 2 && memcmp(lang, "zh", 2) == 0;

    zc_authority best = mk(ZC_LEVEL_NORMATIVE, ZC_TIER_NONE);
    size_t pos = 0, bs = 0, bl = 0;
    while (zc_authority_next_body(issuer, issuer_len, &pos, &bs, &bl)) {
        zc_tier place;
        body_kind k = body_kind_of(issuer + bs, bl, &place);
        zc_authority a = body_level(k, place, &f);
        if (known(a) && (!known(best) || better(a, best)))
            best = a;
    }
    if (!known(best) && docno_len > 0)
        best = from_docno(docno, docno_len, &f);
    if (!known(best))
        best = from_title(&f);
    return best;
}

/* ---- names and weights ------------------------------------------------------ */

static const char *const level_names[ZC_LEVEL_COUNT] = {
    "normative", "local_rule", "local_reg", "dept_rule", "admin_reg", "law", "exec_order"};
static const char *const tier_names[ZC_TIER_COUNT] = {"",           "county",  "municipal",
                                                      "provincial", "central", "federal"};

const char *zc_authority_level_name(zc_level level)
{
    return (unsigned)level < ZC_LEVEL_COUNT ? level_names[level] : "";
}

const char *zc_authority_tier_name(zc_tier tier)
{
    return (unsigned)tier < ZC_TIER_COUNT ? tier_names[tier] : "";
}

int zc_authority_level_from_name(const char *s, size_t len, zc_level *out)
{
    for (unsigned i = 0; i < ZC_LEVEL_COUNT; i++)
        if (s != NULL && eq(s, len, level_names[i])) {
            *out = (zc_level)i;
            return 1;
        }
    return 0;
}

int zc_authority_tier_from_name(const char *s, size_t len, zc_tier *out)
{
    for (unsigned i = 1; i < ZC_TIER_COUNT; i++)
        if (s != NULL && eq(s, len, tier_names[i])) {
            *out = (zc_tier)i;
            return 1;
        }
    return 0;
}

/* The prior weights: rows levels, columns tiers (none, county, municipal,
 * provincial, central, federal).  Levels are far apart; a tier moves a
 * document within its level only.  U.S. Executive Orders are one level of
 * their own with nothing to rank them against: 0, so the prior (which only
 * the hits whose title holds the query's words get, search.c) never works
 * as a title boost among them (make eval: English unquoted phrases lost
 * 0.020 success@1 with 0.6 here).  Tuned with make eval (docs/quality.md)
 * together with SEARCH_PRIOR_SCALE in search.c. */
static const double prior_table[ZC_LEVEL_COUNT][ZC_TIER_COUNT] = {
    /* normative  */ {0.00, 0.03, 0.06, 0.09, 0.12, 0.12},
    /* local_rule */ {0.18, 0.18, 0.21, 0.24, 0.24, 0.24},
    /* local_reg  */ {0.30, 0.30, 0.34, 0.42, 0.42, 0.42},
    /* dept_rule  */ {0.60, 0.60, 0.60, 0.60, 0.60, 0.60},
    /* admin_reg  */ {0.85, 0.85, 0.85, 0.85, 0.85, 0.85},
    /* law        */ {1.00, 1.00, 1.00, 1.00, 1.00, 1.00},
    /* exec_order */ {0.00, 0.00, 0.00, 0.00, 0.00, 0.00},
};

double zc_authority_prior(zc_level level, zc_tier tier)
{
    if ((unsigned)level >= ZC_LEVEL_COUNT || (unsigned)tier >= ZC_TIER_COUNT)
        return 0;
    return prior_table[level][tier];
}
