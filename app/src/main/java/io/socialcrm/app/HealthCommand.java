package io.socialcrm.app;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code socialcrm health}: asks a running instance's {@code /health} and exits 0 when it is
 * RUNNING, 1 otherwise: a container health check that needs nothing but the image's Java.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Check a running instance: exit 0 if its /health says RUNNING, 1 if not (or no answer). "
                + "For container health checks and scripts.",
        footer = {"", "Examples:", "  socialcrm health", "  socialcrm health --url http://10.0.0.7:8080/health"})
public final class HealthCommand implements Callable<Integer> {
    @Option(names = "--url", paramLabel = "URL",
            description = "The instance's health URL (default: http://127.0.0.1:<http.port>/health, the port from the "
                    + "same settings 'run' reads: --config, SOCIALCRM_HTTP_PORT, -D).")
    URI url;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5", description = "How long to wait for an answer (default 5).")
    int timeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        if (url == null) {
            Settings settings = config.load(Map.of());
            url = URI.create("http://127.0.0.1:" + settings.intValue(AppConfig.HTTP_PORT.name(), 1, 65_535) + "/health");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(timeoutSeconds)).build();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(timeoutSeconds)).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.println(response.body());
            return response.statusCode() == 200 ? 0 : 1;
        } catch (IOException e) {
            System.err.println("socialcrm health: no answer from " + url + ": " + e.getMessage());
            return 1;
        }
    }
}
