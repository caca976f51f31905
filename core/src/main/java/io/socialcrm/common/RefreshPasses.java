package io.socialcrm.common;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.processor.TaskId;

/**
 * Passes over every customer that the process running the topology asks for, and which of them
 * the customer tasks of this instance have finished. A replay asks for one at its end: a timed pass
 * (every {@code segments.refresh.interval}) re-evaluates everyone as of stream time, and without one
 * after the last input a replay's results held the changes that time alone makes (a customer turning
 * dormant, say) only when a timed pass happened to run before the outputs were read.
 *
 * <p>One per application instance, made with its {@link TopologySettings} (like its {@link AppCounters});
 * in-process only: it asks nothing of the tasks other instances run. The customer stage's sweeps call
 * the methods below {@link #done}.
 */
public final class RefreshPasses {
    private final AtomicLong requested = new AtomicLong();
    /** For each open customer task, the last request its last complete pass began under (0: none yet). */
    private final Map<TaskId, Long> served = new ConcurrentHashMap<>();

    /** Asks each customer task for a pass that begins after this call; returns the request's number. */
    public long request() {
        return requested.incrementAndGet();
    }

    /**
     * True once every customer task open on this instance (at least one) has completed a pass that
     * began after request {@code number}.
     */
    public boolean done(long number) {
        return !served.isEmpty() && served.values().stream().allMatch(s -> s >= number);
    }

    /** The number of the last request (0: none). */
    public long requested() {
        return requested.get();
    }

    /** A customer task opened: {@link #done} waits for it too. */
    public void opened(TaskId task) {
        served.put(task, 0L);
    }

    /** The task completed a pass that began when {@code request} was the last request. */
    public void completed(TaskId task, long request) {
        served.put(task, request);
    }

    /** The task closed (moved to another instance, or the application stopped). */
    public void closed(TaskId task) {
        served.remove(task);
    }
}
