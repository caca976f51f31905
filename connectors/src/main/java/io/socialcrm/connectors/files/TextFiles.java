package io.socialcrm.connectors.files;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Opens the user's input files: gzip-compressed ones (the way platform exports often arrive) are
 * read through {@link GZIPInputStream}, recognised by their first two bytes whatever their name;
 * text is decoded as strict UTF-8, and the first byte that is not UTF-8 (a binary file, a file in
 * another encoding) stops the file with a {@link NotText} that says at which byte, so that the
 * caller can report it like any bad line and go on with the next file.
 */
public final class TextFiles {
    private TextFiles() {
    }

    /** The file's bytes, gunzipped if it is gzip. */
    public static InputStream openBytes(Path file) throws IOException {
        BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
        try {
            in.mark(2);
            int first = in.read();
            int second = in.read();
            in.reset();
            if (first == 0x1f && second == 0x8b) {
                return new BufferedInputStream(new GZIPInputStream(in, 64 * 1024), 64 * 1024);
            }
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The file as text: gunzipped if gzip, strict UTF-8 (see {@link NotText}). */
    public static Reader open(Path file) throws IOException {
        return new StrictUtf8Reader(openBytes(file));
    }

    /** The first line that is not blank, if the file is text and has one. */
    public static java.util.Optional<String> firstLine(Path file) throws IOException {
        try (java.io.BufferedReader in = new java.io.BufferedReader(open(file))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    return java.util.Optional.of(line);
                }
            }
            return java.util.Optional.empty();
        } catch (NotText e) {
            return java.util.Optional.empty();
        }
    }

    /** A byte that is not part of UTF-8 text, at the offset the message gives (of the uncompressed bytes). */
    public static final class NotText extends IOException {
        NotText(long byteOffset) {
            super("not UTF-8 text at byte offset " + byteOffset + " (a binary file, or another encoding?)");
        }

        /** The refused item that ends a file at {@code line} of {@code name}: what follows is not read. */
        public <T> FileItem<T> restSkipped(String name, long line) {
            return FileItem.refused(name + ":" + line, line, getMessage() + "; the rest of the file is skipped");
        }
    }

    /** Finds a {@link NotText} among an exception's causes (parsers wrap what their reader throws). */
    public static NotText notText(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NotText notText) {
                return notText;
            }
        }
        return null;
    }

    /** Decodes strict UTF-8, counting the bytes it has decoded so that an error can say where. */
    private static final class StrictUtf8Reader extends Reader {
        private final InputStream in;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteBuffer bytes = ByteBuffer.allocate(16 * 1024).flip();
        private long decoded;
        private boolean eof;
        private boolean flushed;
        /** Found while decoding text that came before it: thrown by the next read, after that text. */
        private NotText pending;

        StrictUtf8Reader(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (pending != null) {
                throw pending;
            }
            if (flushed) {
                return -1;
            }
            CharBuffer out = CharBuffer.wrap(buffer, offset, length);
            while (true) {
                int before = bytes.position();
                CoderResult result = decoder.decode(bytes, out, eof);
                decoded += bytes.position() - before;
                if (result.isError()) {
                    pending = new NotText(decoded);
                    if (out.position() > offset) {
                        return out.position() - offset;
                    }
                    throw pending;
                }
                if (out.position() > offset) {
                    return out.position() - offset;
                }
                if (eof) {
                    if (!flushed) {
                        flushed = true;
                        decoder.flush(out);
                        if (out.position() > offset) {
                            return out.position() - offset;
                        }
                    }
                    return -1;
                }
                bytes.compact();
                int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    bytes.position(bytes.position() + n);
                }
                bytes.flip();
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
