package io.socialcrm.app;

import io.socialcrm.config.AppConfig;
import io.socialcrm.config.Settings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options every command that talks to a cluster shares: a config file and single overrides. */
public final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file of settings (README, 'Configuration'). Precedence: defaults < file < "
                    + "environment (SOCIALCRM_*) < options.")
    Path configFile;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "One setting, e.g. -D influence.halflife=14d or -D num.stream.threads=2. Repeatable.")
    Map<String, String> overrides = new LinkedHashMap<>();

    /** Loads the layers; {@code flags} are the command's own options already turned into setting names. */
    public Settings load(Map<String, String> flags) {
        Map<String, String> all = new LinkedHashMap<>(overrides);
        flags.forEach((k, v) -> {
            if (v != null) {
                all.put(k, v);
            }
        });
        Settings settings = Settings.layered(AppConfig.defaults(), configFile, System.getenv(), all);
        AppConfig.rejectUnknown(settings);
        return settings;
    }
}
