package io.socialcrm.connectors.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A local stand-in for the v1.1 streaming endpoint {@code POST statuses/filter.json}: each
 * connection gets the next recorded session, line by line as the API sent them (CRLF-delimited,
 * chunked); a session that is not the last ends by dropping the connection, as the API did on
 * errors; the last stays open until the server stops. It records each request's form and
 * Authorization header.
 */
public final class RecordedStream implements AutoCloseable {
    private final HttpServer server;
    private final List<List<String>> sessions;
    public final List<String> forms = new CopyOnWriteArrayList<>();
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    private volatile int connections;

    public RecordedStream(List<List<String>> sessions) throws IOException {
        this.sessions = sessions;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/1.1/statuses/filter.json", this::serve);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "recorded-stream");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** The base URL to configure ({@code twitter.stream.base.url}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/1.1/";
    }

    public int connections() {
        return connections;
    }

    /** Follow ids of the latest request, decoded. */
    public String lastParameter(String name) {
        if (forms.isEmpty()) {
            return null;
        }
        for (String pair : forms.get(forms.size() - 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private void serve(HttpExchange exchange) throws IOException {
        int session = connections++;
        forms.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        List<String> lines = sessions.get(Math.min(session, sessions.size() - 1));
        boolean last = session >= sessions.size() - 1;
        try {
            for (String line : lines) {
                out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (last) {
                while (!stopping.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    out.write("\r\n".getBytes(StandardCharsets.UTF_8)); // keep-alive, as the API sent every 30 s
                    out.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException clientGone) {
            // the client reconnects with another filter
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        stopping.countDown();
        server.stop(0);
    }
}
