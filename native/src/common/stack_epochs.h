/* Stack ids in epochs, for every collector that keeps kernel/user stacks in a BPF stack-trace map
 * (BPF programs, libkfr and, through the layout check, Java: io.kfr.collectors.stacks.StackEpochs).
 *
 * A stack-trace map never forgets a stack and answers a new stack whose bucket is taken with
 * EEXIST: on a server (user stacks through JIT code are new all the time) it fills within minutes
 * and then loses nearly every new stack, kernel frames included. So a collector keeps two maps and
 * takes them in turns: new stacks go to map (epoch & 1), and an id carries its epoch. A new epoch
 * clears the map of the epoch before last first. Only the current and the previous epoch's ids are
 * read; an older one is expired, never another stack. */
#ifndef KFR_STACK_EPOCHS_H
#define KFR_STACK_EPOCHS_H

/* bits 0-13: the bucket (maps of KFR_STACK_BUCKETS entries); bits 14-29: the epoch mod 2^16 */
#define KFR_STACK_BUCKETS      16384
#define KFR_STACK_BUCKET_MASK  (KFR_STACK_BUCKETS - 1)
#define KFR_STACK_EPOCH_SHIFT  14
#define KFR_STACK_EPOCH_MASK   0xffff

#endif
