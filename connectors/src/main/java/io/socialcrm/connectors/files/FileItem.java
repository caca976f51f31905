package io.socialcrm.connectors.files;

/**
 * One item read from an input file: where it was ({@code file:line}) and what it gave, or why it
 * was refused (then {@code value} is null). A refused item is skipped; the file goes on.
 * {@code raw} is the item's text as read, where the reader has it (for a dead-letter record).
 */
public record FileItem<T>(String location, long line, T value, String error, String raw) {
    public static <T> FileItem<T> ok(String location, long line, T value) {
        return new FileItem<>(location, line, value, null, null);
    }

    public static <T> FileItem<T> ok(String location, long line, T value, String raw) {
        return new FileItem<>(location, line, value, null, raw);
    }

    public static <T> FileItem<T> refused(String location, long line, String error) {
        return new FileItem<>(location, line, null, error, null);
    }

    public static <T> FileItem<T> refused(String location, long line, String error, String raw) {
        return new FileItem<>(location, line, null, error, raw);
    }

    public boolean ok() {
        return error == null;
    }
}
