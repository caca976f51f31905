package io.socialcrm.testing;

import java.util.function.Predicate;

/** Where the threads of this JVM are: for a test that waited in vain, so that a rare hang says where it was. */
public final class ThreadDump {
    private ThreadDump() {
    }

    /** {@code heading}, then each thread's name, state and stack. */
    public static String of(String heading) {
        return of(heading, name -> true, Integer.MAX_VALUE);
    }

    /**
     * {@code heading}, then the top {@code frames} frames of the pipeline's threads: Kafka Streams' stream
     * threads, the producers' network threads, and those whose name starts with {@code alsoPrefix}
     * (the command's own thread, the HTTP server's).
     */
    public static String pipeline(String heading, String alsoPrefix, int frames) {
        return of(heading, name -> name.contains("StreamThread") || name.contains("producer-network-thread")
                || name.startsWith(alsoPrefix), frames);
    }

    /** {@code heading}, then the name, state and top {@code frames} frames of each thread whose name {@code names} accepts. */
    public static String of(String heading, Predicate<String> names, int frames) {
        StringBuilder dump = new StringBuilder(heading).append('\n');
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            if (!names.test(thread.getName())) {
                return;
            }
            dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (int i = 0; i < Math.min(frames, stack.length); i++) {
                dump.append("    at ").append(stack[i]).append('\n');
            }
        });
        return dump.toString();
    }
}
