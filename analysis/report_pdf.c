/* report_pdf.c — report.pdf and the summary card through headless Chromium (report_pdf.h). */
#define _XOPEN_SOURCE 700 /* nftw */
#include "report_pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/ofile.h"

/* How long a first try of Chromium may take before it is stopped and tried again (a
 * second try gets three times as long): CRUCIBLE_CHROMIUM_SECONDS, a whole number of
 * seconds from 1 to 3600, or 60 when it is not set; another value is an error. */
static int chromium_seconds(int *seconds, crc_err *err)
{
    const char *env = getenv("CRUCIBLE_CHROMIUM_SECONDS");
    *seconds = 60;
    if (!env || !*env)
        return CRC_OK;
    char *end;
    errno = 0;
    long v = strtol(env, &end, 10);
    if (*end || errno || v < 1 || v > 3600)
        return crc_err_set(err, CRC_EINPUT, "CRUCIBLE_CHROMIUM_SECONDS=%s: give a whole number "
                           "of seconds from 1 to 3600 (how long Chromium may take before it "
                           "is stopped and tried once more), or unset it for 60", env);
    *seconds = (int)v;
    return CRC_OK;
}

int report_find_chromium(char *buf, size_t len)
{
    const char *env = getenv("CRUCIBLE_CHROMIUM");
    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return access(buf, X_OK) == 0 ? 0 : -1;
    }
    static const char *const names[] = {"chromium", "chromium-browser"};
    const char *path = getenv("PATH");
    for (size_t k = 0; k < 2 && path; k++)
        for (const char *p = path; *p;) {
            size_t n = strcspn(p, ":");
            if (n && n + strlen(names[k]) + 2 < len) {
                snprintf(buf, len, "%.*s/%s", (int)n, p, names[k]);
                if (access(buf, X_OK) == 0)
                    return 0;
            }
            p += n + (p[n] == ':');
        }
    return -1;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Whether the file at path ends as a whole PDF or PNG does. */
static int complete(const char *path, int pdf)
{
    FILE *f = fopen(path, "rb");
    unsigned char tail[64];
    size_t n = 0;
    if (f && fseek(f, -(long)sizeof tail, SEEK_END) == 0)
        n = fread(tail, 1, sizeof tail, f);
    if (f)
        fclose(f);
    if (pdf) {
        for (size_t i = 0; i + 5 <= n; i++)
            if (!memcmp(tail + i, "%%EOF", 5))
                return 1;
        return 0;
    }
    static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    return n >= 8 && !memcmp(tail + n - 8, iend, 8);
}

/* One run of chromium writing what outflag says, in a fresh profile folder (removed
 * after), waited for at most seconds: then it and its helpers are killed and *hung is
 * set. *st is the child's wait status; an error only when it could not be started. */
