/* The machine the numbers come from, read from /proc and uname(2). */
#include "machine.h"

#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The first "model name" line of /proc/cpuinfo (x86; other CPUs may lack it). */
static void cpu_model(char *buf, size_t size)
{
    snprintf(buf, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL) {
            snprintf(buf, size, "%s", colon + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

void machine_describe(FILE *out, int cpu_client, int cpu_server)
{
    char model[256];
    cpu_model(model, sizeof model);
    struct utsname u;
    if (uname(&u) == -1)
        memset(&u, 0, sizeof u);
    time_t now = time(NULL);
    char date[64];
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));

    fprintf(out, "cpu: %s\n", model);
    fprintf(out, "cores online: %ld (configured: %ld)\n", sysconf(_SC_NPROCESSORS_ONLN),
            sysconf(_SC_NPROCESSORS_CONF));
    fprintf(out, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
    if (cpu_client >= 0)
        fprintf(out, "pinning: sender on CPU %d, receiver on CPU %d\n", cpu_client, cpu_server);
    else
        fprintf(out, "pinning: none (fewer than two CPUs available)\n");
    fprintf(out, "date: %s\n", date);
}
