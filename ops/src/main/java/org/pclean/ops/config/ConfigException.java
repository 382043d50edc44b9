package org.pclean.ops.config;

/**
 * A bad configuration: one sentence naming the key (and where it came from when known). An
 * {@link IllegalArgumentException}, so the CLI reports it as bad input (exit 2, one line).
 */
public final class ConfigException extends IllegalArgumentException {
  public ConfigException(String message) {
    super(message);
  }
}
