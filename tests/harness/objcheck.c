/*
 * objcheck: an exercise's compiled object may provide only what its header
 * declares.
 *
 *   objcheck OBJECT ALLOWED SOURCE
 *
 * OBJECT is the learner's file compiled (an ELF64 relocatable object);
 * ALLOWED lists the functions the exercise's header declares, one a line
 * (made from the header alone, never from the learner's file); SOURCE is the
 * learner's file, named in the messages. The rules, checked on the object
 * rather than the source, so that no macro, #line or asm block can hide
 * anything:
 *   - every symbol the object defines for other files (global, weak or
 *     unique) is a function of ALLOWED: a learner file cannot stand in for
 *     libc's memcmp, CUnit's CU_assertImplementation or the harness's main;
 *   - no constructors, destructors or ifuncs (sections .init_array,
 *     .fini_array, .preinit_array, .ctors, .dtors, .init, .fini, or
 *     symbols of type GNU_IFUNC): nothing of the learner's runs before main
 *     or after the verdict, when only the harness should;
 *   - no call into CUnit (CU_*) or the harness (grade_*, tu_*): the test
 *     checks the answer, the answer does not check itself.
 * The object is untrusted input: every offset and size is checked against
 * the file before use.
 *
 * Exit status: 0 the object keeps the rules; 1 it breaks one (one line per
 * finding on stderr, "SOURCE: error: ..."); 2 usage, or an object that
 * cannot be read or is not an ELF64 relocatable object.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_ALLOWED = 256, NAME_MAX_LEN = 128, MAX_FINDINGS = 10 };

static const char *source;
static int findings;

static void finding(const char *fmt, const char *name)
{
    if (findings++ >= MAX_FINDINGS)
        return;
    /* A name is the learner's text: print at most a line of it, printable only. */
    char safe[NAME_MAX_LEN + 1];
    size_t i = 0;
    for (; name[i] != '\0' && i < NAME_MAX_LEN; i++)
        safe[i] = name[i] >= 32 && name[i] < 127 ? name[i] : '?';
    safe[i] = '\0';
    fprintf(stderr, "%s: error: refused: ", source);
    fprintf(stderr, fmt, safe);
    fputc('\n', stderr);
}

static _Noreturn void unusable(const char *what)
{
    fprintf(stderr, "%s: error: refused: the compiled object is not usable (%s)\n", source, what);
    exit(2);
}

struct allowed {
    char names[MAX_ALLOWED][NAME_MAX_LEN];
    int n;
};

static void read_allowed(const char *path, struct allowed *a)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "objcheck: cannot read %s: %s\n", path, strerror(errno));
        exit(2);
    }
    char line[NAME_MAX_LEN];
    while (a->n < MAX_ALLOWED && fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '\0')
            memcpy(a->names[a->n++], line, sizeof line);
    }
    fclose(f);
}

static int is_allowed(const struct allowed *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->names[i], name) == 0)
            return 1;
    return 0;
}

static int starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* .init_array, .init_array.00100, .ctors ... but not .initial_data */
static int runs_by_itself(const char *name, Elf64_Word type)
{
    static const char *const sections[] = {".init_array", ".fini_array", ".preinit_array",
                                           ".ctors", ".dtors", ".init", ".fini"};
    if (type == SHT_INIT_ARRAY || type == SHT_FINI_ARRAY || type == SHT_PREINIT_ARRAY)
        return 1;
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
        size_t n = strlen(sections[i]);
        if (strncmp(name, sections[i], n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return 1;
    }
    return 0;
}

/* The object, mapped, with bounds-checked access to its parts. */
struct object {
    const unsigned char *data;
    size_t size;
};

static const void *part(const struct object *o, Elf64_Off off, Elf64_Xword len)
{
    if (off > o->size || len > o->size - off)
        unusable("a part lies outside the file");
    return o->data + off;
}

/* A NUL-terminated string at index idx of the string table section strtab. */
static const char *string_at(const struct object *o, const Elf64_Shdr *strtab, Elf64_Word idx)
{
    const char *base = part(o, strtab->sh_offset, strtab->sh_size);
    if (idx >= strtab->sh_size || memchr(base + idx, '\0', strtab->sh_size - idx) == NULL)
        unusable("a name lies outside its string table");
    return base + idx;
}

static void check_symbols(const struct object *o, const Elf64_Shdr *sh, Elf64_Half nsec,
                          const Elf64_Shdr *symtab, const struct allowed *a)
{
    if (symtab->sh_entsize != sizeof(Elf64_Sym) || symtab->sh_link >= nsec)
        unusable("a malformed symbol table");
    const Elf64_Sym *syms = part(o, symtab->sh_offset, symtab->sh_size);
    size_t n = symtab->sh_size / sizeof(Elf64_Sym);
    const Elf64_Shdr *strtab = &sh[symtab->sh_link];
    for (size_t i = 1; i < n; i++) {
        const Elf64_Sym *s = &syms[i];
        const char *name = string_at(o, strtab, s->st_name);
        int bind = ELF64_ST_BIND(s->st_info), type = ELF64_ST_TYPE(s->st_info);
        int exported = bind == STB_GLOBAL || bind == STB_WEAK || bind == STB_GNU_UNIQUE;
        if (type == STT_GNU_IFUNC)
            finding("'%s' is an ifunc, whose resolver runs before main", name);
        else if (s->st_shndx == SHN_UNDEF) {
            if (starts_with(name, "CU_") || starts_with(name, "grade_") || starts_with(name, "tu_"))
                finding("it uses '%s', which belongs to CUnit or the grading harness", name);
        } else if (exported && (type != STT_FUNC || !is_allowed(a, name)))
            finding("it defines '%s', which its header does not declare as a function: an "
                    "exercise may define only its header's functions (make helpers static)",
                    name);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: objcheck OBJECT ALLOWED SOURCE\n");
        return 2;
    }
    source = argv[3];
    static struct allowed allowed;
    read_allowed(argv[2], &allowed);

    int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        unusable(strerror(errno));
    if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr))
        unusable("too small to be an object");
    struct object o = {.size = (size_t)st.st_size};
    o.data = mmap(NULL, o.size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (o.data == MAP_FAILED)
        unusable(strerror(errno));

    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)o.data;
    if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
        eh->e_type != ET_REL || eh->e_shentsize != sizeof(Elf64_Shdr))
        unusable("not an ELF64 relocatable object");
    Elf64_Half nsec = eh->e_shnum;
    const Elf64_Shdr *sh = part(&o, eh->e_shoff, (Elf64_Xword)nsec * sizeof(Elf64_Shdr));
    if (nsec == 0 || eh->e_shstrndx >= nsec)
        unusable("no section names");
    const Elf64_Shdr *names = &sh[eh->e_shstrndx];

    for (Elf64_Half i = 1; i < nsec; i++) {
        const char *name = string_at(&o, names, sh[i].sh_name);
        if (runs_by_itself(name, sh[i].sh_type))
            finding("it has a %s section: a constructor or destructor, code that would run "
                    "outside the tests",
                    name);
        if (sh[i].sh_type == SHT_SYMTAB)
            check_symbols(&o, sh, nsec, &sh[i], &allowed);
    }
    return findings == 0 ? 0 : 1;
}
