package io.kfr.it.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Mappings and Locations of {@code go tool pprof -raw}: what Go's pprof itself read from a
 * profile's mapping and location tables.
 */
final class RawProfile {
    /** "2: 0x7f4dab97c000/0x7f4dabad2000/0x26000 /usr/lib/x86_64-linux-gnu/libc.so.6 93ac61ec... [FN]". */
    private static final Pattern MAPPING = Pattern.compile(
            "^\\s*(\\d+): 0x([0-9a-f]+)/0x([0-9a-f]+)/0x([0-9a-f]+) (\\S*) ?([0-9a-f]*) ?\\[FN\\]\\s*$");
    /** "10: 0x7f4dab9dbe50 M=2 __futex_abstimed_wait_common :0 s=0". */
    private static final Pattern LOCATION = Pattern.compile("^\\s*(\\d+): 0x([0-9a-f]+) M=(\\d+) (.+?) :\\d+ s=\\d+\\s*$");

    record Mapping(int id, long start, long limit, long fileOffset, String file, String buildId) {
        boolean is(String fileName) {
            return file.endsWith("/" + fileName) || file.equals(fileName);
        }
    }

    record Location(long address, int mapping, String function) {
    }

    final Map<Integer, Mapping> mappings = new LinkedHashMap<>();
    final List<Location> locations = new ArrayList<>();

    RawProfile(String raw) {
        for (String line : raw.lines().toList()) {
            Matcher m = MAPPING.matcher(line);
            if (m.matches()) {
                int id = Integer.parseInt(m.group(1));
                mappings.put(id, new Mapping(id, Long.parseUnsignedLong(m.group(2), 16), Long.parseUnsignedLong(m.group(3), 16),
                        Long.parseUnsignedLong(m.group(4), 16), m.group(5), m.group(6)));
                continue;
            }
            Matcher l = LOCATION.matcher(line);
            if (l.matches()) {
                locations.add(new Location(Long.parseUnsignedLong(l.group(2), 16), Integer.parseInt(l.group(3)),
                        l.group(4).strip()));
            }
        }
    }

    Mapping mapping(String fileName) {
        return mappings.values().stream().filter(m -> m.is(fileName)).findFirst()
                .orElseThrow(() -> new AssertionError("no mapping of " + fileName + " in " + mappings.values()));
    }

    List<Location> locationsOf(Mapping m) {
        return locations.stream().filter(l -> l.mapping() == m.id()).toList();
    }
}
