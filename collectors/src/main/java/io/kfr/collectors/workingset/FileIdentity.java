package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A file's identity as stat(2) gives it: size, modification time, inode, device. */
public final class FileIdentity {
    private final long size;
    private final long mtimeNanos;
    private final long inode;
    private final long device;

    public FileIdentity(long size, long mtimeNanos, long inode, long device) {
        this.size = size;
        this.mtimeNanos = mtimeNanos;
        this.inode = inode;
        this.device = device;
    }

    public long size() {
        return size;
    }

    public long mtimeNanos() {
        return mtimeNanos;
    }

    public long inode() {
        return inode;
    }

    public long device() {
        return device;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof FileIdentity)) {
            return false;
        }
        FileIdentity o = (FileIdentity) other;
        return size == o.size && mtimeNanos == o.mtimeNanos && inode == o.inode && device == o.device;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(size);
        h = 31 * h + Long.hashCode(mtimeNanos);
        h = 31 * h + Long.hashCode(inode);
        h = 31 * h + Long.hashCode(device);
        return h;
    }

    @Override
    public String toString() {
        return "FileIdentity[size=" + size + ", mtimeNanos=" + mtimeNanos + ", inode=" + inode
                + ", device=" + device + "]";
    }


    /** The file's identity now; empty-handed (IOException) when it is gone or not a regular file. */
    public static FileIdentity of(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:size,lastModifiedTime,ino,dev,mode", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) a.get("mode");
        if ((mode & 0170000) != 0100000) {
            throw new IOException(path + " is not a regular file");
        }
        return new FileIdentity((Long) a.get("size"), ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
                (Long) a.get("ino"), (Long) a.get("dev"));
    }

    /** Why the file no longer is the one recorded, or null when it is. */
    public String differenceFrom(FileSet recorded) {
        if (inode != recorded.inode() || device != recorded.device()) {
            return "replaced (another inode)";
        }
        if (size != recorded.size()) {
            return "size changed (" + recorded.size() + " -> " + size + " bytes)";
        }
        if (mtimeNanos != recorded.mtimeNanos()) {
            return "modified since it was recorded";
        }
        return null;
    }
}
