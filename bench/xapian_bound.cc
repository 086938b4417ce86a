// bench/xapian_bound.cc — the Xapian bound: Xapian used plainly, in one
// process, on the same documents and queries as zhengce.
//
// What zhengce adds on top of Xapian (JSON validation, normalization, its
// analyzer, the protocol) is exactly what this program leaves out, so its
// figures bound what zhengce can reach with Xapian underneath:
//  - index: read JSON Lines with a trivial field extractor (jsonl_fields.h),
//    TermGenerator with FLAG_CJK_NGRAM, positions, the English stemmer
//    (STEM_SOME, Xapian's default), title + body + docno as free text;
//    boolean terms for lang, issuer and year; values for date, issuer, year
//    and lang; the JSON line itself as document data; replace by id (Q term);
//    commit every --batch documents (default 10000, Xapian's own default).
//  - query: QueryParser with the same stemmer, FLAG_DEFAULT|FLAG_CJK_NGRAM,
//    default operator AND, filters as OP_FILTER, facets with
//    ValueCountMatchSpy over the whole match set, hits' data fetched; no
//    snippets.
//
//   xapian_bound index --db DIR [--batch N] FILE...
//   xapian_bound query --db DIR --queries queries.tsv [--passes 3]
//                [--threads 2] [--total 5000] [--max-secs 20] [--label xapian]
//
// Prints LABEL.key=value lines (bench/qmix.h).  Owns: only the database it
// is given.  Never linked into the library.
#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "jsonl_fields.h"
#include "qmix.h"

enum { SLOT_DATE = 0, SLOT_ISSUER = 1, SLOT_YEAR = 2, SLOT_LANG = 3 };

static const char *arg_of(int argc, char **argv, const char *name, const char *dflt)
{
    for (int i = 2; i + 1 < argc; i++)
        if (std::strcmp(argv[i], name) == 0)
            return argv[i + 1];
    return dflt;
}

static int do_index(int argc, char **argv)
{
    const char *db_path = arg_of(argc, argv, "--db", nullptr);
    long batch = std::atol(arg_of(argc, argv, "--batch", "10000"));
    if (db_path == nullptr || batch < 1) {
        std::fputs("usage: xapian_bound index --db DIR [--batch N] FILE...\n", stderr);
        return 2;
    }
    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("en"));
    tg.set_flags(Xapian::TermGenerator::FLAG_CJK_NGRAM);
    jf_doc d;
    std::memset(&d, 0, sizeof d);
    long docs = 0, bad = 0, pending = 0;
    unsigned long long bytes = 0;
    double t0 = qm_now();
    char *line = nullptr;
    size_t cap = 0;
    for (int a = 2; a < argc; a++) {
        if (argv[a][0] == '-' && argv[a][1] == '-') {
            a++;   // an option and its value
            continue;
        }
        FILE *f = std::fopen(argv[a], "r");
        if (f == nullptr) {
            std::perror(argv[a]);
            return 1;
        }
        ssize_t len;
        while ((len = getline(&line, &cap, f)) > 0) {
            bytes += (unsigned long long)len;
            if (jf_parse(&d, line, (size_t)len) != 0 || d.f[JF_ID].len == 0) {
                bad++;
                continue;
            }
            Xapian::Document doc;
            tg.set_document(doc);
            tg.index_text(std::string(d.f[JF_TITLE].buf ? d.f[JF_TITLE].buf : "", d.f[JF_TITLE].len));
            tg.increase_termpos(100);
            if (d.f[JF_BODY].len)
                tg.index_text(std::string(d.f[JF_BODY].buf, d.f[JF_BODY].len));
            tg.increase_termpos(100);
            if (d.f[JF_DOCNO].len)
                tg.index_text(std::string(d.f[JF_DOCNO].buf, d.f[JF_DOCNO].len));
            std::string lang(d.f[JF_LANG].len ? d.f[JF_LANG].buf : "");
            std::string issuer(d.f[JF_ISSUER].len ? d.f[JF_ISSUER].buf : "");
            long dn = jf_date_num(&d.f[JF_DATE]);
            if (!lang.empty()) {
                doc.add_boolean_term("XL" + lang);
                doc.add_value(SLOT_LANG, lang);
            }
            if (!issuer.empty()) {
                doc.add_boolean_term("XI" + issuer);
                doc.add_value(SLOT_ISSUER, issuer);
            }
            if (dn) {
                char buf[24];
                std::snprintf(buf, sizeof buf, "%08ld", dn);
                doc.add_value(SLOT_DATE, buf);
                doc.add_value(SLOT_YEAR, std::string(buf, 4));
                doc.add_boolean_term("Y" + std::string(buf, 4));
            }
            std::string idterm = "Q" + std::string(d.f[JF_ID].buf, d.f[JF_ID].len);
            if (idterm.size() > 240)
                idterm.resize(240);
            doc.add_boolean_term(idterm);
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                len--;
            doc.set_data(std::string(line, (size_t)len));
            db.replace_document(idterm, doc);
            docs++;
            if (++pending >= batch) {
                db.commit();
                pending = 0;
            }
        }
        std::fclose(f);
    }
    db.commit();
    db.close();
    std::free(line);
    jf_doc_free(&d);
    double secs = qm_now() - t0;
    std::printf("xapian.index_docs=%ld\nxapian.index_bad=%ld\nxapian.index_bytes=%llu\n"
                "xapian.index_secs_inner=%.2f\n",
                docs, bad, bytes, secs);
    return 0;
}

