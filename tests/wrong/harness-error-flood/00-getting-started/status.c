/* Wrong answer: nine lines that make the compiler print a million errors
 * (hundreds of megabytes, each error with its macro expansion notes). The
 * compile step keeps the first lines and cuts the rest. */
#define A 1 = 1;
#define B A A A A A A A A A A
#define C B B B B B B B B B B
#define D C C C C C C C C C C
#define E D D D D D D D D D D
#define F E E E E E E E E E E
void flood(void) { F F F F F F F F F F }
