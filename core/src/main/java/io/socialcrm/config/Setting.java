package io.socialcrm.config;

/**
 * One setting of socialcrm: its name (as in a properties file; {@code SOCIALCRM_} + upper case with
 * '_' for '.' in the environment), its default (null: none), and what it means.
 */
public record Setting(String name, String defaultValue, String doc) {
    public String envName() {
        return "SOCIALCRM_" + name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
    }
}
