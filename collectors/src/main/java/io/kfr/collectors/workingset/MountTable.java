package io.kfr.collectors.workingset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * This process's mounts (/proc/self/mountinfo): turns a path within a filesystem (what the BPF
 * program can walk: dentries up to the filesystem's root) into the paths it has here, and keeps
 * the one that is the same file (same device and inode).
 */
public final class MountTable {
    static final class Mount {
        private final long device;
        private final String root;
        private final String mountPoint;

        Mount(long device, String root, String mountPoint) {
            this.device = device;
            this.root = root;
            this.mountPoint = mountPoint;
        }

        public long device() {
            return device;
        }

        public String root() {
            return root;
        }

        public String mountPoint() {
            return mountPoint;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof Mount)) {
                return false;
            }
            Mount o = (Mount) other;
            return device == o.device && Objects.equals(root, o.root) && Objects.equals(mountPoint, o.mountPoint);
        }

        @Override
        public int hashCode() {
            int h = 0;
            h = 31 * h + Long.hashCode(device);
            h = 31 * h + Objects.hashCode(root);
            h = 31 * h + Objects.hashCode(mountPoint);
            return h;
        }

        @Override
        public String toString() {
            return "Mount[device=" + device + ", root=" + root + ", mountPoint=" + mountPoint + "]";
        }
    }

    private final List<Mount> mounts;

    MountTable(List<Mount> mounts) {
        this.mounts = List.copyOf(mounts);
    }

    public static MountTable ofThisProcess() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/self/mountinfo")));
    }

    static MountTable parse(List<String> lines) {
        List<Mount> list = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length < 5) {
                continue;
            }
            String[] mm = f[2].split(":");
            long major = Long.parseLong(mm[0]);
            long minor = Long.parseLong(mm[1]);
            list.add(new Mount(makedev(major, minor), unescape(f[3]), unescape(f[4])));
        }
        return new MountTable(list);
    }

    /** glibc's makedev: the st_dev user space sees. */
    static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xff);
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Candidate paths here for pathInFs on device, latest mount first (the one that hides the others). */
    public List<String> candidates(long device, String pathInFs) {
        List<String> out = new ArrayList<>();
        for (int i = mounts.size() - 1; i >= 0; i--) {
            Mount m = mounts.get(i);
            if (m.device() != device) {
                continue;
            }
            String rel;
            if ("/".equals(m.root())) {
                rel = pathInFs;
            } else if (pathInFs.equals(m.root()) || pathInFs.startsWith(m.root() + "/")) {
                rel = pathInFs.substring(m.root().length());
            } else {
                continue;
            }
            String p = "/".equals(m.mountPoint()) ? rel : m.mountPoint() + rel;
            out.add(p.isEmpty() ? "/" : p);
        }
        return out;
    }

    /** The path here of (device, inode, pathInFs) whose stat names that very file, or null. */
    public String resolve(long device, long inode, String pathInFs) {
        for (String p : candidates(device, pathInFs)) {
            try {
                FileIdentity id = FileIdentity.of(Path.of(p));
                if (id.inode() == inode && id.device() == device) {
                    return p;
                }
            } catch (IOException | RuntimeException e) {
                // not this one
            }
        }
        return null;
    }
}
