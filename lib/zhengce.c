/* lib/zhengce.c — the library's smallest entry points (zhengce.h): its
 * version, and freeing what it returned.  Apart from the index so that a
 * program (or a fuzz harness) using only the analysis modules links them
 * without Xapian. */
#include <stdlib.h>

#include "lib/zhengce.h"

ZC_API const char *zc_version(void)
{
    return ZC_VERSION_STRING;
}

ZC_API void zc_free(void *p)
{
    free(p);
}
