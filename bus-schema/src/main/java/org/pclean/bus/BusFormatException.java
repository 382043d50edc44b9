package org.pclean.bus;

/**
 * A record that cannot be read or written as a pclean bus message: unknown schema fingerprint, bytes that are not
 * Avro single-object encoded, or a payload over the size limit. The message names the topic and the reason, and
 * the record belongs on the dead-letter topic.
 */
public class BusFormatException extends RuntimeException {
  public BusFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  public BusFormatException(String message) {
    super(message);
  }
}
