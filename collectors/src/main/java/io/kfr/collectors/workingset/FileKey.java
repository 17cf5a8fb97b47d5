package io.kfr.collectors.workingset;

/** A file as the kernel names it: device (st_dev) and inode. */
public final class FileKey {
    private final long device;
    private final long inode;

    public FileKey(long device, long inode) {
        this.device = device;
        this.inode = inode;
    }

    public long device() {
        return device;
    }

    public long inode() {
        return inode;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof FileKey)) {
            return false;
        }
        FileKey o = (FileKey) other;
        return device == o.device && inode == o.inode;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(device);
        h = 31 * h + Long.hashCode(inode);
        return h;
    }

    @Override
    public String toString() {
        return "FileKey[device=" + device + ", inode=" + inode + "]";
    }
}
