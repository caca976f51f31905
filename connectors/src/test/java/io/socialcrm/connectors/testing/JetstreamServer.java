package io.socialcrm.connectors.testing;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDictCompress;
import io.socialcrm.serde.PlainJson;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.java_websocket.WebSocket;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A local Jetstream for tests: a WebSocket server (Java-WebSocket) on {@code /subscribe} that replays
 * recorded lines byte for byte, from the {@code cursor} a client asks for (lines whose
 * {@code time_us} is at or after it), compressed with Jetstream's zstd dictionary when the client asks
 * for {@code compress=true}. The first connection can be dropped (or go silent) after a number of lines; lines
 * given later with {@link #push} go to every open connection.
 */
public final class JetstreamServer extends WebSocketServer implements AutoCloseable {
    private final List<String> lines;
    private final int dropFirstAfter;
    private final boolean stall;
    private final ZstdDictCompress dictionary;
    private final AtomicInteger connections = new AtomicInteger();
    /** The query of each connection, in order. */
    public final List<Map<String, List<String>>> queries = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> started = new LinkedBlockingQueue<>();

    public JetstreamServer(List<String> lines, int dropFirstAfter, Path dictionary) throws Exception {
        this(lines, dropFirstAfter, false, dictionary);
    }

    /** A server whose first connection goes silent after {@code after} lines, open but sending nothing (half-open). */
    public static JetstreamServer stalling(List<String> lines, int after, Path dictionary) throws Exception {
        return new JetstreamServer(lines, after, true, dictionary);
    }

    private JetstreamServer(List<String> lines, int dropFirstAfter, boolean stall, Path dictionary) throws Exception {
        super(new InetSocketAddress("127.0.0.1", 0));
        this.lines = List.copyOf(lines);
        this.dropFirstAfter = dropFirstAfter;
        this.stall = stall;
        this.dictionary = new ZstdDictCompress(Files.readAllBytes(dictionary), 3);
        setReuseAddr(true);
        start();
        started.take();
    }

    public String url() {
        return "ws://127.0.0.1:" + getPort() + "/subscribe";
    }

    public int connections() {
        return connections.get();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        Map<String, List<String>> query = query(handshake.getResourceDescriptor());
        queries.add(query); // before the count: who sees a connection counted finds its query
        conn.setAttachment(query);
        int n = connections.incrementAndGet();
        long cursor = query.containsKey("cursor") ? Long.parseLong(query.get("cursor").get(0)) : 0;
        int sent = 0;
        for (String line : lines) {
            if (cursor > 0 && timeUs(line) < cursor) {
                continue;
            }
            if (n == 1 && dropFirstAfter > 0 && sent == dropFirstAfter) {
                if (!stall) {
                    drop(conn);
                }
                return;
            }
            send(conn, line);
            sent++;
        }
    }

    /**
     * Drops a connection as a network failure does: no close frame, once what was sent has left (a
     * close from inside {@code onOpen}, on the server's selector thread, could cut the lines sent
     * before it).
     */
    private static void drop(WebSocket conn) {
        Thread dropper = new Thread(() -> {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (conn.hasBufferedData() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            conn.closeConnection(CloseFrame.ABNORMAL_CLOSE, "dropped by the test");
        }, "jetstream-server-drop");
        dropper.setDaemon(true);
        dropper.start();
    }

    /** Sends a line to every open connection. */
    public void push(String line) {
        getConnections().forEach(c -> send(c, line));
    }

    private void send(WebSocket conn, String line) {
        @SuppressWarnings("unchecked")
        Map<String, List<String>> query = (Map<String, List<String>>) conn.getAttachment();
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        if (query != null && query.containsKey("compress") && query.get("compress").contains("true")) {
            conn.send(ByteBuffer.wrap(Zstd.compress(bytes, dictionary)));
        } else {
            conn.send(line);
        }
    }

    private static long timeUs(String line) {
        try {
            return PlainJson.MAPPER.readTree(line).path("time_us").asLong();
        } catch (Exception e) {
            return Long.MAX_VALUE;
        }
    }

    private static Map<String, List<String>> query(String resource) {
        String raw = URI.create("http://x" + resource).getRawQuery();
        if (raw == null) {
            return Map.of();
        }
        return java.util.Arrays.stream(raw.split("&")).map(p -> p.split("=", 2))
                .collect(Collectors.groupingBy(p -> p[0], Collectors.mapping(p -> p.length > 1
                        ? java.net.URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "", Collectors.toList())));
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
    }

    @Override
    public void onStart() {
        started.add("started");
    }

    @Override
    public void close() {
        try {
            stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
