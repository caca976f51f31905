package io.socialcrm.connectors.mapping;

import twitter4j.Logger;
import twitter4j.LoggerFactory;

/**
 * twitter4j's logging, through SLF4J like the rest of the worker, but never at DEBUG: twitter4j's
 * debug lines hold the OAuth signature base string and request headers, i.e. the consumer key and
 * access token, and a worker's log level must not decide whether credentials reach its logs.
 * Installed through twitter4j's {@code twitter4j.loggerFactory} property, which twitter4j reads once,
 * when its logging is first used: {@link #install()} runs before anything of this project uses it.
 */
public final class QuietTwitterLogging extends LoggerFactory {
    /** Makes twitter4j (as loaded by this class's loader) log through this factory. */
    public static void install() {
        System.setProperty("twitter4j.loggerFactory", QuietTwitterLogging.class.getName());
    }

    @Override
    public Logger getLogger(Class<?> type) {
        org.slf4j.Logger target = org.slf4j.LoggerFactory.getLogger(type);
        return new Logger() {
            @Override
            public boolean isDebugEnabled() {
                return false;
            }

            @Override
            public boolean isInfoEnabled() {
                return target.isInfoEnabled();
            }

            @Override
            public boolean isWarnEnabled() {
                return target.isWarnEnabled();
            }

            @Override
            public boolean isErrorEnabled() {
                return target.isErrorEnabled();
            }

            @Override
            public void debug(String message) {
                // never: see the class comment
            }

            @Override
            public void debug(String message, String message2) {
                // never: see the class comment
            }

            @Override
            public void info(String message) {
                target.info(message);
            }

            @Override
            public void info(String message, String message2) {
                target.info("{}{}", message, message2);
            }

            @Override
            public void warn(String message) {
                target.warn(message);
            }

            @Override
            public void warn(String message, String message2) {
                target.warn("{}{}", message, message2);
            }

            @Override
            public void warn(String message, Throwable th) {
                target.warn(message, th);
            }

            @Override
            public void error(String message) {
                target.error(message);
            }

            @Override
            public void error(String message, Throwable th) {
                target.error(message, th);
            }
        };
    }
}
