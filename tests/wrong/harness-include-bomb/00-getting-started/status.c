/* Wrong answer: a file that includes itself twice at every level, 40
 * levels deep, so that the preprocessor has 2^40 files to read: it would
 * compile for ever. The compile step's time limit must refuse it. */
#if __INCLUDE_LEVEL__ < 40
#include "status.c"
#include "status.c"
#endif
