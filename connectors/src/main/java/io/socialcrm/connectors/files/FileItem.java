package io.socialcrm.connectors.files;

/**
 * One item read from an input file: where it was ({@code file:line}) and what it gave, or why it
 * was refused (then {@code value} is null). A refused item is skipped; the file goes on.
 */
public record FileItem<T>(String location, long line, T value, String error) {
    public static <T> FileItem<T> ok(String location, long line, T value) {
        return new FileItem<>(location, line, value, null);
    }

    public static <T> FileItem<T> refused(String location, long line, String error) {
        return new FileItem<>(location, line, null, error);
    }

    public boolean ok() {
        return error == null;
    }
}
