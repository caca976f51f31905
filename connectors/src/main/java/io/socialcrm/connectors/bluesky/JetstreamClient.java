package io.socialcrm.connectors.bluesky;

import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.socialcrm.connectors.mapping.JetstreamMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ServerHandshake;

/**
 * One WebSocket to Jetstream's {@code /subscribe} with Java-WebSocket's client: asks for the wanted
 * collections from a cursor, decodes compressed (binary) frames with Jetstream's zstd dictionary, and
 * puts each message on a bounded queue. The socket is read on the connection's own thread, which
 * waits while the queue is full: a slow Connect slows the socket rather than losing messages.
 *
 * <p>Not the JDK's {@code java.net.http.WebSocket}: when a server closes the connection while the
 * listener is handling a message, the JDK (17 to 25) reads the end of stream with no demand
 * outstanding and throws {@code InternalError} on its selector thread, where it is lost; the socket
 * is then never reported closed. A dropped Jetstream connection must always be seen.
 */
final class JetstreamClient implements AutoCloseable {
    /** A message of the stream: its JSON text, or the bytes that could not be decoded and why. */
    record Message(String json, byte[] undecodable, String error) {
    }

    private static final ZstdDictDecompress DICTIONARY = dictionary();
    private static final int CONNECT_TIMEOUT_MS = 10_000;
    private static final long HANDSHAKE_TIMEOUT_S = 20;

    private final URI endpoint;
    private final boolean compress;
    private final BlockingQueue<Message> queue;
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
            previous.abort(null);
        }
        Connection connection = new Connection(URI.create(uri.toString()));
        current = connection;
        connection.connectBlocking(HANDSHAKE_TIMEOUT_S, TimeUnit.SECONDS);
        if (!connection.opened) { // a socket opened and already closed again counts as opened: its messages are queued
            connection.abort(null);
            String why = connection.closeReason;
            throw new IOException(why == null ? "no answer from " + endpoint.getHost() + " within " + HANDSHAKE_TIMEOUT_S + " s" : why);
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
            c.abort(reason);
        }
    }

    /** Why the last connection ended, or null. */
    String closeReason() {
        Connection c = current;
        return c == null ? null : c.closeReason;
    }

    /**
     * One socket, with its own state: a late callback of an aborted socket cannot mark a newer one
     * closed, and a socket closed before {@code connect} returns is seen as closed.
     */
    private final class Connection extends WebSocketClient {
        /** Set by a close, a failure or an abort. */
        private volatile boolean closed;
        private volatile boolean opened;
        private volatile boolean aborted;
        private volatile String closeReason;
        private volatile long lastHeard = System.nanoTime();

        Connection(URI uri) {
            super(uri, new Draft_6455(), Map.of(), CONNECT_TIMEOUT_MS);
            setDaemon(true);
            setConnectionLostTimeout(0); // silence is judged by bluesky.idle.timeout.ms, not by pings
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            lastHeard = System.nanoTime();
            opened = true;
        }

        @Override
        public void onMessage(String message) {
            lastHeard = System.nanoTime();
            put(new Message(message, null, null));
        }

        @Override
        public void onMessage(ByteBuffer data) {
            lastHeard = System.nanoTime();
            byte[] frame = new byte[data.remaining()];
            data.get(frame);
            put(decode(frame));
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            if (!aborted) {
                closeReason = remote || code == CloseFrame.ABNORMAL_CLOSE
                        ? "closed by the server (" + code + (reason == null || reason.isBlank() ? "" : ", " + reason) + ")"
                        : "closed (" + code + (reason == null || reason.isBlank() ? "" : ", " + reason) + ")";
            }
            closed = true;
        }

        @Override
        public void onError(Exception error) {
            if (!aborted) {
                closeReason = error.getMessage() == null ? error.toString() : error.getMessage();
            }
        }

        /** Closes the socket without a close handshake; {@code reason}, when given, is why. */
        void abort(String reason) {
            if (reason != null) {
                closeReason = reason;
            }
            aborted = true;
            closed = true;
            closeConnection(CloseFrame.ABNORMAL_CLOSE, reason == null ? "" : reason);
        }

        /** Waits for room on the queue, unless this socket is given up meanwhile. */
        private void put(Message message) {
            try {
                while (!aborted && !queue.offer(message, 200, TimeUnit.MILLISECONDS)) {
                    lastHeard = System.nanoTime(); // the socket is not silent: Connect is slow
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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

    @Override
    public void close() {
        Connection c = current;
        if (c != null) {
            c.abort("stopped");
        }
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