static int chromium_once(const char *chrome, const char *sizeflag, const char *outflag,
                         const char *url, int seconds, int *st, int *hung,
                         crc_err *err)
{
    char profile[256], profflag[300];
    const char *tdir = getenv("TMPDIR");
    snprintf(profile, sizeof profile, "%s/crucible-chromium-XXXXXX", tdir && *tdir ? tdir : "/tmp");
    if (!mkdtemp(profile))
        return ofile_fail(err, profile, errno, "creating the folder");
    snprintf(profflag, sizeof profflag, "--user-data-dir=%s", profile);
    *hung = 0;
    *st = -1;
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        nftw(profile, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        return ofile_fail(err, chrome, e, "starting");
    }
    if (pid == 0) {
        setpgid(0, 0); /* its own group: a hung Chromium is killed with its helpers */
        int nul = open("/dev/null", O_RDWR);
        if (nul >= 0) {
            dup2(nul, STDIN_FILENO);
            dup2(nul, STDOUT_FILENO);
            dup2(nul, STDERR_FILENO);
        }
        execl(chrome, "chromium", "--headless", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--hide-scrollbars",
              "--force-device-scale-factor=1", "--no-pdf-header-footer",
              "--run-all-compositor-stages-before-draw", "--virtual-time-budget=5000",
              profflag, sizeflag, outflag, url, (char *)NULL);
        _exit(127);
    }
    {
        struct timespec nap = {0, 100 * 1000 * 1000};
        long waited = 0;
        pid_t r;
        while ((r = waitpid(pid, st, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
            if (r == 0 && ++waited > seconds * 10L) {
                *hung = 1;
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                while (waitpid(pid, st, 0) < 0 && errno == EINTR)
                    ;
                break;
            }
            nanosleep(&nap, NULL);
        }
    }
    nftw(profile, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return CRC_OK;
}

/* Runs chromium on html with the output flag `what` (e.g. --print-to-pdf=) into out. */
static int run_chromium(const char *html, const char *out, const char *what, const char *size,
                        int pdf, crc_err *err)
{
    char chrome[1024], url[PATH_MAX + 16], abs[PATH_MAX], tmp[1200], outflag[1300], sizeflag[64];
    if (report_find_chromium(chrome, sizeof chrome))
        return crc_err_set(err, CRC_EFAIL, "%s was not written: Chromium prints it and is not "
                           "installed; install the Debian package chromium (sudo apt-get "
                           "install chromium, or 'make deps') and run the same command again",
                           out);
    if (!realpath(html, abs))
        return ofile_fail(err, html, errno, "finding");
    int first, rc = ofile_check(out, err);
    if (rc || (rc = chromium_seconds(&first, err)))
        return rc;
    snprintf(url, sizeof url, "file://%s", abs);
    /* Chromium picks the format from the extension: NAME.tmp-XXXXXX.png (or .pdf). */
    const char *ext = pdf ? ".pdf" : ".png";
    size_t stem = strlen(out) >= 4 && !strcmp(out + strlen(out) - 4, ext) ? strlen(out) - 4
                                                                           : strlen(out);
    snprintf(tmp, sizeof tmp, "%.*s.tmp-XXXXXX%s", (int)stem, out, ext);
    int fd = mkstemps(tmp, 4);
    if (fd < 0)
        return ofile_fail(err, out, errno, "creating a temporary beside");
    close(fd);
    snprintf(outflag, sizeof outflag, "%s%s", what, tmp);
    snprintf(sizeflag, sizeof sizeflag, "--window-size=%s", size ? size : "1200,900");
    /* Headless Chromium now and then hangs before writing (seen on idle and busy
     * machines alike) and then finishes at once when run again: a first try gets
     * chromium_seconds(), a second, in a fresh profile, three times as long. */
    int st = -1, hung = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        rc = chromium_once(chrome, sizeflag, outflag, url,
                           attempt ? 3 * first : first, &st, &hung, err);
        if (rc) {
            remove(tmp);
            return rc;
        }
        if (!hung)
            break;
    }
    int ok = !hung && WIFEXITED(st) && WEXITSTATUS(st) == 0 && complete(tmp, pdf);
    if (!ok) {
        remove(tmp);
        if (hung)
            return crc_err_set(err, CRC_EFAIL, "Chromium (%s) did not finish %s, twice (within "
                               "%d, then %d seconds) and was stopped; run the same command "
                               "again (on a busy machine, later, or with a longer "
                               "CRUCIBLE_CHROMIUM_SECONDS than %d)", chrome, out, first,
                               3 * first, first);
        return crc_err_set(err, CRC_EFAIL, "Chromium (%s) did not write a complete %s from %s "
                           "(exit status %d); run it by hand to see why: %s --headless "
                           "--no-sandbox %s%s %s",
                           chrome, out, html, WIFEXITED(st) ? WEXITSTATUS(st) : -1, chrome,
                           what, out, url);
    }
    chmod(tmp, 0644);
    if (rename(tmp, out) != 0) {
        int e = errno;
        remove(tmp);
        return ofile_fail(err, out, e, "moving into place");
    }
    return CRC_OK;
}

int report_print_pdf(const char *html, const char *pdf, crc_err *err)
{
    return run_chromium(html, pdf, "--print-to-pdf=", NULL, 1, err);
}

int report_screenshot(const char *html, const char *png, int width, int height, crc_err *err)
{
    char size[64];
    snprintf(size, sizeof size, "%d,%d", width, height);
    return run_chromium(html, png, "--screenshot=", size, 0, err);
}
