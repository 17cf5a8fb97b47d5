package io.kfr.collectors.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountTableTest {
    @Test
    void mapsFilesystemPathsToThePathsOfEachMount() {
        MountTable t = MountTable.parse(List.of(
                "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw",
                "90 26 254:0 /srv/data /mnt/with\\040space rw - ext4 /dev/vda rw",
                "91 26 8:17 / /home rw - xfs /dev/sdb1 rw"));
        long vda = MountTable.makedev(254, 0);
        assertEquals(List.of("/mnt/with space/x.jar", "/srv/data/x.jar"), t.candidates(vda, "/srv/data/x.jar"));
        assertEquals(List.of("/usr/lib/libjvm.so"), t.candidates(vda, "/usr/lib/libjvm.so"));
        assertEquals(List.of("/home/u/a"), t.candidates(MountTable.makedev(8, 17), "/u/a"));
        assertEquals(List.of(), t.candidates(MountTable.makedev(8, 18), "/u/a"));
    }

    @Test
    void makedevIsGlibcs() {
        assertEquals(0xfe00L, MountTable.makedev(254, 0));
        assertEquals(0x811L, MountTable.makedev(8, 17));
        assertEquals((0x1000L << 32) | (0x123L << 8) | (0x45600L << 12) | 0x78, MountTable.makedev(0x1123, 0x45678));
    }
}
