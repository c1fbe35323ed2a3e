/*
 * test_integrity_files.c — files that are not ours are left alone, and what we write is
 * whole or clearly not (issue 23): `export`, `plot` and `report` refuse a symbolic
 * link, a FIFO, a device or a folder as their output and leave it untouched; `report`
 * keeps a baseline.db that is not a results database; on a full disk each says so,
 * exits 1, leaves nothing under a final name, and the same command finishes once space
 * is free; a killed report leaves its folder marked INCOMPLETE and never a truncated
 * report under a final name; and the binary under test reports the Makefile's VERSION.
 *
 * The full-disk tests mount a small tmpfs (CI runs the suite as root); where mounting is
 * not permitted they are skipped with the reason. Scratch folders come from mkdtemp and
 * are removed by the test.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures/analysis/fixture_db.h"
#include "util/ofile.h"

/* ---- scratch folder, commands, files ------------------------------------------- */

static char dir[64];
static int mounted; /* dir/fs is a tmpfs this test mounted */

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/crc-intfiles-XXXXXX");
    cr_assert(mkdtemp(dir));
    mounted = 0;
}

static void teardown(void)
{
    char cmd[256];
    if (mounted) {
        snprintf(cmd, sizeof cmd, "umount '%s/fs'", dir);
        cr_expect_eq(system(cmd), 0, "umount");
    }
    if (strncmp(dir, "/tmp/crc-intfiles-", 18))
        return; /* never remove anything else */
    snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(integrity_files, .init = setup, .fini = teardown);

static const char *in_dir(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0, r;
    char *s = malloc(cap + 1);
    cr_assert(s);
    while ((r = fread(s + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            s = realloc(s, 2 * cap + 1);
            cr_assert(s);
            cap *= 2;
        }
    }
    fclose(f);
    s[n] = 0;
    return s;
}

static void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert(f, "%s", path);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
}

static const char *bin(void)
{
    const char *b = getenv("CRUCIBLE_BIN");
    cr_assert(b, "CRUCIBLE_BIN is set by make test");
    return b;
}

/* The repository root, absolute (commands run in the scratch folder): the working
 * directory under make, else above CRUCIBLE_BIN. */
static const char *root(void)
{
    static char r[4096];
    if (access("Makefile", R_OK) == 0 && access("tests/fixtures/analysis", R_OK) == 0) {
        cr_assert(getcwd(r, sizeof r));
        return r;
    }
    snprintf(r, sizeof r, "%s", bin());
    char *slash, probe[4200];
    while ((slash = strrchr(r, '/'))) {
        *slash = 0;
        snprintf(probe, sizeof probe, "%s/tests/fixtures/analysis", r);
        if (access(probe, R_OK) == 0)
            return r;
    }
    cr_assert_fail("cannot find the repository root from %s", bin());
    return NULL;
}

/* Runs `crucible ARGS` in dir with stdout and stderr to dir/out.txt, dir/err.txt;
 * returns the exit status (-1 when killed by a signal). */
static int crucible(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && timeout 600 '%s' %s > out.txt 2> err.txt", dir,
             bin(), args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *err_text(void)
{
    static char *last;
    free(last);
    last = slurp(in_dir("err.txt"));
    return last ? last : "";
}

static int is_kind(const char *path, mode_t kind)
{
    struct stat st;
    return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* Names in a folder holding ".tmp-" (a temporary that was left behind). */
static int temporaries_in(const char *folder)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q '\\.tmp-'", folder);
    return system(cmd) == 0;
}

/* The hostile targets: a symbolic link to a file of the user's, a FIFO, a folder, and
 * (when mknod is permitted) a character device of our own with /dev/null's numbers —
 * never /dev/null itself. Returns how many were made (3 or 4). */
static int hostile_targets(const char *stem, const char *ext, char names[4][128])
{
    spit(in_dir("precious.txt"), "the user's own file\n");
    snprintf(names[0], 128, "%s-link%s", stem, ext);
    snprintf(names[1], 128, "%s-fifo%s", stem, ext);
    snprintf(names[2], 128, "%s-dir%s", stem, ext);
    snprintf(names[3], 128, "%s-dev%s", stem, ext);
    cr_assert_eq(symlink("precious.txt", in_dir(names[0])), 0);
    cr_assert_eq(mkfifo(in_dir(names[1]), 0644), 0);
    cr_assert_eq(mkdir(in_dir(names[2]), 0755), 0);
    if (mknod(in_dir(names[3]), S_IFCHR | 0666, makedev(1, 3)) != 0) {
        cr_log_warn("mknod not permitted here (%s): the device case is not run",
                    strerror(errno));
        return 3;
    }
    return 4;
}

static void expect_untouched(char names[4][128], int n)
{
    static const mode_t kinds[4] = {S_IFLNK, S_IFIFO, S_IFDIR, S_IFCHR};
    for (int i = 0; i < n; i++)
        cr_expect(is_kind(in_dir(names[i]), kinds[i]), "%s was replaced", names[i]);
    char *keep = slurp(in_dir("precious.txt"));
    cr_expect_str_eq(keep ? keep : "", "the user's own file\n", "the link's target changed");
    free(keep);
}

/* ---- files that are not ours ---------------------------------------------------- */

Test(integrity_files, export_refuses_links_fifos_folders_and_devices)
{
    fixture_plain(in_dir("b.db"), "baseline", 0.0, 2);
    char names[4][128], args[512];
    int n = hostile_targets("x", ".csv", names);
    static const char *const why[4] = {"symbolic link", "FIFO", "directory", "device"};
    for (int i = 0; i < n; i++) {
        snprintf(args, sizeof args, "export b.db --out %s", names[i]);
        cr_expect_eq(crucible(args), 2, "export --out %s: %s", names[i], err_text());
        cr_expect(strstr(err_text(), why[i]) && strstr(err_text(), "left untouched"),
                  "%s: %s", names[i], err_text());
    }
    expect_untouched(names, n);
    cr_expect(!temporaries_in(dir));
    /* A regular file is replaced whole. */
    spit(in_dir("old.csv"), "old\n");
    cr_expect_eq(crucible("export b.db --table runs --out old.csv"), 0, "%s", err_text());
    char *csv = slurp(in_dir("old.csv"));
    cr_expect(csv && !strncmp(csv, "id,scenario,", 12), "%s", csv ? csv : "(none)");
    free(csv);
}

Test(integrity_files, plot_refuses_links_fifos_folders_and_devices_for_each_of_its_files)
{
    fixture_plain(in_dir("b.db"), "baseline", 0.0, 2);
    char names[4][128], args[512];
    int n = hostile_targets("p", ".png", names);
    for (int i = 0; i < n; i++) {
        snprintf(args, sizeof args, "plot b.db --kind flows --out %s", names[i]);
        cr_expect_eq(crucible(args), 2, "plot --out %s: %s", names[i], err_text());
        cr_expect(strstr(err_text(), "left untouched"), "%s", err_text());
        /* Refused before anything was written: no script or data beside it either. */
        char gp[160];
        snprintf(gp, sizeof gp, "%.*s.gp", (int)strlen(names[i]) - 4, names[i]);
        cr_expect(!exists(in_dir(gp)), "%s written although the picture was refused", gp);
    }
    expect_untouched(names, n);
    /* The script and the data are ours to refuse too: a link as q.gp keeps q.png away. */
    cr_assert_eq(symlink("precious.txt", in_dir("q.gp")), 0);
    cr_expect_eq(crucible("plot b.db --kind flows --out q.png"), 2, "%s", err_text());
    cr_expect(is_kind(in_dir("q.gp"), S_IFLNK));
    cr_expect(!exists(in_dir("q.png")) && !exists(in_dir("q.dat")));
    cr_assert_eq(mkfifo(in_dir("r.dat"), 0644), 0);
    cr_expect_eq(crucible("plot b.db --kind flows --out r.png"), 2, "%s", err_text());
    cr_expect(is_kind(in_dir("r.dat"), S_IFIFO));
    cr_expect(!exists(in_dir("r.png")) && !exists(in_dir("r.gp")));
    expect_untouched(names, n);
    cr_expect(!temporaries_in(dir));
}

static char report_args[2048];

static const char *report_cmd(const char *out, const char *question)
{
    snprintf(report_args, sizeof report_args,
             "report --baseline '%s/tests/fixtures/analysis/baseline.yaml' --proposal "
             "'%s/tests/fixtures/analysis/proposal.yaml' --seed 11 --replicates 2 --out '%s' "
             "--question '%s'",
             root(), root(), out, question);
    return report_args;
}

Test(integrity_files, report_refuses_what_is_not_a_folder_or_not_its_own_file)
{
    alarm(600);
    char names[4][128];
    int n = hostile_targets("out", "", names);
    /* --out: a link (even to a folder), a FIFO, a device; a plain file too. */
    for (int i = 0; i < n; i++) {
        if (i == 2)
            continue; /* a folder is what --out should be */
        cr_expect_eq(crucible(report_cmd(names[i], "q")), 2, "%s: %s", names[i], err_text());
        cr_expect(strstr(err_text(), "not a folder"), "%s", err_text());
    }
    cr_assert_eq(symlink("out-dir", in_dir("out-dirlink")), 0);
    cr_expect_eq(crucible(report_cmd("out-dirlink", "q")), 2, "%s", err_text());
    cr_expect(!exists(in_dir("out-dir/INCOMPLETE")), "nothing written through the link");
    spit(in_dir("plain.txt"), "notes\n");
    cr_expect_eq(crucible(report_cmd("plain.txt", "q")), 2, "%s", err_text());
    char *s = slurp(in_dir("plain.txt"));
    cr_expect_str_eq(s ? s : "", "notes\n");
    free(s);
    expect_untouched(names, n);

    /* Inside the folder: a report.md that is a link, a plots/ picture that is a FIFO. */
    cr_assert_eq(mkdir(in_dir("d1"), 0755), 0);
    cr_assert_eq(symlink("../precious.txt", in_dir("d1/report.md")), 0);
    cr_expect_eq(crucible(report_cmd("d1", "q")), 2, "%s", err_text());
    cr_expect(strstr(err_text(), "d1/report.md is a symbolic link"), "%s", err_text());
    cr_expect(!exists(in_dir("d1/baseline.db")) && !exists(in_dir("d1/INCOMPLETE")),
              "refused before anything ran");
    cr_assert_eq(mkdir(in_dir("d2"), 0755), 0);
    cr_assert_eq(mkdir(in_dir("d2/plots"), 0755), 0);
    cr_assert_eq(mkfifo(in_dir("d2/plots/flows_baseline.png"), 0644), 0);
    cr_expect_eq(crucible(report_cmd("d2", "q")), 2, "%s", err_text());
    cr_expect(is_kind(in_dir("d2/plots/flows_baseline.png"), S_IFIFO));
    cr_expect(!exists(in_dir("d2/INCOMPLETE")));
    expect_untouched(names, n);
}

Test(integrity_files, report_keeps_a_baseline_db_that_is_not_a_results_database)
{
    alarm(600);
    cr_assert_eq(mkdir(in_dir("d"), 0755), 0);
    spit(in_dir("d/baseline.db"), "my notes, not a database\n");
    cr_expect_eq(crucible(report_cmd("d", "q")), 2, "%s", err_text());
    cr_expect(strstr(err_text(), "not a Crucible results database"), "%s", err_text());
    char *s = slurp(in_dir("d/baseline.db"));
    cr_expect_str_eq(s ? s : "", "my notes, not a database\n", "baseline.db was replaced");
    free(s);
    cr_expect(!exists(in_dir("d/proposal.db")) && !exists(in_dir("d/report.md")));
    /* A results database of ours is replaced (the report's own earlier run). */
    cr_assert_eq(unlink(in_dir("d/baseline.db")), 0);
    fixture_plain(in_dir("d/baseline.db"), "old", 0.0, 2);
    cr_expect_eq(crucible(report_cmd("d", "q")), 0, "%s", err_text());
    cr_expect(!exists(in_dir("d/INCOMPLETE")));
}

/* ---- a full disk -------------------------------------------------------------------- */

/* Mounts a tmpfs of `kib` KiB at dir/fs, or skips the test saying why. */
static void small_disk(int kib)
{
    char cmd[256];
    cr_assert_eq(mkdir(in_dir("fs"), 0755), 0);
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=%dk crc-full '%s/fs' 2> '%s/mount.txt'",
             kib, dir, dir);
    if (system(cmd) != 0) {
        char *why = slurp(in_dir("mount.txt"));
        cr_log_warn("full-disk test skipped: cannot mount a tmpfs here (%s)", why ? why : "");
        free(why);
        cr_skip_test("mounting a tmpfs is not permitted");
    }
    mounted = 1;
}

/* Fills dir/fs/filler until the disk is full, then gives back `spare` bytes. */
static void fill_disk(long spare)
{
    int fd = open(in_dir("fs/filler"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0);
    static char block[4096];
    long total = 0;
    ssize_t w;
    while ((w = write(fd, block, sizeof block)) > 0)
        total += w;
    cr_assert_eq(errno, ENOSPC, "filling the disk stopped with %s", strerror(errno));
    cr_assert_eq(ftruncate(fd, total > spare ? total - spare : 0), 0);
    close(fd);
}

static void free_disk(void)
{
    cr_assert_eq(unlink(in_dir("fs/filler")), 0);
}

Test(integrity_files, ofile_on_a_full_disk_keeps_the_previous_file_and_no_temporary)
{
    small_disk(256);
    spit(in_dir("fs/t.txt"), "previous complete text\n");
    fill_disk(0);
    ofile o;
    crc_err err;
    crc_err_clear(&err);
    cr_assert_eq(ofile_open(&o, in_dir("fs/t.txt"), &err), CRC_OK, "%s", err.msg);
    for (int i = 0; i < 10000; i++)
        fprintf(o.f, "line %d of a text that does not fit\n", i);
    cr_expect_eq(ofile_commit(&o, &err), CRC_EFAIL);
    cr_expect(ofile_is_full(&err), "%s", err.msg);
    cr_expect(strstr(err.msg, "fs/t.txt"), "names the file: %s", err.msg);
    char *s = slurp(in_dir("fs/t.txt"));
    cr_expect_str_eq(s ? s : "", "previous complete text\n");
    free(s);
    cr_expect(!temporaries_in(in_dir("fs")));
    ofile_abort(&o); /* a no-op after commit */
    free_disk();
    cr_assert_eq(ofile_open(&o, in_dir("fs/t.txt"), &err), CRC_OK, "%s", err.msg);
    fputs("new text\n", o.f);
    cr_expect_eq(ofile_commit(&o, &err), CRC_OK, "%s", err.msg);
    s = slurp(in_dir("fs/t.txt"));
    cr_expect_str_eq(s ? s : "", "new text\n");
    free(s);
}

/* Needs no mount: the file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored as a careful
 * caller would) makes write fail with EFBIG in a child process. */
Test(integrity_files, ofile_past_the_file_size_limit_names_the_limit_and_keeps_the_file)
{
    spit(in_dir("big.txt"), "previous complete text\n");
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit rl = {16384, 16384};
        if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
            _exit(3);
        ofile o;
        crc_err err;
        if (ofile_open(&o, in_dir("big.txt"), &err))
            _exit(4);
        for (int i = 0; i < 10000; i++)
            fprintf(o.f, "line %d of a text past the limit\n", i);
        int rc = ofile_commit(&o, &err);
        _exit(rc == CRC_EFAIL && strstr(err.msg, "file-size limit") &&
                      strstr(err.msg, "big.txt was not written") ? 0 : 5);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child status %d", st);
    char *s = slurp(in_dir("big.txt"));
    cr_expect_str_eq(s ? s : "", "previous complete text\n");
    free(s);
    cr_expect(!temporaries_in(dir));
}

Test(integrity_files, export_and_plot_on_a_full_disk_say_so_and_finish_when_rerun)
{
    small_disk(1024);
    fixture_plain(in_dir("b.db"), "baseline", 0.0, 4);
    fill_disk(0);
    static const char *const cmds[2] = {"export b.db --out fs/m.csv",
                                        "plot b.db --kind timeseries --metric price_usd "
                                        "--out fs/p.png"};
    static const char *const outs[2][3] = {{"fs/m.csv", NULL, NULL},
                                           {"fs/p.png", "fs/p.gp", "fs/p.dat"}};
    for (int c = 0; c < 2; c++) {
        cr_expect_eq(crucible(cmds[c]), 1, "%s: %s", cmds[c], err_text());
        cr_expect(strstr(err_text(), "is full: free space and run the same command again"),
                  "%s: %s", cmds[c], err_text());
        cr_expect(strstr(err_text(), "fs/"), "names the file: %s", err_text());
        for (int k = 0; k < 3 && outs[c][k]; k++)
            cr_expect(!exists(in_dir(outs[c][k])), "%s left under its final name",
                      outs[c][k]);
    }
    cr_expect(!temporaries_in(in_dir("fs")));
    free_disk();
    for (int c = 0; c < 2; c++) {
        cr_expect_eq(crucible(cmds[c]), 0, "%s after freeing space: %s", cmds[c], err_text());
        for (int k = 0; k < 3 && outs[c][k]; k++) {
            struct stat st;
            cr_expect(stat(in_dir(outs[c][k]), &st) == 0 && st.st_size > 0, "%s",
                      outs[c][k]);
        }
    }
}

Test(integrity_files, plot_with_room_for_the_script_but_not_the_picture_names_the_picture)
{
    small_disk(512);
    fixture_plain(in_dir("b.db"), "baseline", 0.0, 4);
    fill_disk(24 * 1024); /* the script and the data fit; a 50 KB picture does not */
    cr_expect_eq(crucible("plot b.db --kind flows --out fs/f.png"), 1, "%s", err_text());
    cr_expect(strstr(err_text(), "the disk holding fs/f.png is full"), "%s", err_text());
    cr_expect(!exists(in_dir("fs/f.png")));
    cr_expect(!temporaries_in(in_dir("fs")));
    free_disk();
    cr_expect_eq(crucible("plot b.db --kind flows --out fs/f.png"), 0, "%s", err_text());
}

Test(integrity_files, report_on_a_full_disk_is_marked_incomplete_and_finishes_when_rerun)
{
    alarm(600);
    small_disk(2048);
    fill_disk(160 * 1024); /* room for the marker and some of the databases */
    const char *cmd = report_cmd("fs/r", "full disk");
    cr_expect_eq(crucible(cmd), 1, "%s", err_text());
    cr_expect(strstr(err_text(), "is full: free space and run the same command again"), "%s",
              err_text());
    cr_expect(!strstr(err_text(), "nothing of this run was stored"), "%s", err_text());
    cr_expect(exists(in_dir("fs/r/INCOMPLETE")), "the folder is marked incomplete");
    cr_expect(!exists(in_dir("fs/r/report.md")) && !exists(in_dir("fs/r/report.html")));
    cr_expect(!temporaries_in(in_dir("fs/r")));
    free_disk();
    cr_expect_eq(crucible(cmd), 0, "the same command after freeing space: %s", err_text());
    cr_expect(!exists(in_dir("fs/r/INCOMPLETE")));
    char *md = slurp(in_dir("fs/r/report.md"));
    cr_expect(md && strstr(md, "full disk"), "the report is there");
    free(md);
}

/* ---- a killed report ------------------------------------------------------------------ */

/* Whether report.md / report.html in folder d end as a whole report does. */
static void expect_whole_or_absent(const char *d, const char *question)
{
    char p[600];
    snprintf(p, sizeof p, "%s/report.html", d);
    char *html = slurp(p);
    if (html) {
        size_t n = strlen(html);
        cr_expect(n > 8 && !strcmp(html + n - 8, "</html>\n"), "report.html is truncated");
        cr_expect(strstr(html, question), "report.html is not this run's");
    }
    snprintf(p, sizeof p, "%s/report.md", d);
    char *md = slurp(p);
    if (md) {
        cr_expect(strstr(md, "explains each statistic."), "report.md is truncated");
        cr_expect(strstr(md, question), "report.md is not this run's (the old one remained)");
    }
    snprintf(p, sizeof p, "%s/INCOMPLETE", d);
    if (!exists(p))
        cr_expect(!md == !html, "one of report.md and report.html without the other, and "
                                "the folder not marked incomplete");
    free(html);
    free(md);
}

Test(integrity_files, killed_report_is_marked_incomplete_never_truncated_or_stale)
{
    alarm(900);
    cr_assert_eq(crucible(report_cmd("r", "OLD question")), 0, "%s", err_text());
    /* Kill the same report, asking a new question, at successive stages. */
    static const char *const stages[] = {"r/INCOMPLETE", "r/baseline.db.partial",
                                         "r/proposal.db.partial", "r/plots/flows_baseline.png",
                                         NULL};
    for (const char *const *stage = stages; *stage; stage++) {
        /* Removing the file first means the stage is seen only when this run reaches it. */
        if (strcmp(*stage, "r/INCOMPLETE"))
            unlink(in_dir(*stage));
        char cmd[4096];
        snprintf(cmd, sizeof cmd, "cd '%s' && exec '%s' %s > /dev/null 2>&1", dir, bin(),
                 report_cmd("r", "NEW question"));
        pid_t pid = fork();
        cr_assert(pid >= 0);
        if (pid == 0) {
            execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
            _exit(127);
        }
        int st;
        struct timespec ms = {0, 1000000};
        while (!exists(in_dir(*stage)) && waitpid(pid, &st, WNOHANG) == 0)
            nanosleep(&ms, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        expect_whole_or_absent(in_dir("r"), "NEW question");
    }
    /* The same command finishes it, and clears what the killed ones left. */
    cr_expect_eq(crucible(report_cmd("r", "NEW question")), 0, "%s", err_text());
    cr_expect(!exists(in_dir("r/INCOMPLETE")));
    cr_expect(!temporaries_in(in_dir("r")) && !temporaries_in(in_dir("r/plots")));
    expect_whole_or_absent(in_dir("r"), "NEW question");
    cr_expect(!exists(in_dir("r/baseline.db.partial")) && !exists(in_dir("r/proposal.db.partial")));
}

/* ---- the build -------------------------------------------------------------------------- */

Test(integrity_files, binary_under_test_reports_the_makefile_version)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/Makefile", root());
    char *mk = slurp(path);
    cr_assert(mk, "%s", path);
    const char *v = strstr(mk, "\nVERSION := ");
    cr_assert(v, "the Makefile sets VERSION := x.y.z");
    v += 12;
    char want[64];
    snprintf(want, sizeof want, "crucible %.*s (", (int)strcspn(v, " \n"), v);
    free(mk);
    cr_assert_eq(crucible("--version"), 0);
    char *out = slurp(in_dir("out.txt"));
    cr_expect(out && !strncmp(out, want, strlen(want)), "want '%s...', got '%s'", want,
              out ? out : "");
    cr_expect(!strstr(want, "0.0.0"));
    free(out);
}
