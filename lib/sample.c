/* sample.c — see sample.h. */
#include "lib/sample.h"

#include <stdio.h>
#include <string.h>

#include "lib/schema.h"
#include "lib/term.h"

uint32_t zc_sample_hash(const char *idterm, size_t len)
{
    /* FNV-1a alone leaves its low bits, the ones the levels read, poorly
     * mixed for ids that differ only at the end ("gen-1", "gen-2"): the
     * splitmix64 finalizer spreads every input bit over all 64. */
    uint64_t z = zc_term_fnv1a64(idterm, len);
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    z ^= z >> 31;
    return (uint32_t)z;
}

size_t zc_sample_term(unsigned level, char *buf)
{
    int n = snprintf(buf, ZC_SAMPLE_TERM_MAX, "%s%u", ZC_PFX_SAMPLE, level);
    return n > 0 ? (size_t)n : 0;
}

zc_status zc_sample_add_terms(zc_xap_doc *doc, const char *idterm, size_t len, zc_error *err)
{
    uint32_t h = zc_sample_hash(idterm, len);
    for (unsigned level = 1; level <= ZC_SAMPLE_LEVELS; level++) {
        if ((h & ((UINT32_C(1) << level) - 1)) != 0)
            break;
        char term[ZC_SAMPLE_TERM_MAX];
        size_t n = zc_sample_term(level, term);
        zc_status st = zc_xap_doc_add_boolean_term(doc, term, n, err);
        if (st != ZC_OK)
            return st;
    }
    return ZC_OK;
}
