package io.socialcrm.connectors.files;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Items of one input file, read one at a time: each {@link #next()} gives the next item (a value, or
 * the reason its line was refused) or null at the end. Pull-based so that a source task can stop
 * after a batch and go on later from the same place ({@link #position()}).
 */
public interface ItemReader<T> extends AutoCloseable {
    /** The next item, or null at the end of the file. */
    FileItem<T> next() throws IOException;

    /** How many items this reader has given so far (refused ones included): a resumable position. */
    long position();

    @Override
    void close() throws IOException;

    /** Hands every remaining item to {@code sink}, then closes the reader. */
    default void forEachRemaining(Consumer<FileItem<T>> sink) throws IOException {
        try (this) {
            for (FileItem<T> item = next(); item != null; item = next()) {
                sink.accept(item);
            }
        }
    }

    /** A file that is not text at all: one refused item that says where, and nothing else. */
    static <T> ItemReader<T> notText(String name, TextFiles.NotText e) {
        return new ItemReader<>() {
            private boolean given;

            @Override
            public FileItem<T> next() {
                if (given) {
                    return null;
                }
                given = true;
                return FileItem.refused(name + ":1", 1, e.getMessage() + "; the file is skipped");
            }

            @Override
            public long position() {
                return given ? 1 : 0;
            }

            @Override
            public void close() {
            }
        };
    }

    /** A reader that turns each value of {@code source} into another, or into a refusal. */
    static <A, B> ItemReader<B> mapping(ItemReader<A> source, Mapper<A, B> mapper) {
        return new ItemReader<>() {
            @Override
            public FileItem<B> next() throws IOException {
                FileItem<A> item = source.next();
                if (item == null) {
                    return null;
                }
                if (!item.ok()) {
                    return FileItem.refused(item.location(), item.line(), item.error(), item.raw());
                }
                try {
                    return FileItem.ok(item.location(), item.line(), mapper.map(item.value()), item.raw());
                } catch (Refused e) {
                    String raw = item.raw() != null ? item.raw() : String.valueOf(item.value());
                    return FileItem.refused(item.location(), item.line(), e.getMessage(), raw);
                }
            }

            @Override
            public long position() {
                return source.position();
            }

            @Override
            public void close() throws IOException {
                source.close();
            }
        };
    }

    /** Maps one value; throws {@link Refused} with the reason when it cannot. */
    @FunctionalInterface
    interface Mapper<A, B> {
        B map(A value) throws Refused;
    }

    /** Why a value was refused; the message names fields, never content. */
    final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }
}
