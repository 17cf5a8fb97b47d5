package io.kfr.agent.workingset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kfr.collectors.workingset.FileIdentity;
import io.kfr.collectors.workingset.FileSet;
import io.kfr.collectors.workingset.PageRange;
import io.kfr.collectors.workingset.PrefetchMethod;
import io.kfr.collectors.workingset.PrefetchNative;
import io.kfr.collectors.workingset.WorkingSet;
import io.kfr.collectors.workingset.WorkingSetFormat;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefetchCommandTest {
    @TempDir
    Path dir;

    @Test
    void parsesOptionsAndTheCommandAfterTheSeparator() {
        PrefetchCommand.Options o = PrefetchCommand.parse(List.of("app.ws", "--method=populate", "--cap=64m", "--", "java", "-jar", "x.jar"), true);
        assertEquals(Path.of("app.ws"), o.file());
        assertEquals(PrefetchMethod.POPULATE, o.method());
        assertEquals(64L << 20, o.cap());
        assertEquals(List.of("java", "-jar", "x.jar"), o.command());
        assertEquals(PrefetchCommand.DEFAULT_METHOD, PrefetchCommand.parse(List.of("app.ws"), false).method());
        assertThrows(IllegalArgumentException.class, () -> PrefetchCommand.parse(List.of("app.ws", "--"), true));
        assertThrows(IllegalArgumentException.class, () -> PrefetchCommand.parse(List.of("app.ws", "java"), true));
        assertThrows(IllegalArgumentException.class, () -> PrefetchCommand.parse(List.of("app.ws", "--method=mmap"), false));
        assertThrows(IllegalArgumentException.class, () -> PrefetchCommand.parse(List.of("app.ws", "--cap=0"), false));
    }

    @Test
    void prefetchesARecordedFileThatWasMadeCold() throws Exception {
        Path data = dir.resolve("data.bin");
        Files.write(data, new byte[512 * 4096]);
        try (FileChannel ch = FileChannel.open(data, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        FileIdentity id = FileIdentity.of(data);
        Path ws = dir.resolve("app.ws");
        WorkingSetFormat.write(new WorkingSet(0, List.of(new FileSet(data.toString(), id.size(), id.mtimeNanos(), id.inode(),
                id.device(), List.of(new PageRange(0, 128))))), ws);
        assertEquals(null, PrefetchNative.load());
        assertEquals(0, PrefetchNative.evict(data.toString()));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = PrefetchCommand.prefetch(List.of(ws.toString(), "--method=populate"), new PrintStream(out), System.err);
        assertEquals(0, rc);
        assertTrue(out.toString().startsWith("kfr prefetch: 1 files, 0.5 MB by populate"), out.toString());
        assertEquals(128, PrefetchNative.resident(data.toString(), new long[] {0, 128 * 4096}));

        assertEquals(1, PrefetchCommand.prefetch(List.of(dir.resolve("missing.ws").toString()), new PrintStream(out), new PrintStream(new ByteArrayOutputStream())));
    }
}
