package io.socialcrm.connectors.bluesky;

import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.socialcrm.connectors.mapping.JetstreamMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One WebSocket to Jetstream's {@code /subscribe} with the JDK's client: asks for the wanted
 * collections from a cursor, reassembles fragmented frames, decodes compressed (binary) frames with
 * Jetstream's zstd dictionary, and puts each message on a bounded queue; it asks the server for the
 * next frame only once the last is queued, so a slow Connect slows the socket rather than losing
 * messages.
 */
final class JetstreamClient implements AutoCloseable {
    /** A message of the stream: its JSON text, or the bytes that could not be decoded and why. */
    record Message(String json, byte[] undecodable, String error) {
    }

    private static final ZstdDictDecompress DICTIONARY = dictionary();

    private final URI endpoint;
    private final boolean compress;
    private final BlockingQueue<Message> queue;
    private final ExecutorService callbacks = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "socialcrm-jetstream");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).executor(callbacks).build();
    private volatile Connection current;

    JetstreamClient(URI endpoint, boolean compress, BlockingQueue<Message> queue) {
        this.endpoint = endpoint;
        this.compress = compress;
        this.queue = queue;
    }

    /** Opens the socket from {@code cursor} (unix microseconds; 0 = live); throws when it cannot. */
    void connect(long cursor) throws IOException, InterruptedException {
        StringBuilder uri = new StringBuilder(endpoint.toString());
        char sep = endpoint.getRawQuery() == null ? '?' : '&';
        for (String collection : JetstreamMapper.COLLECTIONS) {
            uri.append(sep).append("wantedCollections=").append(URLEncoder.encode(collection, StandardCharsets.UTF_8));
            sep = '&';
        }
        if (compress) {
            uri.append("&compress=true");
        }
        if (cursor > 0) {
            uri.append("&cursor=").append(cursor);
        }
        Connection previous = current;
        if (previous != null) {
            previous.abort();
        }
        Connection connection = new Connection();
        current = connection;
        try {
            http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(uri.toString()), connection).get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            connection.abort();
            throw new IOException(e.getCause() == null ? e.toString() : e.getCause().toString(), e.getCause());
        } catch (TimeoutException e) {
            connection.abort();
            throw new IOException("no answer from " + endpoint.getHost() + " within 20 s");
        }
    }

    /** True while the last socket opened has not been closed or failed. */
    boolean isOpen() {
        Connection c = current;
        return c != null && !c.closed;
    }

    /** How long the open socket has sent nothing (since it opened, or since its last message). */
    long silentMs() {
        Connection c = current;
        return c == null ? 0 : (System.nanoTime() - c.lastHeard) / 1_000_000;
    }

    /** Gives up the open socket, saying why: the next {@link #isOpen()} is false. */
    void abandon(String reason) {
        Connection c = current;
        if (c != null) {
            c.abort();
            c.closeReason = reason;
        }
    }

    /** Why the last connection ended, or null. */
    String closeReason() {
        Connection c = current;
        return c == null ? null : c.closeReason;
    }

    /**
     * One socket's listener, with its own state: a late callback of an aborted socket cannot mark a
     * newer one closed, and a socket closed before {@code connect} returns is seen as closed.
     */
    private final class Connection implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        private volatile WebSocket socket;
        /** Set by a close, a failure or an abort; a socket still opening counts as open. */
        private volatile boolean closed;
        private volatile String closeReason;
        private volatile long lastHeard = System.nanoTime();

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            lastHeard = System.nanoTime();
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                put(new Message(message, null, null));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            lastHeard = System.nanoTime();
            byte[] part = new byte[data.remaining()];
            data.get(part);
            binary.writeBytes(part);
            if (last) {
                byte[] frame = binary.toByteArray();
                binary.reset();
                put(decode(frame));
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeReason = "closed by the server (" + statusCode + (reason == null || reason.isBlank() ? "" : ", " + reason) + ")";
            closed = true;
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeReason = error.toString();
            closed = true;
        }

        void abort() {
            closed = true;
            WebSocket s = socket;
            if (s != null) {
                s.abort();
            }
        }
    }

    /** A compressed frame as its JSON text: zstd with Jetstream's dictionary. */
    static Message decode(byte[] frame) {
        try (InputStream in = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(frame)).setDict(DICTIONARY)) {
            return new Message(new String(in.readAllBytes(), StandardCharsets.UTF_8), null, null);
        } catch (IOException | RuntimeException e) {
            return new Message(null, frame, "compressed frame cannot be decoded with Jetstream's dictionary: " + e.getMessage());
        }
    }

    private void put(Message message) {
        try {
            queue.put(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        Connection c = current;
        if (c != null) {
            c.abort();
        }
        callbacks.shutdownNow();
    }

    private static ZstdDictDecompress dictionary() {
        try (InputStream in = JetstreamClient.class.getResourceAsStream("jetstream-zstd-dictionary")) {
            if (in == null) {
                throw new IllegalStateException("Jetstream's zstd dictionary is missing from the plugin");
            }
            return new ZstdDictDecompress(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
