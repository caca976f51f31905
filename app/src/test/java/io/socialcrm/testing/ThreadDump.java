package io.socialcrm.testing;

/** Where every thread of this JVM is: for a test that waited in vain, so that a rare hang says where it was. */
public final class ThreadDump {
    private ThreadDump() {
    }

    /** {@code heading}, then each thread's name, state and stack. */
    public static String of(String heading) {
        StringBuilder dump = new StringBuilder(heading).append('\n');
        Thread.getAllStackTraces().forEach((thread, stack) -> {
            dump.append('"').append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
            for (StackTraceElement frame : stack) {
                dump.append("    at ").append(frame).append('\n');
            }
        });
        return dump.toString();
    }
}
