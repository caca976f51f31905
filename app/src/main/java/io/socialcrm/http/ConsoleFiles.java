package io.socialcrm.http;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The console's files (its pages under {@code console/} and the chart library's webjar), read from
 * the classpath once and kept in the heap: a few tens of kilobytes.
 *
 * <p>Not Javalin's static files: to serve from a jar, they (Jetty's {@code ResourceHandler}) mount
 * the whole jar as a zip file system, which holds the jar's central directory and an index node per
 * entry. For the application's jar (46,000 entries) that is about 12 MB of heap a mount, and Javalin
 * 7.2 mounts each location twice: 8 mounts, about 95 MB held for the process's life
 * ({@code jmap -histo:live}: 369,369 {@code ZipFileSystem$IndexNode}s, 104 MB of byte arrays in a
 * demo's live heap of 203 MB), which the collector scans at every marking cycle of a busy instance.
 * Reading a resource through the class loader uses the jar file the class loader has open already.
 */
final class ConsoleFiles {
    /** The console's pages, as in {@code src/main/resources/console} ({@code QueryApiTest} checks the two agree). */
    static final List<String> PAGES = List.of("index.html", "console.js", "console.css");
    private static final String WEBJARS = "META-INF/resources/webjars/";
    /** A webjar path: words, dots and dashes between slashes; nothing that could climb out of the webjars. */
    private static final Pattern WEBJAR_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "json", "application/json", "svg", "image/svg+xml", "png", "image/png",
            "map", "application/json");

    /** A file as served: its bytes, its type and its entity tag. */
    record File(byte[] bytes, String type, String etag) {
    }

    private final ClassLoader loader;
    private final Map<String, Optional<File>> files = new ConcurrentHashMap<>();

    ConsoleFiles(ClassLoader loader) {
        this.loader = loader;
    }

    /** GET and HEAD (the same headers, no body) of {@code /}, the pages and {@code /webjars/...}. */
    void routes(RoutesConfig r) {
        route(r, "/", ctx -> "console/index.html");
        for (String page : PAGES) {
            route(r, "/" + page, ctx -> "console/" + page);
        }
        route(r, "/webjars/<path>", ctx -> {
            String path = ctx.pathParam("path");
            if (!WEBJAR_PATH.matcher(path).matches()) {
                throw new NotFoundResponse();
            }
            return WEBJARS + path;
        });
    }

    private void route(RoutesConfig r, String path, Function<Context, String> resource) {
        r.get(path, ctx -> serve(ctx, resource.apply(ctx), true));
        r.head(path, ctx -> serve(ctx, resource.apply(ctx), false));
    }

    /** The file at {@code resource} on the classpath, or empty when there is none (directories have none either). */
    Optional<File> file(String resource) {
        return files.computeIfAbsent(resource, this::load);
    }

    private void serve(Context ctx, String resource, boolean body) {
        File file = file(resource).orElseThrow(NotFoundResponse::new);
        ctx.header("ETag", file.etag());
        // revalidated on each load (a new version of the application may have new pages), answered with 304 when unchanged
        ctx.header("Cache-Control", "no-cache");
        if (file.etag().equals(ctx.header("If-None-Match"))) {
            ctx.status(304);
            return;
        }
        ctx.contentType(file.type());
        if (body) {
            ctx.result(file.bytes());
        } else {
            ctx.header("Content-Length", Integer.toString(file.bytes().length));
        }
    }

    private Optional<File> load(String resource) {
        int dot = resource.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(resource.substring(dot + 1));
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return Optional.of(new File(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
