package io.kfr.jfr;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Time base of a chunk: readers convert ticks with startTicks/startNanos/ticksPerSecond. kfr's
 * events are written in the JVM's first chunk's base, because the JDK 25 reader converts the ticks
 * of every chunk in a file with the first chunk's base; kfr's chunk header keeps that clock but
 * moves its start ({@link #rebasedNear}), because JMC loads only one chunk per start time.
 */
public final class TimeBase {
    private final long startNanos;
    private final long startTicks;
    private final long ticksPerSecond;

    public long startNanos() {
        return startNanos;
    }

    public long startTicks() {
        return startTicks;
    }

    public long ticksPerSecond() {
        return ticksPerSecond;
    }

    @Override
    public boolean equals(Object other) {
        if (this == other) {
            return true;
        }
        if (!(other instanceof TimeBase)) {
            return false;
        }
        TimeBase o = (TimeBase) other;
        return startNanos == o.startNanos && startTicks == o.startTicks && ticksPerSecond == o.ticksPerSecond;
    }

    @Override
    public int hashCode() {
        int h = 0;
        h = 31 * h + Long.hashCode(startNanos);
        h = 31 * h + Long.hashCode(startTicks);
        h = 31 * h + Long.hashCode(ticksPerSecond);
        return h;
    }

    @Override
    public String toString() {
        return "TimeBase[startNanos=" + startNanos + ", startTicks=" + startTicks
                + ", ticksPerSecond=" + ticksPerSecond + "]";
    }


    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public TimeBase(long startNanos, long startTicks, long ticksPerSecond) {
        if (ticksPerSecond <= 0) {
            throw new IllegalArgumentException("ticksPerSecond must be positive: " + ticksPerSecond);
        }
        this.startNanos = startNanos;
        this.startTicks = startTicks;
        this.ticksPerSecond = ticksPerSecond;
    }

    /** A base with nanosecond ticks starting at the given epoch time (tests, or no JVM recording). */
    public static TimeBase ofNanos(long startNanos) {
        return new TimeBase(startNanos, 0, NANOS_PER_SECOND);
    }

    /** Reads the 68-byte header of the first chunk of a .jfr file. */
    public static TimeBase ofFirstChunk(Path jfrFile) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ChunkLayout.HEADER_SIZE);
        try (FileChannel ch = FileChannel.open(jfrFile, StandardOpenOption.READ)) {
            while (b.hasRemaining()) {
                if (ch.read(b, b.position()) < 0) {
                    throw new IOException(jfrFile + ": not a JFR file (shorter than a chunk header)");
                }
            }
        }
        b.flip();
        ChunkLayout.checkMagic(b, jfrFile);
        long startNanos = b.getLong(ChunkLayout.START_NANOS_POSITION);
        long startTicks = b.getLong(ChunkLayout.START_TICKS_POSITION);
        long tps = b.getLong(ChunkLayout.TICKS_PER_SECOND_POSITION);
        if (tps <= 0) {
            throw new IOException(jfrFile + ": chunk header has ticksPerSecond " + tps);
        }
        return new TimeBase(startNanos, startTicks, tps);
    }

    /**
     * startTicks + (epochNanos - startNanos) * ticksPerSecond / 1e9, rounded down, without
     * overflow: whole seconds and the rest are scaled apart; BigInteger only where even that
     * overflows (a tick rate above 9.2 GHz, or centuries away from the base).
     */
    public long toTicks(long epochNanos) {
        try {
            long delta = Math.subtractExact(epochNanos, startNanos);
            if (ticksPerSecond > Long.MAX_VALUE / NANOS_PER_SECOND) {
                return exact(delta);
            }
            long seconds = Math.floorDiv(delta, NANOS_PER_SECOND);
            long rest = Math.floorMod(delta, NANOS_PER_SECOND);
            long ticks = Math.addExact(Math.multiplyExact(seconds, ticksPerSecond), rest * ticksPerSecond / NANOS_PER_SECOND);
            return Math.addExact(startTicks, ticks);
        } catch (ArithmeticException overflow) {
            return exact(BigInteger.valueOf(epochNanos).subtract(BigInteger.valueOf(startNanos)));
        }
    }

    /**
     * The same clock (every tick maps to the same epoch time) with its start moved to the latest
     * instant at or before {@code epochNanos} where nanos and ticks are both whole, but never onto
     * this base's own start. JMC loads only one chunk per start time, so kfr's chunk must not
     * start exactly where the JVM's chunk does, while the JDK 25 reader needs the JVM's clock.
     */
    TimeBase rebasedNear(long epochNanos) {
        // A step of s ns is step * tps / 1e9 whole ticks when s is a multiple of 1e9 / gcd(tps, 1e9).
        long stepNanos = NANOS_PER_SECOND / BigInteger.valueOf(ticksPerSecond).gcd(BigInteger.valueOf(NANOS_PER_SECOND)).longValueExact();
        long stepTicks = ticksPerSecond / (NANOS_PER_SECOND / stepNanos);
        long steps;
        try {
            steps = Math.floorDiv(Math.subtractExact(epochNanos, startNanos), stepNanos);
        } catch (ArithmeticException e) {
            steps = 0;
        }
        if (steps == 0) {
            steps = -1;
        }
        try {
            return new TimeBase(Math.addExact(startNanos, Math.multiplyExact(steps, stepNanos)),
                    Math.addExact(startTicks, Math.multiplyExact(steps, stepTicks)), ticksPerSecond);
        } catch (ArithmeticException e) {
            return new TimeBase(startNanos - stepNanos, startTicks - stepTicks, ticksPerSecond);
        }
    }

    /** The epoch time of a tick value, as the readers compute it. */
    public long toEpochNanos(long ticks) {
        return startNanos + (long) ((ticks - startTicks) / (ticksPerSecond / (double) NANOS_PER_SECOND));
    }

    private long exact(long delta) {
        return exact(BigInteger.valueOf(delta));
    }

    /** Floor of delta * tps / 1e9 plus startTicks, saturated to the long range. */
    private long exact(BigInteger delta) {
        BigInteger[] qr = delta.multiply(BigInteger.valueOf(ticksPerSecond))
                .divideAndRemainder(BigInteger.valueOf(NANOS_PER_SECOND));
        BigInteger ticks = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
        BigInteger result = ticks.add(BigInteger.valueOf(startTicks));
        if (result.bitLength() > 63) {
            return result.signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return result.longValue();
    }
}
