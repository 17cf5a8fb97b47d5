package io.kfr.collectors.workingset;

/** A file as the kernel names it: device (st_dev) and inode. */
public record FileKey(long device, long inode) {
}