struct qctx {
    Xapian::Database db;
    Xapian::QueryParser qp;
    Xapian::doccount size;
};

static const char *g_db_path;

static void *q_open(void *)
{
    try {
        qctx *c = new qctx;
        c->db = Xapian::Database(g_db_path);
        c->qp.set_database(c->db);
        c->qp.set_stemmer(Xapian::Stem("en"));
        c->qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        c->qp.set_default_op(Xapian::Query::OP_AND);
        c->size = c->db.get_doccount();
        return c;
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_bound: %s\n", e.get_description().c_str());
        return nullptr;
    }
}

static void q_close(void *p)
{
    delete static_cast<qctx *>(p);
}

static int q_run(const qm_query *q, void *p, unsigned long long *hits)
{
    qctx *c = static_cast<qctx *>(p);
    try {
        unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | Xapian::QueryParser::FLAG_CJK_NGRAM;
        Xapian::Query query = c->qp.parse_query(q->col[QM_Q], flags);
        std::vector<Xapian::Query> filters;
        if (q->col[QM_LANG][0])
            filters.emplace_back(std::string("XL") + q->col[QM_LANG]);
        if (q->col[QM_ISSUER][0])
            filters.emplace_back(std::string("XI") + q->col[QM_ISSUER]);
        long from = std::atol(q->col[QM_FROM]), to = std::atol(q->col[QM_TO]);
        if (from) {
            char a[24], b[24];
            std::snprintf(a, sizeof a, "%08ld", from);
            std::snprintf(b, sizeof b, "%08ld", to);
            filters.emplace_back(Xapian::Query::OP_VALUE_RANGE, SLOT_DATE, a, b);
        }
        for (auto &f : filters)
            query = Xapian::Query(Xapian::Query::OP_FILTER, query, f);
        Xapian::Enquire enq(c->db);
        enq.set_query(query);
        bool facets = q->col[QM_FACETS][0] != '\0';
        Xapian::ValueCountMatchSpy s1(SLOT_ISSUER), s2(SLOT_YEAR), s3(SLOT_LANG);
        if (facets) {
            enq.add_matchspy(&s1);
            enq.add_matchspy(&s2);
            enq.add_matchspy(&s3);
        }
        Xapian::MSet ms = enq.get_mset((Xapian::doccount)std::atol(q->col[QM_OFFSET]),
                                       (Xapian::doccount)std::atol(q->col[QM_LIMIT]),
                                       facets ? c->size : 0);
        std::size_t sum = 0;
        for (Xapian::MSetIterator it = ms.begin(); it != ms.end(); ++it)
            sum += it.get_document().get_data().size();
        if (facets) {
            for (Xapian::ValueCountMatchSpy *s : {&s1, &s2, &s3}) {
                int k = 0;
                for (Xapian::TermIterator t = s->top_values_begin(100); t != s->top_values_end(100) && k < 100; ++t, ++k)
                    sum += (*t).size();
            }
        }
        *hits = ms.get_matches_estimated();
        (void)sum;
        return 0;
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_bound: %s: %s\n", q->col[QM_Q], e.get_description().c_str());
        return -1;
    }
}

static int do_query(int argc, char **argv)
{
    g_db_path = arg_of(argc, argv, "--db", nullptr);
    const char *queries = arg_of(argc, argv, "--queries", nullptr);
    const char *label = arg_of(argc, argv, "--label", "xapian");
    int passes = std::atoi(arg_of(argc, argv, "--passes", "3"));
    int threads = std::atoi(arg_of(argc, argv, "--threads", "2"));
    unsigned long total = std::strtoul(arg_of(argc, argv, "--total", "5000"), nullptr, 10);
    double max_secs = std::atof(arg_of(argc, argv, "--max-secs", "20"));
    if (g_db_path == nullptr || queries == nullptr || passes < 1) {
        std::fputs("usage: xapian_bound query --db DIR --queries FILE [--passes N] [--threads T]\n"
                   "                          [--total N] [--max-secs S] [--label L]\n",
                   stderr);
        return 2;
    }
    qm_mix m;
    if (qm_load(&m, queries) != 0)
        return 1;
    long errors = qm_measure(&m, passes, threads, total, max_secs, label, q_open, q_close,
                             q_run, nullptr);
    qm_free(&m);
    return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
    try {
        if (argc >= 2 && std::strcmp(argv[1], "index") == 0)
            return do_index(argc, argv);
        if (argc >= 2 && std::strcmp(argv[1], "query") == 0)
            return do_query(argc, argv);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian_bound: %s\n", e.get_description().c_str());
        return 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "xapian_bound: %s\n", e.what());
        return 1;
    }
    std::fputs("usage: xapian_bound index|query ...\n", stderr);
    return 2;
}
