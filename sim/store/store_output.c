/* store_output.c — a scenario's output.* parameters as the store's sampling choice
 * (store_output, store.h). Kept apart from store.c: the only part of the store that
 * reads model parameters. */
#include "store/store.h"

#include "model/core/params.h"

void store_output_from_params(const crc_params *p, store_output *o)
{
    static const char *const per_class[] = {"reward_tkn.", "roi.", "active."};
    static const char *const per_region[] = {"compute_share.", "compute_income_cost."};
    *o = (store_output){.sample_every = p->output_sample_every, .flows = p->output_flows};
    if (!p->output_class_metrics)
        for (size_t i = 0; i < sizeof per_class / sizeof *per_class; i++)
            o->exclude[o->n_exclude++] = per_class[i];
    if (!p->output_region_metrics)
        for (size_t i = 0; i < sizeof per_region / sizeof *per_region; i++)
            o->exclude[o->n_exclude++] = per_region[i];
}
