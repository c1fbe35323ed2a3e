/* progress.c — see progress.h. */
#include "run/progress.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_init(progress *p, FILE *f, double total, int want)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->total = total > 0 ? total : 1;
    p->enabled = want && f && isatty(fileno(f));
    p->lines = want && f && !p->enabled;
    snprintf(p->name, sizeof p->name, "crucible");
    p->t0 = wall_now();
}

void progress_name(progress *p, const char *name)
{
    snprintf(p->name, sizeof p->name, "%s", name ? name : "crucible");
}

static void fmt_time(char *buf, size_t len, double s);

void progress_piece(progress *p, double base, const char *label)
{
    p->base = base;
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    if (p->lines) {
        char el[32];
        fmt_time(el, sizeof el, wall_now() - p->t0);
        fprintf(p->f, "%s: %s (%d%% done, %s elapsed)\n", p->name, p->label,
                (int)(100 * base / p->total), el);
        fflush(p->f);
        return;
    }
    p->last_draw = 0; /* draw the new piece at once */
    progress_at(p, 0);
}

static void fmt_time(char *buf, size_t len, double s)
{
    if (s < 0 || s > 1e7) {
        snprintf(buf, len, "--:--");
        return;
    }
    long x = (long)(s + 0.5);
    if (x >= 3600)
        snprintf(buf, len, "%ld:%02ld:%02ld", x / 3600, x / 60 % 60, x % 60);
    else
        snprintf(buf, len, "%ld:%02ld", x / 60, x % 60);
}

void progress_at(progress *p, double u)
{
    if (!p->enabled)
        return;
    double now = wall_now();
    if (p->last_draw > 0 && now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    double done = p->base + u, frac = done / p->total;
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    double elapsed = now - p->t0;
    char eta[64];
    if (frac > 0.005)
        fmt_time(eta, sizeof eta, elapsed * (1 - frac) / frac);
    else
        snprintf(eta, sizeof eta, "--:--");
    enum { W = 30 };
    char bar[W + 1];
    int fill = (int)(frac * W);
    for (int i = 0; i < W; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[W] = '\0';
    fprintf(p->f, "\r[%s] %3d%%  %s  ETA %s\033[K", bar, (int)(frac * 100), p->label, eta);
    fflush(p->f);
    p->drawn = 1;
}

void progress_model_cb(void *ctx, double t, double horizon)
{
    (void)horizon;
    progress_at(ctx, t);
}

void progress_end(progress *p)
{
    if (p->enabled && p->drawn) {
        fputs("\r\033[K", p->f);
        fflush(p->f);
    }
    p->drawn = 0;
}
