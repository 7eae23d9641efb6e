/* Wrong answer: it includes a file of the grading machine's, so that the
 * compiler's error messages would print its lines into the report. It must
 * be refused before the compiler shows any of it. */
#include "/etc/passwd"
