/* The BPF walker's configuration (kfr_walk_cfg.h) from the JVM's layout. */
#ifndef KFR_HOTSPOT_WALK_CFG_H
#define KFR_HOTSPOT_WALK_CFG_H

#include <linux/types.h>
#include <stddef.h>

#include "hotspot/hotspot_layout.h"
#include "hotspot/kfr_walk_cfg.h"

/* 0, or -1 with a one-line reason when the layout breaks an assumption of the BPF walker. */
int kfr_hs_walk_cfg(const struct kfr_hs_layout *l, struct kfr_walk_cfg *c, char *why, size_t whycap);

#endif
