/* test_layers.c — the source tree keeps its one-way dependencies (docs/architecture.md,
 * "Layers"): every #include "..." line of every file under sim/ is checked against the
 * table below. Inside sim/model a file may include headers of its own folder and of the
 * folders below it, never above; the engine and util know nothing of the model; the
 * model includes nothing of the layers that drive it (cli, run, scenario, store, sweep,
 * attack). A folder of sim/model missing from the table fails too, so a new folder is
 * placed in the order before it is used. */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The model's folders, bottom first: each may use those before it. "" is the top
 * (the files directly in sim/model: model, metrics). */
static const char *const model_layers[] = {"core", "token", "world", "adversary", "agents", ""};
enum { N_LAYERS = sizeof model_layers / sizeof *model_layers };

/* Folders of sim/ outside the model that the model may use (below it). */
static const char *const model_may_use[] = {"engine", "util"};

/* The rank of a sim/model folder, -1 if it is not in the table. */
static int layer_rank(const char *folder)
{
    for (int i = 0; i < N_LAYERS; i++)
        if (strcmp(model_layers[i], folder) == 0)
            return i;
    return -1;
}

/* The first path component of s (up to '/') into out; returns what follows the
 * slash, or NULL when s has no slash. */
static const char *first_part(const char *s, char *out, size_t cap)
{
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return slash ? slash + 1 : NULL;
}

/* The model folder of a path relative to sim/model ("token/ledger.c" -> "token",
 * "model.c" -> ""), into out. */
static void model_folder(const char *rel, char *out, size_t cap)
{
    if (!first_part(rel, out, cap))
        out[0] = '\0';
}

/* Whether file `path` (relative to the repository, under sim/) may include `inc`
 * (the text between the quotes). 0 when it may; otherwise 1 with why[] saying why. */
static int violation(const char *path, const char *inc, char *why, size_t cap)
{
    char top[64], ifold[64], ffold[64];
    const char *rest = first_part(path + 4, top, sizeof top); /* after "sim/" */
    const char *irest = first_part(inc, ifold, sizeof ifold);
    if (strcmp(top, "model") != 0) {
        for (size_t i = 0; i < sizeof model_may_use / sizeof *model_may_use; i++)
            if (strcmp(top, model_may_use[i]) == 0 && strcmp(ifold, "model") == 0) {
                snprintf(why, cap, "%s includes %s: %s/ sits below the model", path, inc, top);
                return 1;
            }
        return 0; /* the layers that drive the model may include its headers */
    }
    if (!rest)
        return 0;
    model_folder(rest, ffold, sizeof ffold);
    int fr = layer_rank(ffold);
    if (fr < 0) {
        snprintf(why, cap, "%s: sim/model/%s/ is not in the layer table of tests/test_layers.c "
                 "and docs/architecture.md", path, ffold);
        return 1;
    }
    if (!irest) /* a header of the same folder, by bare name */
        return 0;
    if (strcmp(ifold, "model") != 0) {
        for (size_t i = 0; i < sizeof model_may_use / sizeof *model_may_use; i++)
            if (strcmp(ifold, model_may_use[i]) == 0)
                return 0;
        snprintf(why, cap, "%s includes %s: the model knows nothing of %s/", path, inc, ifold);
        return 1;
    }
    char ilayer[64];
    model_folder(irest, ilayer, sizeof ilayer);
    int ir = layer_rank(ilayer);
    if (ir < 0) {
        snprintf(why, cap, "%s includes %s: sim/model/%s/ is not in the layer table", path, inc,
                 ilayer);
        return 1;
    }
    if (ir > fr) {
        snprintf(why, cap, "%s includes %s: %s/ may use only the folders below it, and %s/ is "
                 "above", path, inc, ffold[0] ? ffold : "(top)", ilayer[0] ? ilayer : "(top)");
        return 1;
    }
    return 0;
}

Test(layers, the_rule_rejects_upward_sideways_and_foreign_includes)
{
    char why[512];
    /* Allowed: down, same folder, engine and util, the top using anything. */
    cr_expect_eq(violation("sim/model/world/world.c", "model/token/token.h", why, sizeof why), 0);
    cr_expect_eq(violation("sim/model/agents/nodes.c", "model/agents/agents.h", why, sizeof why), 0);
    cr_expect_eq(violation("sim/model/agents/consumers.c", "model/adversary/attack.h", why, sizeof why), 0);
    cr_expect_eq(violation("sim/model/token/ledger.c", "engine/rng.h", why, sizeof why), 0);
    cr_expect_eq(violation("sim/model/model.c", "model/agents/agents.h", why, sizeof why), 0);
    cr_expect_eq(violation("sim/run/runner.c", "model/model.h", why, sizeof why), 0);
    /* Refused: up, into the top, the model using its drivers, the engine using the
     * model, an unknown folder. */
    cr_expect_eq(violation("sim/model/token/ledger.c", "model/world/world.h", why, sizeof why), 1);
    cr_expect_eq(violation("sim/model/adversary/farmers.c", "model/agents/agents.h", why, sizeof why), 1);
    cr_expect(strstr(why, "adversary/ may use only the folders below it"), "%s", why);
    cr_expect_eq(violation("sim/model/world/world.c", "model/model.h", why, sizeof why), 1);
    cr_expect_eq(violation("sim/model/core/params.c", "scenario/scenario.h", why, sizeof why), 1);
    cr_expect_eq(violation("sim/engine/sim.c", "model/core/params.h", why, sizeof why), 1);
    cr_expect_eq(violation("sim/model/extra/x.c", "model/core/dist.h", why, sizeof why), 1);
    cr_expect_eq(violation("sim/model/core/dist.c", "model/extra/x.h", why, sizeof why), 1);
}

/* Checks every #include "..." of one file; returns the number of violations. */
static int check_file(const char *path)
{
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot read %s", path);
    char line[1024], why[512];
    int bad = 0;
    while (fgets(line, sizeof line, f)) {
        const char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (strncmp(s, "#include", 8) != 0)
            continue;
        const char *q = strchr(s, '"');
        const char *e = q ? strchr(q + 1, '"') : NULL;
        if (!q || !e)
            continue; /* <system> headers */
        char inc[512];
        size_t n = (size_t)(e - q - 1);
        cr_assert_lt(n, sizeof inc);
        memcpy(inc, q + 1, n);
        inc[n] = '\0';
        if (violation(path, inc, why, sizeof why)) {
            cr_log_error("%s", why);
            bad++;
        }
    }
    fclose(f);
    return bad;
}

/* Walks dir recursively, checking .c, .h and .def files; counts files and violations. */
static void walk(const char *dir, int *files, int *bad)
{
    DIR *d = opendir(dir);
    cr_assert(d, "cannot open %s (run the tests from the repository root)", dir);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        cr_assert_eq(stat(path, &st), 0, "stat %s", path);
        if (S_ISDIR(st.st_mode)) {
            walk(path, files, bad);
            continue;
        }
        size_t len = strlen(path);
        if ((len > 2 && (strcmp(path + len - 2, ".c") == 0 || strcmp(path + len - 2, ".h") == 0)) ||
            (len > 4 && strcmp(path + len - 4, ".def") == 0)) {
            (*files)++;
            *bad += check_file(path);
        }
    }
    closedir(d);
}

Test(layers, every_include_under_sim_follows_the_layer_table)
{
    int files = 0, bad = 0;
    walk("sim", &files, &bad);
    cr_expect_gt(files, 50, "only %d source files found under sim/", files);
    cr_expect_eq(bad, 0, "%d includes go against the layer table (docs/architecture.md)", bad);
}
