package io.socialcrm.bench.micro;

import io.socialcrm.consent.SeenFilter;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The de-duplication filter's answer for a new event (nearly every event) when the window holds
 * eight million events: generations that double from 65,536 to 2,000,000 hashes ({@code doubling},
 * what the consent gate uses) against the fixed 250,000 of before ({@code fixed}, the baseline, run
 * in the same JMH run). Each "not seen" asks every generation; {@link #falsePositives()} counts
 * how often a new event would still go on to the index.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DedupeFilter {
    private static final long DAY = 86_400_000L;
    private static final int HELD = 8_000_000;

    @Param({"doubling", "fixed"})
    public String generations;

    private SeenFilter filter;
    private long next = HELD;
    private long positives;
    private long asked;

    @Setup(Level.Trial)
    public void setUp() {
        filter = generations.equals("fixed") ? new SeenFilter(7 * DAY, 250_000, 64) : new SeenFilter(7 * DAY);
        for (long n = 0; n < HELD; n++) {
            filter.put(hash(n), DAY);
        }
    }

    static byte[] hash(long n) {
        return ByteBuffer.allocate(8).putLong(n * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L).array();
    }

    /** A new event asked about: "not seen" unless a false positive. */
    @Benchmark
    public boolean newEvent() {
        asked++;
        boolean maybe = filter.mightContain(hash(next++), DAY);
        if (maybe) {
            positives++;
        }
        return maybe;
    }

    /** The share of new events the filter could not rule out (for the test). */
    double falsePositives() {
        return asked == 0 ? 0 : positives / (double) asked;
    }

    int generationsHeld() {
        return filter.generations();
    }
}
