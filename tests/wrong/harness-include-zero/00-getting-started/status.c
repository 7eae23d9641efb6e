/* Wrong answer: it includes /dev/zero, which never ends: the compiler
 * would read it until the machine's memory ran out. The compile step's
 * memory limit must refuse it. */
#include "/dev/zero"
