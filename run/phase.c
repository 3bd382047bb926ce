/* run/phase.c: the names and descriptions of the phases of a run. */
#include "run/phase.h"

static const struct {
    const char *name, *desc;
} phases[PHASE__COUNT] = {
    [PHASE_BASELINE] = {"baseline", "during the baseline"},
    [PHASE_LOAD] = {"load", "during the load"},
    [PHASE_OBSERVE] = {"observe", "while observing"},
    [PHASE_SETTLE] = {"settle", "while settling"},
};

const char *phase_name(enum phase p)
{
    return p < PHASE__COUNT ? phases[p].name : "?";
}

const char *phase_desc(enum phase p)
{
    return p < PHASE__COUNT ? phases[p].desc : "?";
}
