package io.socialcrm.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps the console readable without hiding a stuck Kafka client. Kafka's producer warns on every
 * retried send, and the in-process broker logs every append it refuses; when a producer is stuck
 * (for example on a partition that refuses its sequence numbers) those lines are the only sign of
 * it, repeated many times a second. Silencing them hid exactly that failure, so instead this filter
 * lets each distinct warning through once per {@link #setIntervalMillis interval} (numbers such as
 * correlation ids and attempt counts do not make a warning distinct; topic-partitions and error
 * names do) and reports how many it held back when it next lets one through.
 *
 * <p>It also remembers the most recent warnings of those loggers, so that a command that sees no
 * progress can say which topic-partition is stuck and on which error ({@link #recent}). The
 * messages are Kafka's own (topic-partitions, error codes, client ids): no personal data.
 *
 * <p>Configured in {@code logback.xml} as a {@code turboFilter} with one or more {@code logger}
 * name prefixes.
 */
public final class ClientWarnings extends TurboFilter {
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.-])\\d+(?![\\w-])");
    private static final int RECENT = 32;
    private static final org.slf4j.Logger SUMMARY = org.slf4j.LoggerFactory.getLogger(ClientWarnings.class);

    /** The latest warnings, oldest first, shared by every instance of the filter (there is one per logging context). */
    private static final Map<String, Recent> LATEST = new LinkedHashMap<>(RECENT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Recent> eldest) {
            return size() > RECENT;
        }
    };

    private final List<String> prefixes = new ArrayList<>();
    private long intervalNanos = TimeUnit.SECONDS.toNanos(30);
    private final Map<String, Window> windows = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
            return size() > 1024;
        }
    };

    /** A warning seen recently: its text, when, and how often since it was first seen. */
    public record Recent(String logger, String message, long atMillis, long count) {
    }

    private static final class Window {
        long openedNanos;
        long held;
    }

    /** A logger name prefix to watch (logback calls this once per {@code <logger>} element). */
    public void addLogger(String prefix) {
        prefixes.add(prefix);
    }

    /** How long a distinct warning stays quiet after it was shown (default 30 s). */
    public void setIntervalMillis(long millis) {
        intervalNanos = TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || format == null || !watched(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        String message = MessageFormatter.arrayFormat(format, params).getMessage();
        String key = logger.getName() + '|' + NUMBER.matcher(message).replaceAll("#");
        // the broker logs its refusals with the error in the exception, not in the message: keep its name
        remember(key, logger.getName(), t == null ? message : message + ": " + t.getClass().getSimpleName()
                + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")"));
        long held;
        synchronized (windows) {
            long now = System.nanoTime();
            Window window = windows.get(key);
            if (window != null && now - window.openedNanos < intervalNanos) {
                window.held++;
                return FilterReply.DENY;
            }
            held = window == null ? 0 : window.held;
            window = new Window();
            window.openedNanos = now;
            windows.put(key, window);
        }
        if (held > 0) {
            SUMMARY.warn("The warning below was repeated {} more time(s) in the last {} s", held,
                    TimeUnit.NANOSECONDS.toSeconds(intervalNanos));
        }
        // shown even where the logger's level is set higher: this is the one of its kind in the interval
        return FilterReply.ACCEPT;
    }

    private boolean watched(String name) {
        for (String prefix : prefixes) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    private static void remember(String key, String logger, String message) {
        synchronized (LATEST) {
            Recent previous = LATEST.get(key);
            LATEST.put(key, new Recent(logger, message, System.currentTimeMillis(), previous == null ? 1 : previous.count() + 1));
        }
    }

    /** The distinct warnings seen at or after {@code sinceMillis}, newest first. */
    public static List<Recent> recent(long sinceMillis) {
        List<Recent> out = new ArrayList<>();
        synchronized (LATEST) {
            for (Recent r : LATEST.values()) {
                if (r.atMillis() >= sinceMillis) {
                    out.add(0, r);
                }
            }
        }
        return out;
    }

    /** Records a warning as if logged by {@code logger} (tests, and clients that report errors themselves). */
    static void record(String logger, String message) {
        remember(logger + '|' + NUMBER.matcher(message).replaceAll("#"), logger, message);
    }
}
