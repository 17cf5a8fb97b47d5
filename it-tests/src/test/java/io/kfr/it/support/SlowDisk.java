package io.kfr.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A disk that is slow for real, for the processes of one test: a cgroup (v1 blkio) whose reads
 * from the block device holding a file are throttled by the kernel to a set rate. This VM's disk
 * answers a 4 MB direct read in about 0.5 ms (the host caches it), so without this a "slow file
 * read" is slow only when the machine happens to be busy. No device mapper here (dm-delay).
 */
public final class SlowDisk implements AutoCloseable {
    private static final Path BLKIO = Path.of("/sys/fs/cgroup/blkio");
    private static final java.util.concurrent.atomic.AtomicInteger SEQUENCE = new java.util.concurrent.atomic.AtomicInteger();
    public final Path cgroup;

    private SlowDisk(Path cgroup) {
        this.cgroup = cgroup;
    }

    /** Reads of {@code onDiskOf}'s disk by processes in the returned cgroup: at most bytesPerSecond. */
    public static SlowDisk throttle(Path onDiskOf, long bytesPerSecond) throws IOException {
        return throttle(onDiskOf, bytesPerSecond, 0);
    }

    /**
     * Writes that processes in the returned cgroup issue themselves (direct I/O, and the writeback
     * an fsync starts) to {@code onDiskOf}'s disk: at most bytesPerSecond. This VM's disk finishes
     * an fsync of 256 kB in well under a millisecond, too little time to hold a tolerance to.
     */
    public static SlowDisk throttleWrites(Path onDiskOf, long bytesPerSecond) throws IOException {
        return throttle(onDiskOf, 0, bytesPerSecond);
    }

    /**
     * Reads of {@code onDiskOf}'s disk by processes (or threads, through the cgroup's tasks file) in
     * the returned cgroup: at most bytesPerSecond and at most iops requests a second (0: no limit), a
     * network volume's baseline rather than a disk the host caches.
     */
    public static SlowDisk throttleReads(Path onDiskOf, long bytesPerSecond, long iops) throws IOException {
        SlowDisk d = throttle(onDiskOf, bytesPerSecond, 0);
        if (iops > 0) {
            Files.writeString(d.cgroup.resolve("blkio.throttle.read_iops_device"), wholeDisk(onDiskOf) + " " + iops);
        }
        return d;
    }

    private static SlowDisk throttle(Path onDiskOf, long readBytesPerSecond, long writeBytesPerSecond)
            throws IOException {
        if (!Files.isRegularFile(BLKIO.resolve("cgroup.procs"))) {
            throw new AssertionError("the slow-disk test needs the cgroup v1 blkio controller at " + BLKIO);
        }
        String device = wholeDisk(onDiskOf);
        Path cgroup = Files.createDirectories(BLKIO.resolve("kfr-slow-disk-" + ProcessHandle.current().pid()
                + "-" + SEQUENCE.incrementAndGet()));
        if (readBytesPerSecond > 0) {
            Files.writeString(cgroup.resolve("blkio.throttle.read_bps_device"), device + " " + readBytesPerSecond);
        }
        if (writeBytesPerSecond > 0) {
            Files.writeString(cgroup.resolve("blkio.throttle.write_bps_device"), device + " " + writeBytesPerSecond);
        }
        return new SlowDisk(cgroup);
    }

    /** "major:minor" of the whole disk a file lives on (throttling takes disks, not partitions). */
    private static String wholeDisk(Path file) throws IOException {
        long dev = (Long) Files.getAttribute(file, "unix:dev");
        long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
        long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
        Path sys = Path.of("/sys/dev/block/" + major + ":" + minor).toRealPath();
        if (Files.exists(sys.resolve("partition"))) {
            sys = sys.getParent();
        }
        return Files.readString(sys.resolve("dev")).strip();
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(cgroup); // rmdir: empty once the test's processes have exited
    }
}
