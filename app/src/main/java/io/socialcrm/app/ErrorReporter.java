package io.socialcrm.app;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Turns a failure into one clear line on stderr and an exit code: 2 for a bad configuration (the
 * message says what to fix), 1 for anything else. The stack trace goes to the debug log only.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
        LOG.debug("Command failed", e);
        if (e instanceof ConfigException) {
            cli.getErr().println(cli.getColorScheme().errorText("Configuration error: " + e.getMessage()));
            return 2;
        }
        cli.getErr().println(cli.getColorScheme().errorText("Error: " + describe(e)));
        return 1;
    }

    private static String describe(Throwable e) {
        StringBuilder message = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        while (cause != null && cause != e) {
            if (cause.getMessage() != null && !message.toString().contains(cause.getMessage())) {
                message.append(": ").append(cause.getMessage());
            }
            e = cause;
            cause = cause.getCause();
        }
        return message.toString();
    }
}
