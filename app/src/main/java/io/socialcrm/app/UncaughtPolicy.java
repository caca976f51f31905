package io.socialcrm.app;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when a stream thread dies of an exception the error handlers did not take (an
 * outage, a bug): the thread is replaced, so a passing failure (the registry unreachable for a
 * moment) heals itself; more than {@code maxReplacements} deaths within {@code window} mean it does
 * not pass, and the instance shuts down so that its orchestrator sees it and restarts or alerts.
 */
public final class UncaughtPolicy implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(UncaughtPolicy.class);
    private final int maxReplacements;
    private final long windowMs;
    private final Deque<Long> deaths = new ArrayDeque<>();

    public UncaughtPolicy(int maxReplacements, Duration window) {
        this.maxReplacements = maxReplacements;
        this.windowMs = window.toMillis();
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        long now = System.currentTimeMillis();
        deaths.addLast(now);
        while (!deaths.isEmpty() && deaths.peekFirst() < now - windowMs) {
            deaths.removeFirst();
        }
        if (deaths.size() > maxReplacements) {
            LOG.error("A stream thread died {} times within {} s; shutting this instance down", deaths.size(),
                    windowMs / 1000, exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("A stream thread died ({}); replacing it ({} of {} allowed within {} s)", exception.toString(),
                deaths.size(), maxReplacements, windowMs / 1000, exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
